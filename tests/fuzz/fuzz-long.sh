#!/bin/sh
# make fuzz-long [FUZZ_SECONDS=N]: each libFuzzer target in turn (one at a
# time, nice 10: the machine is shared) for N seconds, starting from its
# checked-in corpus (tests/fuzz/corpus/TARGET, read only here) plus what
# earlier long runs found (build/fuzz/long/TARGET), with its dictionary
# (tests/fuzz/TARGET.dict) when there is one. Prints per target the
# executions, the edges covered and the crashes (a crash stops that target
# and leaves crash-* in build/fuzz/). Exit status 1 if any target crashed.
# To refresh a checked-in corpus from a long run (keeps it small):
#   build/fuzz/TARGET -merge=1 tests/fuzz/corpus/TARGET build/fuzz/long/TARGET
set -u
cd "$(dirname "$0")/../.."
secs=$1
shift
status=0
for t in "$@"; do
	case $t in
	fuzz_virtqueue) len=16388 ;;
	fuzz_gpu) len=8192 ;;
	fuzz_virgl_res) len=128 ;;
	fuzz_virtio_pci) len=36000 ;;
	*) len=4096 ;;
	esac
	mkdir -p "build/fuzz/long/$t" "tests/fuzz/corpus/$t"
	dict=""
	[ -f "tests/fuzz/$t.dict" ] && dict="-dict=$(pwd)/tests/fuzz/$t.dict"
	log="build/fuzz/long/$t.log"
	# shellcheck disable=SC2086
	(cd build/fuzz && nice -n 10 "./$t" -max_total_time="$secs" -max_len=$len \
		-print_final_stats=1 $dict "long/$t" "../../tests/fuzz/corpus/$t") >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	edges=$(grep -o 'cov: [0-9]*' "$log" | tail -n1 | cut -d' ' -f2)
	crashes=$(grep -c '^==[0-9]*==ERROR\|^SUMMARY: .*Sanitizer\|deadly signal' "$log")
	echo "$t: ${execs:-?} execs in ${secs} s, ${edges:-?} edges, crashes: $crashes (log $log)"
	if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
		status=1
	fi
done
exit $status

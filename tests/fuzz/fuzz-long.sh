#!/bin/sh
# make fuzz-long [FUZZ_SECONDS=N]: each libFuzzer target in turn (one at a
# time, nice 10: the machine is shared) for N seconds, starting from its
# checked-in corpus (tests/fuzz/corpus/TARGET, read only here) plus what
# earlier long runs found (build/fuzz/long/TARGET), with its dictionary
# (tests/fuzz/TARGET.dict) when there is one. Prints per target the
# executions, the edges covered and the crashes (a crash stops that target
# and leaves crash-* in build/fuzz/). Exit status 1 if any target crashed.
# With FUZZ_EXECS=M in the environment a target also stops after M
# executions (a campaign: "at least M each", N then only caps the time).
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
	fuzz_control) len=10000 ;; # past a request's longest line (4128)
	fuzz_ci_match) len=20000 ;; # past a console line's cap (8192) twice
	*) len=4096 ;;
	esac
	mkdir -p "build/fuzz/long/$t" "tests/fuzz/corpus/$t"
	dict=""
	runs=""
	[ -n "${FUZZ_EXECS:-}" ] && runs="-runs=$FUZZ_EXECS"
	[ -f "tests/fuzz/$t.dict" ] && dict="-dict=$(pwd)/tests/fuzz/$t.dict"
	log="build/fuzz/long/$t.log"
	# shellcheck disable=SC2086
	(cd build/fuzz && nice -n 10 "./$t" -max_total_time="$secs" -max_len=$len \
		-print_final_stats=1 $runs $dict "long/$t" "../../tests/fuzz/corpus/$t") >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	edges=$(grep -o 'cov: [0-9]*' "$log" | tail -n1 | cut -d' ' -f2)
	crashes=$(grep -c '^==[0-9]*==ERROR\|^SUMMARY: .*Sanitizer\|deadly signal' "$log")
	took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n1)
	echo "$t: ${execs:-?} execs in ${took:-$secs} s, ${edges:-?} edges, crashes: $crashes (log $log)"
	if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
		status=1
	fi
done
exit $status

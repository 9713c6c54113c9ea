#!/bin/bash
# Integration tests: run every tests/integration/t_*.sh (or those named on
# the command line) under a wall-clock timeout, relay their PASS/FAIL/SKIP
# lines, and end with "N passed, M failed, K skipped". Exit 1 if any failed.
#
# Environment: CASE_TIMEOUT (seconds per case file, default 180), LKVM,
# PROBE_ELF, LOG_DIR (see lib.sh). Each run gets its own log and scratch
# directory (build/integration/run-*, `latest` points at the newest; the five
# newest are kept), so concurrent runs never share disk images.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
export ROOT=${ROOT:-$(cd "$HERE/../.." && pwd)}
CASE_TIMEOUT=${CASE_TIMEOUT:-180}
if [ -z "${LOG_DIR:-}" ]; then
	base="$ROOT/build/integration"
	mkdir -p "$base"
	LOG_DIR=$(mktemp -d "$base/run-$(date +%Y%m%d-%H%M%S)-XXXX")
	ln -sfn "$(basename "$LOG_DIR")" "$base/latest"
	# shellcheck disable=SC2012
	ls -1dt "$base"/run-* 2>/dev/null | tail -n +6 | xargs -r rm -rf
fi
export LOG_DIR
mkdir -p "$LOG_DIR"

if [ $# -gt 0 ]; then
	cases=()
	for c in "$@"; do
		cases+=("$HERE/t_${c#t_}")
		[[ ${cases[-1]} == *.sh ]] || cases[-1]+=.sh
	done
else
	cases=("$HERE"/t_*.sh)
fi

passed=0 failed=0 skipped=0
for c in "${cases[@]}"; do
	name=$(basename "$c" .sh)
	name=${name#t_}
	if [ ! -f "$c" ]; then
		echo "FAIL $name: no such test case file $c"
		failed=$((failed + 1))
		continue
	fi
	out="$LOG_DIR/case-$name.out"
	timeout -k 5 "$CASE_TIMEOUT" bash "$c" >"$out"
	status=$?
	results=0
	while IFS= read -r line; do
		case $line in
		"PASS "*) passed=$((passed + 1)) ;;
		"FAIL "*) failed=$((failed + 1)) ;;
		"SKIP "*) skipped=$((skipped + 1)) ;;
		*) continue ;;
		esac
		results=$((results + 1))
		echo "$line"
	done <"$out"
	if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
		echo "FAIL $name: timed out after ${CASE_TIMEOUT}s"
		failed=$((failed + 1))
	elif [ "$results" -eq 0 ]; then
		echo "FAIL $name: reported nothing (exit status $status)"
		failed=$((failed + 1))
	elif [ "$status" -ne 0 ]; then
		echo "FAIL $name: case script exited with status $status"
		failed=$((failed + 1))
	fi
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]

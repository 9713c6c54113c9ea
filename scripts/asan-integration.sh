#!/bin/sh
# asan-integration.sh [CASE...]   (make asan-integration)
# The integration suite (tests/integration/run.sh) against build/lkvm-gpu-asan,
# lkvm-gpu built with ASan+UBSan (-fno-sanitize-recover: the first report
# ends the process). Every sanitizer report goes to a file of its own
# (log_path), so a report is found even when a case keeps only the exit
# status or compares stderr; any such file fails the run, whatever the
# cases said. UBSan, linked with ASan, ignores log_path and writes to
# stderr: its "runtime error:" lines are searched for in every log the cases
# keep under LOG_DIR (and its report ends the process, failing the case). Leak checks are off here: LeakSanitizer stops the world with
# ptrace at exit, which the seccomp sandbox forbids (the unit tests under
# `make asan-check` check leaks). Without /dev/kvm the KVM cases SKIP and
# the others (usage, options, install, CI usage) still run.
set -u
cd "$(dirname "$0")/.." || exit 2
base=build/integration
mkdir -p "$base"
LOG_DIR=$(mktemp -d "$PWD/$base/asan-XXXX")
export LOG_DIR
export LKVM=$PWD/build/lkvm-gpu-asan
export ASAN_OPTIONS="detect_leaks=0:log_path=$LOG_DIR/asan"
export UBSAN_OPTIONS="print_stacktrace=1:log_path=$LOG_DIR/ubsan"
# ASan makes lkvm-gpu two to three times slower.
export CASE_TIMEOUT=${CASE_TIMEOUT:-400} RUN_TIMEOUT=${RUN_TIMEOUT:-60}
echo "asan-integration: $LKVM, logs in $LOG_DIR"
tests/integration/run.sh "$@"
rc=$?
reports=$({
	ls "$LOG_DIR"/asan.* "$LOG_DIR"/ubsan.* 2>/dev/null
	grep -rlE "runtime error:|ERROR: AddressSanitizer" "$LOG_DIR" 2>/dev/null
} | sort -u)
if [ -n "$reports" ]; then
	for f in $reports; do
		echo "--- $f"
		head -n 40 "$f"
	done
	echo "asan-integration: FAIL: sanitizer reports above" >&2
	exit 1
fi
echo "asan-integration: no sanitizer reports"
exit $rc

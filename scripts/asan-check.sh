#!/bin/sh
# The unit tests under ASan+UBSan with leak checks. Criterion runs each test
# in a child process and ignores what LeakSanitizer says there (a leaking
# test still passes), so the log is searched: any sanitizer report fails
# the run, whatever the exit status. The test framework's own leaks are
# suppressed (tests/unit/lsan.supp).
set -u
cd "$(dirname "$0")/.."
log=build/asan-check.log
ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=tests/unit/lsan.supp \
	build/unit-tests-asan --jobs 2 "$@" >"$log" 2>&1
rc=$?
cat "$log"
if grep -q -E "ERROR: (LeakSanitizer|AddressSanitizer)|runtime error:" "$log"; then
	echo "asan-check: FAIL: a sanitizer reported above (log: $log)" >&2
	exit 1
fi
exit $rc

# Shared helpers for integration test cases (sourced by t_*.sh).
# A case prints one line per check: "PASS name", "FAIL name: why" or
# "SKIP name: why"; run.sh counts them. Guest output goes to log files under
# $LOG_DIR, and the tail of a failing run's log is shown on stderr.

ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
LKVM=${LKVM:-$ROOT/build/lkvm-gpu}
PROBE_ELF=${PROBE_ELF:-$ROOT/build/guest/probe.elf}
LOG_DIR=${LOG_DIR:-$ROOT/build/integration}
RUN_TIMEOUT=${RUN_TIMEOUT:-30}
mkdir -p "$LOG_DIR"

pass() { echo "PASS $1"; }
fail() {
	echo "FAIL $1: $2"
	if [ -n "${3:-}" ] && [ -f "$3" ]; then
		echo "--- last lines of $3:" >&2
		tail -n 15 "$3" >&2
	fi
}
skip() { echo "SKIP $1: $2"; }

# /dev/kvm present and openable read-write by us.
kvm_usable() {
	[ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]
}

# need_kvm NAME...: prints a loud SKIP for every name and returns 1 if KVM
# cannot be used here.
need_kvm() {
	kvm_usable && return 0
	for n in "$@"; do
		skip "$n" "/dev/kvm not available (KVM tests cannot run on this machine)"
	done
	echo "WARNING: /dev/kvm missing or not accessible: KVM tests SKIPPED" >&2
	return 1
}

# The screenshot checkers (png_rgb_crc.py, png_find.py) are python3.
# Without it a screenshot cannot be compared with what the guest drew: a
# check that needs it ends in need_python, which prints a loud SKIP for each
# name and returns 1 (never a PASS on "the PNG exists").
have_python() {
	command -v python3 >/dev/null 2>&1
}
need_python() {
	have_python && return 0
	for n in "$@"; do
		skip "$n" "python3 missing: the screenshot cannot be checked (scripts/install-deps.sh)"
	done
	echo "WARNING: python3 missing: screenshot checks SKIPPED ($*)" >&2
	return 1
}

# check_screenshot NAME PNG WANT LOG: PASS when PNG's pixels have the CRC
# the guest reported (WANT, "WxH:crc"), FAIL when not, a loud SKIP without
# python3.
check_screenshot() {
	need_python "$1" || return 0
	got=$(python3 "$(dirname "$0")/png_rgb_crc.py" "$2")
	if [ "$got" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "screenshot is '$got', the guest drew '$3'" "$4"
	fi
}

# lkvm LOG ARGS...: run `lkvm-gpu run ARGS` with stdin from /dev/null, all
# output into LOG; returns lkvm-gpu's exit status (124 on timeout).
lkvm() {
	log=$1
	shift
	timeout -k 5 "$RUN_TIMEOUT" "$LKVM" run "$@" </dev/null >"$log" 2>&1
}

# probe_info LOG KEY: the value of "PROBE: info KEY=...", with continuation
# lines "PROBE: info KEY+=..." joined (long values are split by the probe).
probe_info() {
	awk -v k="$2" '
		index($0, "PROBE: info " k "=") == 1 { v = substr($0, length("PROBE: info " k "=") + 1); found = 1; next }
		found && index($0, "PROBE: info " k "+=") == 1 { v = v substr($0, length("PROBE: info " k "+=") + 1) }
		END { if (found) print v; else exit 1 }' "$1"
}

# probe_verdict LOG TEST: "PASS", "FAIL: why", "SKIP: why" or "missing".
probe_verdict() {
	line=$(grep -a -m1 -E "^PROBE: (PASS $2\$|FAIL $2:|SKIP $2:)" "$1") || { echo missing; return; }
	line=${line#PROBE: }
	case $line in
	PASS*) echo PASS ;;
	FAIL*) echo "FAIL:${line#FAIL $2:}" ;;
	SKIP*) echo "SKIP:${line#SKIP $2:}" ;;
	esac
}

# probe_summary LOG: "passed=N failed=M skipped=K" from the done line.
probe_summary() {
	grep -a -m1 '^PROBE: done ' "$1" | sed 's/^PROBE: done //'
}

# crc32 FILE: CRC-32 (IEEE, as gzip) in 8 lowercase hex digits.
crc32() {
	gzip -c <"$1" | tail -c 8 | od -An -tx4 -N4 | tr -d ' \n'
}

# wait_for_line LOG PATTERN SECONDS: poll LOG until grep -E finds PATTERN.
wait_for_line() {
	i=0
	while [ "$i" -lt $(($3 * 10)) ]; do
		grep -a -q -E "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# lkvm_typed LOG PATTERN LINE ARGS...: run `lkvm-gpu run ARGS` with stdin from
# a pipe; once LOG shows a line matching PATTERN (within 15 s), write LINE and
# a newline to it. Returns lkvm-gpu's exit status, or 125 if PATTERN never
# showed up (the run is still waited for).
lkvm_typed() {
	log=$1 pattern=$2 text=$3
	shift 3
	fifo="$log.fifo"
	rm -f "$fifo"
	mkfifo "$fifo"
	timeout -k 5 "$RUN_TIMEOUT" "$LKVM" run "$@" <"$fifo" >"$log" 2>&1 &
	pid=$!
	exec 3>"$fifo" # opening the write end lets lkvm-gpu's stdin open finish
	seen=0
	if wait_for_line "$log" "$pattern" 15; then
		printf '%s\n' "$text" >&3
		seen=1
	fi
	wait "$pid"
	status=$?
	exec 3>&-
	rm -f "$fifo"
	[ "$seen" = 1 ] || return 125
	return "$status"
}

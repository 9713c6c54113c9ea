# The command line: bad input exits 2 with one clear line on stderr (and
# nothing on stdout), --help and version exit 0. Most of these need no KVM.
. "$(dirname "$0")/lib.sh"

# usage_case NAME WANT_STATUS PATTERN ARGS...: for status 2, stderr must be
# exactly one line and match PATTERN (case-insensitive): the error names what
# is wrong, so a machine without /dev/kvm cannot pass it by accident. For
# status 0 the output must match PATTERN.
usage_case() {
	name=$1 want=$2 pattern=$3
	shift 3
	out="$LOG_DIR/$name.out" err="$LOG_DIR/$name.err"
	timeout -k 5 "$RUN_TIMEOUT" "$LKVM" "$@" </dev/null >"$out" 2>"$err"
	status=$?
	why=""
	[ "$status" -eq "$want" ] || why="exit status $status, expected $want; "
	if [ "$want" -eq 2 ]; then
		lines=$(wc -l <"$err")
		[ "$lines" -eq 1 ] || why="${why}$lines lines on stderr, expected 1; "
		[ ! -s "$out" ] || why="${why}output on stdout; "
		grep -q -i -E -- "$pattern" "$err" || why="${why}stderr does not mention '$pattern'; "
	else
		cat "$out" "$err" | grep -q -i -E -- "$pattern" || why="${why}output does not mention '$pattern'; "
	fi
	if [ -z "$why" ]; then
		pass "$name"
	else
		fail "$name" "${why%; }" "$err"
	fi
}

garbage="$LOG_DIR/usage-garbage.bin"
head -c 65536 /dev/urandom >"$garbage"
empty="$LOG_DIR/usage-empty.bin"
: >"$empty"

usage_case usage_missing_kernel 2 'kernel' run -k "$LOG_DIR/no-such-kernel"
# lkvm-gpu reads the kernel's format only after opening /dev/kvm.
if need_kvm usage_garbage_kernel usage_empty_kernel; then
	usage_case usage_garbage_kernel 2 'kernel' run -k "$garbage"
	usage_case usage_empty_kernel 2 'kernel' run -k "$empty"
fi
usage_case usage_missing_initrd 2 'initrd' run -i "$LOG_DIR/no-such-initrd"
usage_case usage_mem_abc 2 'mem' run -m abc
usage_case usage_mem_1 2 'mem' run -m 1
usage_case usage_mem_huge 2 'mem' run -m 99999999999999999999
usage_case usage_cpus_0 2 'cpus' run -c 0
usage_case usage_cpus_abc 2 'cpus' run -c abc
usage_case usage_cpus_missing_value 2 'cpus|-c' run -c
usage_case usage_unknown_option 2 'no-such-option' run --no-such-option
usage_case usage_unknown_command 2 'no-such-command' no-such-command
usage_case usage_run_help 0 '--kernel' run --help
usage_case usage_help 0 'usage' --help
usage_case usage_version 0 '^lkvm-gpu [0-9]+\.[0-9]+' version


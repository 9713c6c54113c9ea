# How a VM ends: guest reboot -> 0, triple fault or an unexpected exception
# -> 1 with a clear message,
# the test-exit port passes the guest's status through (only with
# --test-exit), and a failing probe test makes the default exit status 1.
. "$(dirname "$0")/lib.sh"

need_kvm exit_reboot exit_triple_fault exit_guest_fault exit_status_42 exit_status_0 exit_status_wraps \
	exit_port_off_by_default exit_failed_test || exit 0

# check NAME WANT_STATUS LOG [GREP_PATTERN]
check() {
	why=""
	[ "$status" -eq "$2" ] || why="exit status $status, expected $2; "
	grep -a -q '^PROBE: done ' "$3" || why="${why}the probe did not finish; "
	if [ -n "${4:-}" ]; then
		grep -a -q -E "$4" "$3" || why="${why}no line matching '$4'; "
	fi
	if [ -z "$why" ]; then
		pass "$1"
	else
		fail "$1" "${why%; }" "$3"
	fi
}

log="$LOG_DIR/exit_reboot.log"
lkvm "$log" -p "probe.tests= probe.end=reboot" --test-exit
status=$?
check exit_reboot 0 "$log"

log="$LOG_DIR/exit_triple_fault.log"
lkvm "$log" -p "probe.tests= probe.end=triple"
status=$?
check exit_triple_fault 1 "$log" 'triple fault'

# A #GP at CPL3 lands in the probe's unexpected-vector stub (port 0xfe): the
# VMM names the vector, decodes the frame (error code, RIP) and exits 1.
log="$LOG_DIR/exit_guest_fault.log"
lkvm "$log" -p "probe.tests= probe.end=fault"
status=$?
check exit_guest_fault 1 "$log" 'unexpected exception vector 13 .*error code 0 rip 0x10'

log="$LOG_DIR/exit_status_42.log"
lkvm "$log" -p "probe.tests= probe.end=exit probe.exit=42" --test-exit
status=$?
check exit_status_42 42 "$log"

log="$LOG_DIR/exit_status_0.log"
lkvm "$log" -p "probe.tests=serial probe.end=exit probe.exit=0" --test-exit
status=$?
check exit_status_0 0 "$log"

# The VMM keeps the low 8 bits of the 32-bit value written.
log="$LOG_DIR/exit_status_wraps.log"
lkvm "$log" -p "probe.tests= probe.exit=0x1ff07" --test-exit
status=$?
check exit_status_wraps 7 "$log"

# Without --test-exit the port does nothing: the probe falls back to reboot.
log="$LOG_DIR/exit_port_off_by_default.log"
lkvm "$log" -p "probe.tests= probe.end=exit probe.exit=42"
status=$?
check exit_port_off_by_default 0 "$log"

# A test that fails (an unknown name) gives status 1 through the port.
log="$LOG_DIR/exit_failed_test.log"
lkvm "$log" -p "probe.tests=serial,no_such_test" --test-exit
status=$?
check exit_failed_test 1 "$log" '^PROBE: FAIL no_such_test: no such test'

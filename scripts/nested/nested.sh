# Helpers for run.sh scripts inside the L1 guest (sourced by /init).
#
# In L1:
#   /bin/lkvm-gpu            the VMM under test (with its shared libraries)
#   /l2/bzImage, /l2/vmlinux, /l2/initramfs.cpio(.gz)   the L2 test guest
#   /in/                     extra files the host passed with --file
#   /out/                    everything put here comes back to the host
#   L2_APPEND                the L2 kernel command line base (quiet, fast)
#
# l2run NAME [-t SECONDS] [-f LINE] [-m TEXT] -- CMD [ARG...]
#   runs CMD (an lkvm-gpu command line) through l1run and frames its output:
#     L1: BEGIN NAME
#     ... CMD's output (the L2 console) ...
#     L1: END NAME rc=N ms=M
#   -t/-f/-m are l1run's: timeout, a line fed to stdin, a marker to time.
#   Returns CMD's exit status.

L2_APPEND="console=ttyS0 quiet tsc=reliable no_timer_check mitigations=off nokaslr"

uptime_ms() {
	awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}

l2run() {
	_name=$1
	shift
	echo "L1: BEGIN $_name"
	_t0=$(uptime_ms)
	l1run "$@"
	_rc=$?
	_t1=$(uptime_ms)
	echo ""
	echo "L1: END $_name rc=$_rc ms=$((_t1 - _t0))"
	return $_rc
}

have_lkvm() {
	if command -v lkvm-gpu >/dev/null 2>&1; then
		return 0
	fi
	echo "L1: SKIP no lkvm-gpu in the L1 image"
	return 1
}

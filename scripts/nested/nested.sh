# Helpers for run.sh scripts inside the L1 guest (sourced by /init).
#
# In L1:
#   $LKVM (lkvm-gpu)         the VMM under test (with its shared libraries)
#   $L2_BZIMAGE, $L2_VMLINUX, $L2_INITRD (.cpio), $L2_INITRD_GZ (.cpio.gz)
#                            the L2 test guest (in /l2/)
#   /in/                     extra files the host passed with --file
#   $OUT (/out/)             everything put here comes back to the host
#   $WORK (/tmp/)            scratch space (disk images)
#   L2_APPEND                the L2 kernel command line base (quiet, fast)
#   $L2_GLIMG                the L2 GL root filesystem (after gl_setup)
#
# l2run NAME [-t SECONDS] [-f LINE] [-m TEXT] -- CMD [ARG...]
#   runs CMD (an lkvm-gpu command line) through l1run and frames its output:
#     L1: BEGIN NAME
#     ... CMD's output (the L2 console) ...
#     L1: END NAME rc=N ms=M
#   -t/-f/-m are l1run's: timeout, a line fed to stdin, a marker to time.
#   Returns CMD's exit status.
#
# gl_setup
#   for 3D runs (tests/nested/run.sh's gl group): mounts what the host
#   exports over virtio-9p (scripts/nested-run --share), read-only: the
#   host's /usr at /usr (Mesa's llvmpipe with libLLVM, libEGL_mesa and the
#   glvnd vendor files that lkvm-gpu's virgl backend dlopens: not in ldd's
#   list, and some 200 MB that an initramfs would have to copy) and the
#   folder holding $L2_GLIMG at /l2gl. Returns 1 after an "L1: FAIL" line
#   when that does not work; cases run their l2run anyway, so lkvm-gpu's own
#   error (virgl cannot start, no disk image) lands in the case's section.
#   Directly on a KVM host it only checks the image.

# The defaults are L1's paths; tests/nested/run.sh sets host paths instead
# when it runs the same scripts directly on a hardware-KVM host.
: "${L2_BZIMAGE:=/l2/bzImage}"
: "${L2_VMLINUX:=/l2/vmlinux}"
: "${L2_INITRD:=/l2/initramfs.cpio}"
: "${L2_INITRD_GZ:=/l2/initramfs.cpio.gz}"
: "${OUT:=/out}"
: "${WORK:=/tmp}"
: "${LKVM:=lkvm-gpu}"
: "${L2_GLIMG:=/l2gl/l2-gl.img}"
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
	if command -v "$LKVM" >/dev/null 2>&1; then
		return 0
	fi
	echo "L1: SKIP no lkvm-gpu in the L1 image"
	return 1
}

gl_setup() {
	[ -f "$L2_GLIMG" ] && return 0
	while read -r ko; do
		[ -n "$ko" ] || continue
		_m=$(basename "$ko" .ko | tr - _)
		[ -d "/sys/module/$_m" ] || insmod "/lib/modules/$ko" ||
			echo "L1: WARN insmod $ko failed"
	done </etc/modules-9p.order
	mkdir -p /usr /l2gl
	# A large msize: libLLVM alone is 117 MB, read in msize pieces.
	_o=trans=virtio,version=9p2000.L,ro,cache=loose,msize=262144
	if ! mount -t 9p -o "$_o" hostusr /usr || ! mount -t 9p -o "$_o" l2gl /l2gl; then
		echo "L1: FAIL gl_setup: cannot mount the host's 9p exports (hostusr, l2gl)"
		return 1
	fi
	if [ ! -f "$L2_GLIMG" ]; then
		echo "L1: FAIL gl_setup: no $L2_GLIMG"
		return 1
	fi
	echo "L1: gl_setup done up=$(cut -d' ' -f1 /proc/uptime)"
}

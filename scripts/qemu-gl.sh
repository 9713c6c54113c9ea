#!/bin/sh
# QEMU's virtio-gpu-gl (the 3D yardstick) on a machine without a GPU or a
# render node: QEMU 7.2's virgl needs a GL display, and egl-headless needs a
# render node, so this starts a private Xvfb and runs QEMU with
# `-display sdl,gl=on` on it, Mesa's llvmpipe doing the GL. Xvfb is stopped
# when QEMU ends (or this script is interrupted).
#
#   scripts/qemu-gl.sh [-k ELF] [-p "probe args"] [-m MiB] [-t SECONDS] [-- more QEMU args]
#
# Boots the probe (default build/guest/probe.elf) with `-M microvm,pcie=on`
# (PVH entry; only microvm boots on a PVM host) and `-device
# virtio-gpu-gl-pci`; the probe's serial output goes to stdout. Exit status:
# QEMU's (isa-debug-exit: (status << 1) | 1, so 1 = every probe test passed),
# 124 on timeout, 3 if Xvfb or QEMU's SDL/GL support is missing.
#
# Environment: QEMU (default qemu-system-x86_64), ACCEL (kvm or tcg; default
# kvm when /dev/kvm is usable and not PVM), QEMU_GL_VERBOSE=1 keeps QEMU's and Xvfb's
# stderr, QEMU_GL_PRINT=1 prints the command lines before running them,
# QEMU_GL_BIOS replaces the firmware (default SeaBIOS's bios.bin, see below).
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
QEMU=${QEMU:-qemu-system-x86_64}
ELF=$ROOT/build/guest/probe.elf
ARGS=""
MEM=512
TIMEOUT=120
while [ $# -gt 0 ]; do
	case $1 in
	-k) ELF=$2; shift 2 ;;
	-p) ARGS=$2; shift 2 ;;
	-m) MEM=$2; shift 2 ;;
	-t) TIMEOUT=$2; shift 2 ;;
	--) shift; break ;;
	-h | --help) sed -n '/^set -u/q;2,$s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "qemu-gl.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

command -v Xvfb >/dev/null 2>&1 || { echo "qemu-gl.sh: Xvfb not installed (package xvfb)" >&2; exit 3; }
command -v "$QEMU" >/dev/null 2>&1 || { echo "qemu-gl.sh: $QEMU not installed" >&2; exit 3; }
if ! "$QEMU" -display help 2>/dev/null | grep -qx sdl; then
	echo "qemu-gl.sh: $QEMU has no SDL display (package qemu-system-gui)" >&2
	exit 3
fi
if [ -z "${ACCEL:-}" ]; then
	ACCEL=tcg
	[ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] && ACCEL=kvm
	# PVM's KVM (module kvm_pvm) runs guest CPL0 code in an emulator that
	# SeaBIOS (real mode) does not get through: QEMU quits before the probe
	# prints. lkvm-gpu and the PVH microvm need no BIOS and use it fine.
	[ -d /sys/module/kvm_pvm ] && ACCEL=tcg
fi

# Xvfb picks a free display number itself and writes it to a pipe
# (-displayfd): choosing one by looking for lock files races with other
# users' X servers on a shared machine (QEMU then ends up on a display
# that someone else shuts down).
errlog=/dev/null
[ "${QEMU_GL_VERBOSE:-0}" = 1 ] && errlog=/dev/stderr
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qemu-gl.XXXXXX") || exit 3
mkfifo "$tmp/displayfd"
Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp -noreset 3>"$tmp/displayfd" 2>"$errlog" &
xpid=$!
qpid=""
cleanup() {
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null
	kill "$xpid" 2>/dev/null
	wait "$xpid" 2>/dev/null
	rm -rf "$tmp"
}
trap 'cleanup; exit 130' INT TERM HUP
trap cleanup EXIT
disp=""
# The read ends when Xvfb writes the number or exits (closing the pipe).
read -r disp <"$tmp/displayfd"
case $disp in
"" | *[!0-9]*)
	echo "qemu-gl.sh: Xvfb did not start" >&2
	exit 3
	;;
esac

# The probe finds PCI through ECAM at microvm's 0xe0000000 (no ACPI MCFG).
# Firmware: microvm's default (bios-microvm.bin, a SeaBIOS build) halts
# before the PVH hand-off whenever QEMU has a graphical display (with
# `-display none` it boots; with sdl it sits in `hlt` with interrupts off,
# checked under TCG on QEMU 7.2); SeaBIOS's full bios.bin boots the probe
# on microvm with SDL, so it is used here. q35/pc are not needed.
BIOS=${QEMU_GL_BIOS:-/usr/share/seabios/bios.bin}
serial="$tmp/serial"
set -- -accel "$ACCEL" -M microvm,pcie=on -bios "$BIOS" -smp 2 -m "$MEM" -nodefaults -no-user-config \
	-display sdl,gl=on -no-reboot -monitor none \
	-chardev "stdio,id=s0,signal=off,logfile=$serial" -serial chardev:s0 \
	-device isa-debug-exit,iobase=0xf4,iosize=4 \
	-device virtio-gpu-gl-pci,xres=1280,yres=800 \
	-kernel "$ELF" -append "probe.ecam=0xe0000000 $ARGS" "$@"
[ "${QEMU_GL_PRINT:-0}" = 1 ] &&
	echo "+ Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp -noreset &  # :$disp" >&2 &&
	echo "+ DISPLAY=:$disp LIBGL_ALWAYS_SOFTWARE=1 GALLIUM_DRIVER=llvmpipe SDL_AUDIODRIVER=dummy $QEMU $*" >&2
# Now and then (about 1 run in 10 here, never with -display none, never
# while QEMU logged with -d) QEMU with SDL quits with status 0 before the
# guest printed anything. Status 0 is never the probe's (isa-debug-exit
# gives odd numbers), so such a run is repeated, at most twice, and said so.
try=0
while :; do
	: >"$serial"
	DISPLAY=:$disp LIBGL_ALWAYS_SOFTWARE=1 GALLIUM_DRIVER=llvmpipe SDL_AUDIODRIVER=dummy \
		timeout -k 5 "$TIMEOUT" "$QEMU" "$@" </dev/null 2>"$errlog" &
	qpid=$!
	wait "$qpid"
	status=$?
	qpid=""
	if [ "$status" -eq 0 ] && [ ! -s "$serial" ] && [ "$try" -lt 2 ]; then
		try=$((try + 1))
		echo "qemu-gl.sh: QEMU quit (status 0) before the guest printed anything; retry $try" >&2
		continue
	fi
	exit $status
done

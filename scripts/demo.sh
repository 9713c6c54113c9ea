#!/bin/sh
# make demo: what lkvm-gpu does, in two parts.
#  1. The probe guest under lkvm-gpu, headless, with every device that
#     exists; its screen (build/demo/screen.png) is a triangle drawn by the
#     3D backend (virglrenderer), or the 2D test picture where 3D cannot
#     start. Needs /dev/kvm.
#  2. The mission itself: a real Linux guest's screen (build/demo/linux.png),
#     booted directly on hardware KVM, or through the nested runner (QEMU TCG
#     with SVM, lkvm-gpu inside) on PVM hosts and hosts without /dev/kvm.
# Exit status: 0 when every part that could run passed.
set -u
cd "$(dirname "$0")/.."
LKVM=build/lkvm-gpu
OUT=build/demo
mkdir -p "$OUT"
status=0

kvm_usable() {
	[ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]
}

# Probe tests: the default set (tests/table.c), then the 3D one, whose
# triangle stays on the scanout for the exit screenshot.
PROBE_2D="cmdline,e820,initrd,serial,irq,smp,pci,virtio_rng,virtio_intx,virtio_blk,gpu"

probe_demo() {
	if ! kvm_usable; then
		echo "== part 1 skipped: /dev/kvm is not available on this machine, and lkvm-gpu"
		echo "   runs guests under KVM (part 2 still boots Linux, through QEMU's emulated SVM)"
		return 0
	fi
	# A small disk with a known first block for the probe's virtio-blk test.
	dd if=/dev/urandom of="$OUT/disk.img" bs=1M count=4 status=none
	backend="--gpu-backend virgl"
	tests="$PROBE_2D,gpu3d"
	if ! $LKVM run --help | grep -q -- '--gpu-backend'; then
		backend=""
		tests="$PROBE_2D"
	fi
	# The probe ends with probe.end=exit (its default) through --test-exit.
	CMD="$LKVM run -c 2 -m 256 -d $OUT/disk.img --gpu headless $backend --screenshot $OUT/screen.png --test-exit -p probe.tests=$tests"
	echo "== part 1: lkvm-gpu $($LKVM version | cut -d' ' -f2) boots the probe guest"
	echo "   $CMD"
	start=$(date +%s%N)
	# shellcheck disable=SC2086
	$CMD </dev/null 2>"$OUT/probe.err"
	rc=$?
	end=$(date +%s%N)
	if [ $rc -ne 0 ] && [ -n "$backend" ] && grep -q "3D renderer" "$OUT/probe.err"; then
		echo "   (the 3D backend cannot start here: $(grep '3D renderer' "$OUT/probe.err" | head -n1); 2D instead)"
		CMD=$(echo "$CMD" | sed "s/ $backend//; s/,gpu3d\$//")
		$CMD </dev/null
		rc=$?
	else
		cat "$OUT/probe.err" >&2
	fi
	echo "== the probe guest exited with status $rc after $(((end - start) / 1000000)) ms"
	if [ -f "$OUT/screen.png" ]; then
		echo "== its screen (virtio-gpu, headless display): $OUT/screen.png"
	fi
	[ $rc -eq 0 ] || status=1
}

# The nested suite's screen case boots the Debian kernel and busybox
# initramfs (make linux-guest) with Linux's own virtio_gpu driver and fbcon,
# and keeps lkvm-gpu's exit screenshot.
linux_demo() {
	echo "== part 2: real Linux (Debian's kernel, its virtio_gpu driver, fbcon) under lkvm-gpu"
	if kvm_usable && [ ! -d /sys/module/kvm_pvm ]; then
		echo "   hardware KVM: booted directly"
	else
		echo "   no hardware KVM here: through the nested runner (QEMU TCG with SVM, lkvm-gpu in L1;"
		echo "   about a minute, most of it QEMU emulating the L1 kernel)"
	fi
	if ! make -s nested-base >"$OUT/linux-build.log" 2>&1; then
		echo "   building the Linux guest failed; see $OUT/linux-build.log" >&2
		status=1
		return
	fi
	if ! NESTED_JOBS=1 tests/nested/run.sh virtio-gpu-fbcon >"$OUT/linux.log" 2>&1; then
		tail -n 5 "$OUT/linux.log" >&2
		status=1
		return
	fi
	grep -E "^(PASS|FAIL)" "$OUT/linux.log" | sed 's/^/   /'
	shot=$(find build/nested -name fbcon.png -newer "$OUT/linux-build.log" | head -n1)
	if [ -n "$shot" ]; then
		cp "$shot" "$OUT/linux.png"
		echo "== the Linux guest's screen: $OUT/linux.png"
	else
		echo "   no screenshot came back" >&2
		status=1
	fi
}

probe_demo
linux_demo
exit $status

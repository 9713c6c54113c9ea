#!/bin/sh
# make demo: what lkvm-gpu does, in two parts.
#  1. The probe guest under lkvm-gpu, headless, with every device that
#     exists; its screen (build/demo/screen.png) is a triangle drawn by the
#     3D backend (virglrenderer), or the 2D test picture where 3D cannot
#     start. On this host's KVM, or without /dev/kvm inside the nested
#     runner's L1.
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

# Boot the probe with lkvm-gpu options $1 (without -k), directly, or on a
# host without /dev/kvm inside the nested runner's L1. Sets rc.
run_probe() {
	if kvm_usable; then
		# shellcheck disable=SC2086
		$LKVM run $1 --screenshot "$OUT/screen.png" </dev/null >"$OUT/probe.out" 2>"$OUT/probe.err"
		rc=$?
		return
	fi
	cat >"$OUT/probe-l1.sh" <<L1
l2run probe -t 600 -- \$LKVM run -k /in/probe.elf $1 --screenshot /out/screen.png
L1
	rm -f "$OUT/screen.png" "$OUT/probe.out"
	scripts/nested-run --quiet --timeout 900 --file build/guest/probe.elf --out "$OUT/l1" \
		--log "$OUT/probe-l1.log" "$OUT/probe-l1.sh"
	rc=$(sed -n 's/^L1: END probe rc=\([0-9]*\).*/\1/p' "$OUT/probe-l1.log")
	[ -n "$rc" ] || rc=1
	# l1run passes the VMM's stderr on to the console: the log has it.
	tr -d '\r' <"$OUT/probe-l1.log" | grep -a '^lkvm-gpu' >"$OUT/probe.err" || true
	cp "$OUT/l1/screen.png" "$OUT/screen.png" 2>/dev/null || true
}

probe_demo() {
	# A small disk with a known first block for the probe's virtio-blk test
	# (given to the nested run as well when there is no KVM here).
	dd if=/dev/urandom of="$OUT/disk.img" bs=1M count=4 status=none
	disk="-d $OUT/disk.img"
	kvm_usable || disk=""
	backend="--gpu-backend virgl"
	tests="$PROBE_2D,gpu3d"
	echo "== part 1: lkvm-gpu $($LKVM version | cut -d' ' -f2) boots the probe guest"
	if kvm_usable; then
		echo "   on this host's KVM"
	else
		echo "   no /dev/kvm here: inside the nested runner's L1 (QEMU TCG with SVM)"
		tests=$(echo "$tests" | sed 's/,virtio_blk//')
		if ! make -s nested-base >"$OUT/l1-build.log" 2>&1; then
			echo "   building the nested runner's L1 failed; see $OUT/l1-build.log" >&2
			status=1
			return
		fi
	fi
	args="-c 2 -m 256 $disk --gpu headless $backend --test-exit -p probe.tests=$tests"
	echo "   lkvm-gpu run $args --screenshot $OUT/screen.png"
	start=$(date +%s%N)
	run_probe "$args"
	if [ "$rc" -ne 0 ] && grep -q "3D renderer" "$OUT/probe.err"; then
		echo "   (3D cannot start there: $(grep '3D renderer' "$OUT/probe.err" | head -n1 | sed 's/^lkvm-gpu: error: //'); 2D instead)"
		args=$(echo "$args" | sed "s/ $backend//; s/,gpu3d\$//")
		run_probe "$args"
	fi
	end=$(date +%s%N)
	# What the probe did (its PASS/FAIL/SKIP lines), and the VMM's errors
	# (not the guest errors its own hostile checks provoke on purpose).
	grep -a -h -E "^PROBE: (PASS|FAIL|SKIP)" "$OUT/probe.out" "$OUT/probe-l1.log" 2>/dev/null |
		tr -d '\r' | sed 's/^PROBE: /   /'
	grep -v "^lkvm-gpu: virgl\|^gl_version\|^GLSL\|guest error" "$OUT/probe.err" >&2 || true
	echo "== the probe guest exited with status $rc after $(((end - start) / 1000000)) ms"
	if [ -f "$OUT/screen.png" ]; then
		echo "== its screen (virtio-gpu, headless display): $OUT/screen.png"
	fi
	[ "$rc" -eq 0 ] || status=1
}

# The nested suite's screen case boots the Debian kernel and busybox
# initramfs (make linux-guest) with Linux's own virtio_gpu driver and fbcon,
# and keeps lkvm-gpu's exit screenshot.
linux_demo() {
	echo "== part 2: real Linux (Debian's kernel, its virtio_gpu driver, fbcon) under lkvm-gpu"
	if kvm_usable && [ ! -d /sys/module/kvm_pvm ]; then
		echo "   hardware KVM: booted directly"
	else
		echo "   no hardware KVM here: through the nested runner (QEMU TCG with SVM, lkvm-gpu in L1)"
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

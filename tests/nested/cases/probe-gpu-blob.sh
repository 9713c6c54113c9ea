# The probe guest's guest-blob test (guest/probe/tests/gpu_blob.c) under
# lkvm-gpu's 2D device with two outputs: a contiguous blob on scanout 0
# (read in place), a scattered one on scanout 1 (through a shadow), both
# with padded strides and offsets, a partial update, and hostile blob
# sizes, strides and offsets each with its spec error. Each exit
# screenshot must be the picture the probe says it drew.
GROUP=smp1
NEEDS=--gpu-outputs
l1() {
	cat <<'L1'
l2run probe-gpu-blob -t 200 -- $LKVM run -k /l2/probe.elf -m 256 -c 1 --gpu headless --gpu-outputs 2 --resolution 640x480 --test-exit --screenshot "$OUT/probe-gpu-blob.png" -p "probe.tests=gpu_blob"
L1
}
check() {
	local want got s
	expect "PROBE: PASS gpu_blob"
	expect "shows guest blob"
	expect_rc 0
	for s in 0 1; do
		local png=probe-gpu-blob.png
		[ "$s" = 0 ] || png=probe-gpu-blob-1.png
		expect_file "$png"
		want=$(sed -n "s/^PROBE: info gpu_blob_screen$s=//p" <<<"$SECTION" | tr -d '\r' | head -n1)
		[ -n "$want" ] || fail "the probe reported no gpu_blob_screen$s"
		got=$(python3 tests/integration/png_rgb_crc.py "$RESULTS/$png" 2>&1)
		[ "$want" = "$got" ] || fail "scanout $s: screenshot is $got, the probe drew $want"
	done
}

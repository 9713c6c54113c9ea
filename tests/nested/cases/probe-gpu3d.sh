# The probe guest's 3D tests under lkvm-gpu's virgl backend (virglrenderer on
# llvmpipe in L1): capsets, clears in three formats, transfers with offsets
# and strides, fenced submits in order, a triangle from TGSI shaders, every
# pixel checked by the probe itself; then 34 hostile 3D commands, each with
# its spec error, and a fresh context still rendering. The exit screenshot
# must be the picture the probe says it drew (CRC of its RGB rows).
GROUP=gl
NEEDS=--gpu-backend
l1() {
	cat <<'L1'
gl_setup
l2run probe-gpu3d -t 400 -- $LKVM run -k /l2/probe.elf -m 256 -c 1 --gpu headless --gpu-backend virgl --test-exit --screenshot "$OUT/probe-gpu3d.png" -p "probe.tests=gpu3d,gpu3d_hostile"
L1
}
check() {
	local want got
	expect "virtio-gpu: 3D through virglrenderer"
	expect "PROBE: PASS gpu3d"
	expect "PROBE: PASS gpu3d_hostile"
	expect_rc 0
	expect_file probe-gpu3d.png
	want=$(sed -n 's/^PROBE: info gpu3d_screen=//p' <<<"$SECTION" | tr -d '\r' | head -n1)
	[ -n "$want" ] || fail "the probe reported no gpu3d_screen"
	got=$(python3 tests/integration/png_rgb_crc.py "$RESULTS/probe-gpu3d.png" 2>&1)
	[ "$want" = "$got" ] || fail "screenshot is $got, the probe drew $want"
}

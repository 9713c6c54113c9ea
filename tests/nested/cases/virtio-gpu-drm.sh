# virtio-gpu, pixel-exact: /bin/drm-pattern (guest/linux/src/drm-pattern.c)
# draws a pattern into a DRM dumb buffer and shows it with SETCRTC at
# 640x480; the screenshot lkvm-gpu writes at exit must match every pixel.
GROUP=smp1
NEEDS=--resolution
l1() {
	cat <<'L1'
l2run virtio-gpu-drm -t 150 -- $LKVM run -k "$L2_VMLINUX" -i "$L2_INITRD" -m 256 -c 1 --gpu headless --resolution 640x480 --screenshot "$OUT/drm.png" -p "$L2_APPEND l2test=drm"
L1
}
check() {
	expect "L2: PASS drm mode=640x480"
	expect_rc 0
	expect_file drm.png
	python3 "$NESTED_DIR/png_pattern.py" "$RESULTS/drm.png" 640x480 >"$CASE_TMP/png" 2>&1 ||
		fail "screenshot: $(tail -n1 "$CASE_TMP/png")"
}

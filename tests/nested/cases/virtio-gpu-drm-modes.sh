# virtio-gpu modes: a 1280x800 output's EDID offers the common modes that
# fit (gpu/edid.c); real Linux lists them on its connector (sysfs), the
# preferred first, and /bin/drm-pattern switches to 800x600. The screenshot
# lkvm-gpu writes at exit has the new size and every pixel of the pattern.
GROUP=smp1
NEEDS=--resolution
l1() {
	cat <<'L1'
l2run virtio-gpu-drm-modes -t 150 -- $LKVM run -k "$L2_VMLINUX" -i "$L2_INITRD" -m 256 -c 1 --gpu headless --resolution 1280x800 --screenshot "$OUT/modes.png" -p "$L2_APPEND l2test=drmmodes l2modes=1280x800,1280x720,1024x768,800x600,640x480 l2switch=800x600"
L1
}
check() {
	expect "L2: PASS drmmodes listed="
	expect "switched mode=800x600"
	expect_rc 0
	expect_file modes.png
	python3 "$NESTED_DIR/png_pattern.py" "$RESULTS/modes.png" 800x600 >"$CASE_TMP/png" 2>&1 ||
		fail "screenshot: $(tail -n1 "$CASE_TMP/png")"
}

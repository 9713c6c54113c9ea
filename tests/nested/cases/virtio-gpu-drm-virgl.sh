# virtio-gpu-drm under the 3D backend: with --gpu-backend virgl every 2D
# command goes through virglrenderer (the dumb buffer is a virgl resource,
# shown by readback), and the screenshot must still match drm-pattern's
# formula in every pixel. In the gl group: lkvm-gpu needs L1's Mesa.
GROUP=gl
NEEDS=--gpu-backend
l1() {
	cat <<'L1'
gl_setup
l2run virtio-gpu-drm-virgl -t 150 -- $LKVM run -k "$L2_VMLINUX" -i "$L2_INITRD" -m 256 -c 1 --gpu headless --gpu-backend virgl --resolution 640x480 --screenshot "$OUT/drm-virgl.png" -p "$L2_APPEND l2test=drm"
L1
}
check() {
	expect "virtio-gpu: 3D through virglrenderer"
	expect "L2: PASS drm mode=640x480"
	expect_rc 0
	expect_file drm-virgl.png
	python3 "$NESTED_DIR/png_pattern.py" "$RESULTS/drm-virgl.png" 640x480 >"$CASE_TMP/png" 2>&1 ||
		fail "screenshot: $(tail -n1 "$CASE_TMP/png")"
}

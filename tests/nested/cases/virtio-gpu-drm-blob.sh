# virtio-gpu guest blobs: the 2D device offers RESOURCE_BLOB, so Linux puts
# its dumb buffers in guest blobs and shows them with SET_SCANOUT_BLOB
# (lkvm-gpu says once which path the scanout took); /bin/drm-pattern's
# pattern must still match every pixel of the exit screenshot, at a
# resolution whose rows are not a multiple of a page (1000 x 4 bytes).
GROUP=smp1
NEEDS=--resolution
l1() {
	cat <<'L1'
l2run virtio-gpu-drm-blob -t 150 -- $LKVM run -k "$L2_VMLINUX" -i "$L2_INITRD" -m 256 -c 1 --gpu headless --resolution 1000x600 --screenshot "$OUT/drm-blob.png" -p "$L2_APPEND l2test=drm"
L1
}
check() {
	expect "L2: PASS drm mode=1000x600"
	expect "shows guest blob"
	expect_rc 0
	expect_file drm-blob.png
	python3 "$NESTED_DIR/png_pattern.py" "$RESULTS/drm-blob.png" 1000x600 >"$CASE_TMP/png" 2>&1 ||
		fail "screenshot: $(tail -n1 "$CASE_TMP/png")"
}

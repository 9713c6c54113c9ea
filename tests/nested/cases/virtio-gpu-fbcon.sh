# virtio-gpu: the guest's virtio_gpu driver binds, fbcon takes tty1, and the
# screenshot lkvm-gpu writes at exit shows the text L2 wrote in its first
# rows (and nothing below them: the rest of the screen stays background).
GROUP=smp1
NEEDS=--screenshot
l1() {
	cat <<'L1'
l2run virtio-gpu-fbcon -t 120 -- $LKVM run -k "$L2_VMLINUX" -i "$L2_INITRD" -m 256 -c 1 --gpu headless --screenshot "$OUT/fbcon.png" -p "$L2_APPEND logo.nologo l2test=gpu"
L1
}
check() {
	expect "L2: PASS gpu driver=virtio_gpu"
	expect_rc 0
	expect_file fbcon.png
	python3 "$NESTED_DIR/png_text_rows.py" "$RESULTS/fbcon.png" >"$CASE_TMP/png" 2>&1 ||
		fail "screenshot: $(tail -n1 "$CASE_TMP/png")"
}

# Running in CI: --timeout stops a guest that never shows its --expect with
# status 4, keeps a screenshot of the display beside the --result file (the
# guest's fbcon text) and the vCPU's registers (rip in the kernel), and says
# so in the JSON.
GROUP=smp1
NEEDS=--timeout
l1() {
	cat <<'L1'
l2run ci-timeout -t 150 -- $LKVM run -k "$L2_VMLINUX" -i "$L2_INITRD" -m 256 -c 1 --gpu headless -p "$L2_APPEND logo.nologo l2test=gpu l2end=hang" --expect "never printed" --timeout 45 --result "$OUT/ci-timeout.json"
L1
}
check() {
	expect "L2: PASS gpu driver=virtio_gpu"
	expect_rc 4
	expect_file ci-timeout.json
	expect_file ci-timeout-timeout.png
	# The JSON names the screenshot by its L1 path: check the copy here.
	sed "s|\"/out/|\"$RESULTS/|g" "$RESULTS/ci-timeout.json" >"$CASE_TMP/result.json"
	python3 tests/integration/ci_result_check.py "$CASE_TMP/result.json" --status 4 --reason timeout --screenshots 1 >"$CASE_TMP/check" 2>&1 ||
		fail "result: $(tail -n1 "$CASE_TMP/check")"
	python3 -c 'import json, sys
regs = json.load(open(sys.argv[1]))["registers"]
assert len(regs) == 1 and regs[0]["cpu"] == 0, regs
assert int(regs[0]["rip"], 16) >= 0xffffffff80000000, regs  # in the L2 kernel
assert int(regs[0]["cr3"], 16) != 0, regs' "$CASE_TMP/result.json" >"$CASE_TMP/regs" 2>&1 ||
		fail "registers: $(tail -n1 "$CASE_TMP/regs")"
	python3 "$NESTED_DIR/png_text_rows.py" "$RESULTS/ci-timeout-timeout.png" >"$CASE_TMP/png" 2>&1 ||
		fail "screenshot: $(tail -n1 "$CASE_TMP/png")"
}

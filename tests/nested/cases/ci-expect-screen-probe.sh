# Running in CI: --expect-screen on the probe guest's GPU picture, which has
# a hardware cursor: a reference made with --screenshot (its pixels checked
# against the CRC the probe reports) is matched exactly, because the frames
# compared carry the cursor as the screenshot does; and a 64x48 crop of it
# within a tolerance. The probe halts after drawing: only the runner ends it.
GROUP=smp1
NEEDS=--expect-screen
l1() {
	cat <<'L1'
l2run ci-expect-screen-probe-ref -t 60 -- $LKVM run -k /l2/probe.elf -m 64 --gpu headless --screenshot "$OUT/cesp-ref.png" -p "probe.tests=gpu" --test-exit
l2run ci-expect-screen-probe -t 60 -- $LKVM run -k /l2/probe.elf -m 64 --gpu headless -p "probe.tests=gpu probe.end=halt" --expect-screen "$OUT/cesp-ref.png" --timeout 20 --result "$OUT/cesp.json"
L1
}
check() {
	expect_rc 0
	expect_file cesp-ref.png
	expect_file cesp.json
	want=$(awk 'index($0, "L1: BEGIN ci-expect-screen-probe-ref") == 1 { on = 1 }
		on && /PROBE: info gpu_screen=/ { sub(/.*gpu_screen=/, ""); sub(/\r$/, ""); print; exit }' "$log")
	got=$(python3 tests/integration/png_rgb_crc.py "$RESULTS/cesp-ref.png")
	[ -n "$want" ] && [ "$got" = "$want" ] || fail "reference is '$got', the probe drew '$want'"
	python3 tests/integration/ci_result_check.py "$RESULTS/cesp.json" --status 0 --reason expect --screens-matched 1 >"$CASE_TMP/check" 2>&1 ||
		fail "result: $(tail -n1 "$CASE_TMP/check")"
}

# Running in CI: --expect-screen with a wrong reference (the probe guest's
# picture at the same size) times out with status 4 although the console's
# --expect was seen, and leaves the last frame (which must be the DRM
# pattern, by png_pattern.py's formula) and a diff image beside the result.
GROUP=smp1
NEEDS=--expect-screen
l1() {
	cat <<'L1'
$LKVM run -k /l2/probe.elf --gpu headless --resolution 640x480 --screenshot "$OUT/cesw-ref.png" -p "probe.tests=gpu" --test-exit </dev/null >/dev/null 2>&1
l2run ci-expect-screen-wrong -t 150 -- $LKVM run -k "$L2_VMLINUX" -i "$L2_INITRD" -m 256 -c 1 --gpu headless --resolution 640x480 -p "$L2_APPEND l2test=drm l2end=hang" --expect "L2: PASS drm" --expect-screen "$OUT/cesw-ref.png,tol=16" --timeout 40 --result "$OUT/cesw.json"
L1
}
check() {
	expect "L2: PASS drm mode=640x480"
	expect "never matched"
	expect_rc 4
	expect_file cesw-ref.png
	expect_file cesw.json
	expect_file cesw-expect-screen-0.png
	expect_file cesw-expect-screen-0-diff.png
	# The JSON names the files by their L1 paths: check the copies here.
	sed "s|\"/out/|\"$RESULTS/|g" "$RESULTS/cesw.json" >"$CASE_TMP/result.json"
	python3 tests/integration/ci_result_check.py "$CASE_TMP/result.json" --status 4 --reason timeout --screens-matched 0 >"$CASE_TMP/check" 2>&1 ||
		fail "result: $(tail -n1 "$CASE_TMP/check")"
	python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
e = r["expect_screen"][0]
assert r["expect"][0]["matched"], r["expect"]
assert e["frame_size"] == [640, 480] and e["mismatched_pixels"] > 0 and e["checks"] > 1, e
assert e["frame"].endswith("cesw-expect-screen-0.png") and e["diff"].endswith("-diff.png"), e' "$CASE_TMP/result.json" >"$CASE_TMP/json" 2>&1 ||
		fail "expect_screen: $(tail -n1 "$CASE_TMP/json")"
	python3 "$NESTED_DIR/png_pattern.py" "$RESULTS/cesw-expect-screen-0.png" 640x480 >"$CASE_TMP/png" 2>&1 ||
		fail "kept frame: $(tail -n1 "$CASE_TMP/png")"
}

# Running in CI: --expect-screen over real Linux. A first run of the DRM
# pattern test keeps its exit screenshot as the reference (a known-good run;
# the check below proves it is the pattern, from png_pattern.py's formula,
# not from lkvm-gpu). The second run never ends by itself (l2end=hang):
# exit 0 means the runner saw the whole screen, then a 64x48 corner of it
# within a tolerance, in that order.
GROUP=smp1
NEEDS=--expect-screen
l1() {
	cat <<'L1'
l2run ci-expect-screen-ref -t 150 -- $LKVM run -k "$L2_VMLINUX" -i "$L2_INITRD" -m 256 -c 1 --gpu headless --resolution 640x480 --screenshot "$OUT/ces-ref.png" -p "$L2_APPEND l2test=drm"
l2run ci-expect-screen -t 150 -- $LKVM run -k "$L2_VMLINUX" -i "$L2_INITRD" -m 256 -c 1 --gpu headless --resolution 640x480 -p "$L2_APPEND l2test=drm l2end=hang" --expect-screen "$OUT/ces-ref.png" --expect-screen "$OUT/ces-ref.png,tol=2,rect=0,0,64,48" --fail-on "Kernel panic" --timeout 120 --result "$OUT/ci-expect-screen.json"
L1
}
check() {
	# No "L2: PASS drm" here: the screen can match, and the run end, before
	# drm-pattern prints its line (seen once); the picture is the proof.
	expect_rc 0
	expect_file ces-ref.png
	expect_file ci-expect-screen.json
	python3 "$NESTED_DIR/png_pattern.py" "$RESULTS/ces-ref.png" 640x480 >"$CASE_TMP/png" 2>&1 ||
		fail "reference: $(tail -n1 "$CASE_TMP/png")"
	python3 tests/integration/ci_result_check.py "$RESULTS/ci-expect-screen.json" --status 0 --reason expect --screens-matched 2 >"$CASE_TMP/check" 2>&1 ||
		fail "result: $(tail -n1 "$CASE_TMP/check")"
}

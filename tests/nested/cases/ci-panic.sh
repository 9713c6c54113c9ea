# Running in CI: a kernel panic ends the run at once with the --fail-on
# status (3), although an --expect is still waiting and the panicked kernel
# would hang forever (no panic= on its command line). The --result JSON
# names the pattern and the line.
GROUP=smp1
NEEDS=--fail-on
l1() {
	cat <<'L1'
l2run ci-panic -t 150 -- $LKVM run -k "$L2_VMLINUX" -i "$L2_INITRD" -m 256 -c 1 -p "$L2_APPEND l2test=panic l2mods=none" --expect "^L2: init reached" --expect "never printed" --fail-on "Kernel panic" --timeout 120 --result "$OUT/ci-panic.json"
L1
}
check() {
	expect "L2: PASS panic triggering"
	expect_rc 3
	expect_file ci-panic.json
	python3 tests/integration/ci_result_check.py "$RESULTS/ci-panic.json" --status 3 --reason fail-on >"$CASE_TMP/check" 2>&1 ||
		fail "result: $(tail -n1 "$CASE_TMP/check")"
	python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
assert "Kernel panic - not syncing" in r["fail_on"][0]["line"], r["fail_on"]
assert r["expect"][0]["matched"] and not r["expect"][1]["matched"], r["expect"]
assert any("sysrq" in l.lower() for l in r["console"]["tail"]), r["console"]["tail"]' "$RESULTS/ci-panic.json" >"$CASE_TMP/json" 2>&1 ||
		fail "result content: $(tail -n1 "$CASE_TMP/json")"
}

# Running in CI: a real Linux boot judged only by the runner's options. The
# guest never ends the VM itself (l2end=hang), so exit 0 means lkvm-gpu saw
# every --expect in order: the init marker on ttyS0, a line the guest wrote
# to hvc0 (virtio-console), then the end of the test on ttyS0. The --result
# JSON and the --serial-log come back in $OUT.
GROUP=smp1
NEEDS=--expect
l1() {
	cat <<'L1'
l2run ci-expect -t 150 -- $LKVM run -k "$L2_VMLINUX" -i "$L2_INITRD" -m 256 -c 1 --console virtio -p "$L2_APPEND l2test=hvc l2end=hang" --expect "^L2: init reached" --expect "L2: hvc0 says hello" --expect "^L2: test done hvc" --fail-on "Kernel panic" --fail-on "Call Trace" --timeout 120 --result "$OUT/ci-expect.json" --serial-log "$OUT/ci-expect.log"
L1
}
check() {
	expect "L2: hvc0 says hello"
	expect_rc 0
	expect_file ci-expect.json
	expect_file ci-expect.log
	python3 tests/integration/ci_result_check.py "$RESULTS/ci-expect.json" --status 0 --reason expect >"$CASE_TMP/check" 2>&1 ||
		fail "result: $(tail -n1 "$CASE_TMP/check")"
	grep -q '^[0-9-]*T[0-9:.]*Z hvc0| L2: hvc0 says hello' "$RESULTS/ci-expect.log" ||
		fail "the serial log has no timestamped hvc0 line"
	grep -q '^[0-9-]*T[0-9:.]*Z ttyS0| L2: init reached' "$RESULTS/ci-expect.log" ||
		fail "the serial log has no timestamped ttyS0 init line"
}

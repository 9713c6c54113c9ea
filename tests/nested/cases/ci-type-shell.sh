# Typing at a real Linux shell, judged by the runner alone: L2 runs a shell
# on its first virtual terminal (prompt and output on ttyS0); --type-after
# waits for the prompt, types a command on the virtio-input keyboard through
# Linux's VT keyboard handler, and --expect sees the command's output (the
# shell computes 6*7, so the line cannot be an echo of what was typed);
# --result records the match.
GROUP=smp1
NEEDS=--type-after
l1() {
	cat <<'L1'
l2run ci-type-shell -t 200 -- $LKVM run -k "$L2_VMLINUX" -i "$L2_INITRD" -m 256 -c 1 --timeout 150 --type-after 'vtshell# :echo typed-$((6*7))<ret>' --expect '^typed-42' --result "$OUT/type-shell.json" -p "$L2_APPEND l2test=vtshell"
L1
}
check() {
	expect "vtshell# "
	expect "typed-42"
	expect_rc 0
	expect_file type-shell.json
	python3 tests/integration/ci_result_check.py "$RESULTS/type-shell.json" --status 0 --reason expect >"$CASE_TMP/res" 2>&1 ||
		fail "result: $(tail -n1 "$CASE_TMP/res")"
}

# Running in CI (README): --expect in order, --fail-on first, --timeout with
# its screenshot, every ending written to --result and checked against
# docs/result.schema.json (ci_result_check.py), --serial-log. The usage
# errors and the setup-error result need no KVM; the rest boots the probe.
. "$(dirname "$0")/lib.sh"
CHECK="$(dirname "$0")/ci_result_check.py"

# ci_result NAME STATUS WANT LOG RESULT CHECK_ARGS...: the exit status, then
# the JSON against the schema (a loud SKIP of the JSON part without python3).
ci_result() {
	name=$1 got=$2 want=$3 log=$4 result=$5
	shift 5
	if [ "$got" -ne "$want" ]; then
		fail "$name" "exit status $got, expected $want" "$log"
	elif [ ! -s "$result" ]; then
		fail "$name" "no --result file" "$log"
	elif ! have_python; then
		need_python "$name"
	elif why=$(python3 "$CHECK" "$result" --status "$want" "$@"); then
		pass "$name"
	else
		fail "$name" "$why" "$log"
	fi
}

# ci_usage NAME PATTERN ARGS...: exit 2, one line on stderr naming PATTERN,
# and no result file written (a --result, if any, is the last argument).
ci_usage() {
	name=$1 pattern=$2
	shift 2
	err="$LOG_DIR/$name.err"
	rm -f "$LOG_DIR/$name.json"
	timeout -k 5 "$RUN_TIMEOUT" "$LKVM" run "$@" </dev/null >/dev/null 2>"$err"
	status=$?
	if [ "$status" -ne 2 ] || [ "$(wc -l <"$err")" -ne 1 ] || ! grep -q -E -- "$pattern" "$err"; then
		fail "$name" "exit status $status, want 2 and one line naming '$pattern'" "$err"
	elif [ -e "$LOG_DIR/$name.json" ]; then
		fail "$name" "a result file was written for a usage error"
	else
		pass "$name"
	fi
}

ci_usage ci_usage_bad_expect "--expect 'a\(b'" --expect 'a(b' --result "$LOG_DIR/ci_usage_bad_expect.json"
ci_usage ci_usage_bad_fail_on "--fail-on '\[z-a\]'" --fail-on '[z-a]' --result "$LOG_DIR/ci_usage_bad_fail_on.json"
ci_usage ci_usage_bad_timeout "--timeout" --timeout 0 --result "$LOG_DIR/ci_usage_bad_timeout.json"
ci_usage ci_usage_bad_timeout_text "--timeout" --timeout 10s --result "$LOG_DIR/ci_usage_bad_timeout_text.json"
ci_usage ci_usage_unwritable_result "--result /nonexistent" --expect x --result /nonexistent/dir/r.json

# A setup error after the options were read still writes its result.
result="$LOG_DIR/ci_result_setup_error.json"
log="$LOG_DIR/ci_result_setup_error.log"
rm -f "$result"
lkvm "$log" -k "$LOG_DIR/no-such-kernel" --expect x --result "$result"
ci_result ci_result_setup_error $? 2 "$log" "$result" --reason setup-error

need_kvm ci_expect_in_order ci_expect_out_of_order ci_fail_on_wins ci_timeout_screenshot \
	ci_unmet_at_reboot ci_crash ci_test_exit ci_signal ci_expect_hvc0 ci_serial_log \
	ci_wait_control ci_list_json || exit 0

# The probe halts for ever after its tests (probe.end=halt): only the
# runner can end these runs.
result="$LOG_DIR/ci_expect_in_order.json" log="$LOG_DIR/ci_expect_in_order.log"
slog="$LOG_DIR/ci_expect_in_order.serial"
lkvm "$log" -p "probe.tests=serial probe.end=halt" --expect '^PROBE: ready$' \
	--expect '^PROBE: PASS serial$' --expect '^PROBE: done ' --fail-on '^PROBE: FAIL' \
	--timeout 20 --result "$result" --serial-log "$slog"
ci_result ci_expect_in_order $? 0 "$log" "$result" --reason expect
if grep -a -q -E '^[0-9-]+T[0-9:.]+Z ttyS0\| PROBE: ready' "$slog" 2>/dev/null; then
	pass ci_serial_log
else
	fail ci_serial_log "no timestamped ttyS0 line in $slog" "$slog"
fi

# "done" before "ready" never happens in that order: the timeout ends it.
result="$LOG_DIR/ci_expect_out_of_order.json" log="$LOG_DIR/ci_expect_out_of_order.log"
lkvm "$log" -p "probe.tests= probe.end=halt" --expect '^PROBE: done ' --expect '^PROBE: ready$' \
	--timeout 3 --result "$result"
ci_result ci_expect_out_of_order $? 4 "$log" "$result" --reason timeout

# A failing test's line comes before "done": the fail-on status, at once.
result="$LOG_DIR/ci_fail_on_wins.json" log="$LOG_DIR/ci_fail_on_wins.log"
lkvm "$log" -p "probe.tests=serial,no_such_test probe.end=halt" --expect '^PROBE: ready$' \
	--expect '^PROBE: done ' --fail-on '^PROBE: FAIL' --timeout 20 --result "$result"
ci_result ci_fail_on_wins $? 3 "$log" "$result" --reason fail-on

# The timeout keeps a screenshot beside the result: the probe's picture,
# pixel for pixel, and the vCPUs' registers on stderr.
result="$LOG_DIR/ci_timeout_screenshot.json" log="$LOG_DIR/ci_timeout_screenshot.log"
png="$LOG_DIR/ci_timeout_screenshot-timeout.png"
rm -f "$png"
lkvm "$log" --gpu headless -p "probe.tests=gpu probe.end=halt" --expect 'never printed' \
	--timeout 5 --result "$result"
status=$?
ci_result ci_timeout_screenshot "$status" 4 "$log" "$result" --reason timeout --screenshots 1
if [ -s "$png" ] && grep -a -q 'rip ' "$log"; then
	check_screenshot ci_timeout_screenshot_pixels "$png" "$(probe_info "$log" gpu_screen)" "$log"
else
	fail ci_timeout_screenshot_pixels "no $png or no registers on stderr" "$log"
fi

# Endings of the VM itself, each in the result.
result="$LOG_DIR/ci_unmet_at_reboot.json" log="$LOG_DIR/ci_unmet_at_reboot.log"
lkvm "$log" -p "probe.tests= probe.end=reboot" --expect 'never printed' --result "$result"
ci_result ci_unmet_at_reboot $? 5 "$log" "$result" --reason reboot

result="$LOG_DIR/ci_crash.json" log="$LOG_DIR/ci_crash.log"
lkvm "$log" -p "probe.tests= probe.end=triple" --result "$result"
ci_result ci_crash $? 1 "$log" "$result" --reason crash

result="$LOG_DIR/ci_test_exit.json" log="$LOG_DIR/ci_test_exit.log"
lkvm "$log" -p "probe.tests= probe.end=exit probe.exit=42" --test-exit --result "$result"
ci_result ci_test_exit $? 42 "$log" "$result" --reason test-exit

result="$LOG_DIR/ci_signal.json" log="$LOG_DIR/ci_signal.log"
"$LKVM" run -p "probe.tests= probe.end=halt" --result "$result" </dev/null >"$log" 2>&1 &
pid=$!
wait_for_line "$log" '^PROBE: done' 15
kill -TERM "$pid"
wait "$pid"
ci_result ci_signal $? 143 "$log" "$result" --reason signal

# hvc0: the probe's line through virtio-console is matched too.
result="$LOG_DIR/ci_expect_hvc0.json" log="$LOG_DIR/ci_expect_hvc0.log"
slog="$LOG_DIR/ci_expect_hvc0.serial"
lkvm "$log" --console virtio -p "probe.tests=virtio_console probe.end=halt" \
	--expect '^PROBE: info vcon=hello through virtio-console$' --timeout 20 \
	--result "$result" --serial-log "$slog"
status=$?
if [ "$status" -eq 0 ] && ! grep -a -q 'hvc0| PROBE: info vcon=hello' "$slog"; then
	fail ci_expect_hvc0 "the line did not come through hvc0" "$slog"
else
	ci_result ci_expect_hvc0 "$status" 0 "$log" "$result" --reason expect
fi

# From outside: `lkvm-gpu wait` on a running VM (a line already seen, a
# timeout), `list --json`, then `stop` (0).
name="ci-wait-$$" log="$LOG_DIR/ci_wait_control.log"
"$LKVM" run --name "$name" -p "probe.tests=serial probe.end=halt" </dev/null >"$log" 2>&1 &
pid=$!
wait_for_line "$log" '^PROBE: done' 15
got=$("$LKVM" wait "$name" --expect '^PROBE: PASS serial$' --timeout 10)
w1=$?
"$LKVM" wait "$name" --expect 'never printed' --timeout 0.5 2>/dev/null
w2=$?
list=$("$LKVM" list --json)
"$LKVM" stop "$name"
wait "$pid"
status=$?
if [ "$w1" -eq 0 ] && [ "$got" = "PROBE: PASS serial" ] && [ "$w2" -eq 4 ] && [ "$status" -eq 0 ]; then
	pass ci_wait_control
else
	fail ci_wait_control "wait: $w1 '$got', timeout: $w2 (want 4), run: $status" "$log"
fi
if ! have_python; then
	need_python ci_list_json
elif python3 -c 'import json, sys
vms = [v for v in json.loads(sys.argv[1]) if v["name"] == sys.argv[2]]
assert len(vms) == 1 and vms[0]["pid"] == int(sys.argv[3]), vms' "$list" "$name" "$pid"; then
	pass ci_list_json
else
	fail ci_list_json "list --json gave: $list"
fi

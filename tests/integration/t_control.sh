# The control socket: a running VM (named with --name) shows up in
# `lkvm-gpu list`, gives a screenshot on request that matches what the guest
# drew, and `lkvm-gpu stop NAME` ends it with status 0. Errors: an unknown
# name, a VM without a GPU, a name already in use.
. "$(dirname "$0")/lib.sh"

need_kvm control_list control_screenshot control_stop control_errors || exit 0

export LKVM_GPU_RUN_DIR="$LOG_DIR/ctl"
name=itest-$$
log="$LOG_DIR/control.log"
png="$LOG_DIR/control.png"
rm -f "$png"
timeout -k 5 "$RUN_TIMEOUT" "$LKVM" run --name "$name" --gpu headless \
	-p "probe.tests=gpu probe.end=halt" </dev/null >"$log" 2>&1 &
pid=$!

if wait_for_line "$log" "^PROBE: done" 20; then
	if "$LKVM" list | grep -qx "$name"; then
		pass control_list
	else
		fail control_list "'$name' not in: $("$LKVM" list | tr '\n' ' ')" "$log"
	fi
	want=$(probe_info "$log" gpu_screen)
	if ! "$LKVM" screenshot "$name" "$png" 2>"$LOG_DIR/control.err" || [ ! -s "$png" ]; then
		fail control_screenshot "lkvm-gpu screenshot failed: $(cat "$LOG_DIR/control.err")" "$log"
	else
		check_screenshot control_screenshot "$png" "$want" "$log"
	fi
	why=""
	# A second VM may not take the same name while the first runs.
	"$LKVM" run --name "$name" </dev/null >"$LOG_DIR/control-dup.log" 2>&1
	st=$?
	[ "$st" -eq 2 ] || why="${why}duplicate name: exit $st, expected 2; "
	grep -q "already running" "$LOG_DIR/control-dup.log" || why="${why}duplicate name: no clear message; "
	"$LKVM" stop "no-such-vm-$$" 2>"$LOG_DIR/control-nosuch.err"
	st=$?
	[ "$st" -eq 1 ] || why="${why}stop of an unknown VM: exit $st, expected 1; "
	grep -q "no running VM" "$LOG_DIR/control-nosuch.err" || why="${why}unknown VM: no clear message; "
	"$LKVM" stop "$name"
	st=$?
	[ "$st" -eq 0 ] || why="${why}stop: exit $st; "
	wait "$pid"
	st=$?
	if [ "$st" -eq 0 ] && [ -z "$why" ]; then
		pass control_stop
	else
		fail control_stop "${why}VM exit status $st (expected 0)" "$log"
	fi
	if "$LKVM" list | grep -qx "$name"; then
		fail control_errors "'$name' still listed after it stopped"
	else
		# A VM without a GPU refuses a screenshot with a reason.
		log2="$LOG_DIR/control-nogpu.log"
		timeout -k 5 "$RUN_TIMEOUT" "$LKVM" run --name "$name-nogpu" \
			-p "probe.tests=none probe.end=halt" </dev/null >"$log2" 2>&1 &
		pid2=$!
		wait_for_line "$log2" "^PROBE: done" 20
		"$LKVM" screenshot "$name-nogpu" "$png.2" 2>"$LOG_DIR/control-nogpu.err"
		st=$?
		"$LKVM" stop "$name-nogpu"
		wait "$pid2"
		if [ "$st" -eq 1 ] && grep -q "no GPU" "$LOG_DIR/control-nogpu.err" && [ ! -e "$png.2" ]; then
			pass control_errors
		else
			fail control_errors "screenshot without GPU: exit $st, $(cat "$LOG_DIR/control-nogpu.err")" "$log2"
		fi
	fi
else
	kill "$pid" 2>/dev/null
	wait "$pid"
	for n in control_list control_screenshot control_stop control_errors; do
		fail "$n" "the probe never finished its gpu test" "$log"
	done
fi

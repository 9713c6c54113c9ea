# Running in CI, step by step from outside: a script drives a running VM
# over its control socket. `lkvm-gpu wait` returns the init marker (0), then
# the end of the test (0), times out on a line that never comes (4), and a
# waiter still waiting when `lkvm-gpu stop` ends the VM is told so (1);
# `lkvm-gpu list --json` names the VM with its pid.
GROUP=smp1
NEEDS=--name
l1() {
	cat <<'L1'
echo "L1: BEGIN ci-wait"
ciwait_t0=$(uptime_ms)
$LKVM run -k "$L2_VMLINUX" -i "$L2_INITRD" -m 256 -c 1 --name ciwait -p "$L2_APPEND l2test=boot l2mods=none l2end=hang" </dev/null >/tmp/ci-wait.console 2>&1 &
ciwait_pid=$!
i=0
while ! $LKVM list | grep -qx ciwait && [ $i -lt 30 ]; do sleep 1; i=$((i + 1)); done
$LKVM wait ciwait --expect "^L2: init reached" --timeout 100; echo "L1: wait init rc=$?"
$LKVM wait ciwait --expect "^L2: test done boot" --timeout 60; echo "L1: wait done rc=$?"
$LKVM wait ciwait --expect "never printed" --timeout 1.5; echo "L1: wait never rc=$?"
$LKVM list --json >"$OUT/ci-wait-list.json"; echo "L1: list rc=$? pid=$ciwait_pid"
$LKVM wait ciwait --expect "never printed either" >/tmp/ci-wait.w4 2>&1 &
w4=$!
sleep 1
$LKVM stop ciwait
wait $ciwait_pid
ciwait_rc=$?
wait $w4; echo "L1: wait ended rc=$?"
cat /tmp/ci-wait.w4 /tmp/ci-wait.console
echo "L1: END ci-wait rc=$ciwait_rc ms=$(($(uptime_ms) - ciwait_t0))"
L1
}
check() {
	expect "L1: wait init rc=0"
	expect "L1: wait done rc=0"
	expect "L2: PASS boot cpus=1"
	expect "L1: wait never rc=4"
	expect "L1: list rc=0"
	expect "L1: wait ended rc=1"
	expect "ended (exit status 0) first"
	expect_rc 0
	expect_file ci-wait-list.json
	pid=$(sed -n 's/^L1: list rc=0 pid=\([0-9]*\).*/\1/p' <<<"$SECTION")
	python3 -c 'import json, sys
vms = json.load(open(sys.argv[1]))
assert [v["name"] for v in vms] == ["ciwait"], vms
assert vms[0]["pid"] == int(sys.argv[2]), (vms, sys.argv[2])
assert vms[0]["socket"].endswith("/ciwait.sock"), vms' "$RESULTS/ci-wait-list.json" "$pid" >"$CASE_TMP/list" 2>&1 ||
		fail "list --json: $(tail -n1 "$CASE_TMP/list")"
}

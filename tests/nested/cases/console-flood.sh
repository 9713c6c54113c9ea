# Guest console output cannot freeze the VMM (issue 13, finding 2). L2's
# kernel prints its boot at full verbosity (ignore_loglevel initcall_debug:
# far more than a pipe's worth) into a stdout that is a FIFO whose reader
# never reads. Bytes past the output ring are dropped and counted (the
# final line says how many), the guest is never held, the control socket
# answers (`list`, `wait` timing out) and `lkvm-gpu stop` ends the VM within
# a few seconds with status 0.
#
# The ticker is for the nested runner, not for lkvm-gpu: while an L2 vCPU
# floods the UART (one VM exit per byte) and nothing else in a one-vCPU L1
# wakes, L1 stops running its other tasks (the `sleep 15` below never
# returns). Seen with every output policy, including the old blocking
# writes with stdout on /dev/null; a task that wakes every 2 s keeps L1's
# scheduler going.
GROUP=smp1
NEEDS=--name
l1() {
	cat <<'L1'
echo "L1: BEGIN console-flood"
(while :; do echo "L1: tick up=$(cut -d' ' -f1 /proc/uptime)"; sleep 2; done) &
flood_ticker=$!
flood_t0=$(uptime_ms)
mkfifo /tmp/flood.fifo
sleep 600 </tmp/flood.fifo &
flood_reader=$!
$LKVM run -k "$L2_VMLINUX" -i "$L2_INITRD" -m 256 -c 1 --name flood -p "$L2_APPEND ignore_loglevel initcall_debug l2test=boot l2mods=none l2end=hang" </dev/null >/tmp/flood.fifo 2>/tmp/flood.err &
flood_pid=$!
echo "L1: flood started"
i=0
while ! $LKVM list | grep -qx flood && [ $i -lt 30 ]; do sleep 1; i=$((i + 1)); done
echo "L1: flood listed after $i s"
sleep 15
$LKVM list | grep -qx flood && echo "L1: listed while flooding"
$LKVM wait flood --expect "never printed" --timeout 1; echo "L1: wait rc=$?"
flood_s=$(uptime_ms)
$LKVM stop flood; echo "L1: stop rc=$?"
wait $flood_pid
flood_rc=$?
flood_ms=$(($(uptime_ms) - flood_s))
echo "L1: stopped after ms=$flood_ms"
[ $flood_ms -lt 5000 ] && echo "L1: stopped within 5 s"
kill $flood_reader $flood_ticker
cat /tmp/flood.err
echo "L1: END console-flood rc=$flood_rc ms=$(($(uptime_ms) - flood_t0))"
L1
}
check() {
	expect "L1: listed while flooding"
	expect "L1: wait rc=4"
	expect "L1: stop rc=0"
	expect "L1: stopped within 5 s"
	expect "bytes of guest console output did not reach stdout"
	expect_rc 0
}

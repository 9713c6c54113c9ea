# virtio-input under real KVM, driven by the probe guest: the keyboard,
# tablet and mouse answer every config field as the spec says (probe test
# virtio_input), then text typed from outside with `lkvm-gpu type` reaches
# the keyboard's eventq as exactly the evdev sequence a US keyboard makes
# (one press or release per frame, each ended by SYN_REPORT); a second run
# types with --type-after once the probe printed a console line; a bad
# key spelling is exit 2 before anything boots.
GROUP=smp2
NEEDS=--type-after
l1() {
	cat <<'L1'
echo "L1: BEGIN probe-input"
pin_t0=$(uptime_ms)
$LKVM run --input --type '<retrun>' 2>&1; echo "L1: bad spelling rc=$?"
$LKVM run -k /l2/probe.elf -m 128 -c 1 --input --name pinput --test-exit -p "probe.tests=virtio_input,input_events probe.input_ms=100000" </dev/null >/tmp/pinput.console 2>&1 &
pin_pid=$!
i=0
while ! $LKVM list | grep -qx pinput && [ $i -lt 30 ]; do sleep 1; i=$((i + 1)); done
$LKVM wait pinput --expect "input_ready=3" --timeout 100; echo "L1: wait ready rc=$?"
$LKVM type pinput 'Hi <ctrl-c>:<ret><esc>'; echo "L1: type rc=$?"
wait $pin_pid
pin_rc=$?
echo "L1: run1 rc=$pin_rc"
cat /tmp/pinput.console
echo "L1: RUN2"
$LKVM run -k /l2/probe.elf -m 128 -c 1 --test-exit -p "probe.tests=input_events probe.input_ms=100000" --type-after 'input_ready=3:ab<esc>' </dev/null 2>&1
pin_rc2=$?
echo "L1: run2 rc=$pin_rc2"
echo "L1: END probe-input rc=$((pin_rc | pin_rc2)) ms=$(($(uptime_ms) - pin_t0))"
L1
}
# kbd:TYPE:CODE:VALUE, from linux/input-event-codes.h: EV_KEY 1, EV_SYN 0;
# KEY_LEFTSHIFT 42, KEY_H 35, KEY_I 23, KEY_SPACE 57, KEY_LEFTCTRL 29,
# KEY_C 46, KEY_SEMICOLON 39, KEY_ENTER 28, KEY_ESC 1, KEY_A 30, KEY_B 48.
# The probe stops at Esc's release, before its SYN_REPORT.
probe_input_frames() {
	local k
	for k in "$@"; do
		case $k in
		+*) echo "kbd:1:${k#+}:1" ;;
		-*) echo "kbd:1:${k#-}:0" ;;
		esac
		echo "kbd:0:0:0"
	done
}
check() {
	local want1 want2 got1 got2
	expect "L1: bad spelling rc=2"
	expect "'<retrun>' is not a key"
	expect "L1: wait ready rc=0"
	expect "L1: type rc=0"
	expect "PROBE: PASS virtio_input"
	expect "PROBE: info input_devs=kbd=1,tablet=1,mouse=1"
	expect "PROBE: PASS input_events"
	expect "L1: run1 rc=0"
	expect "L1: run2 rc=0"
	want1=$(probe_input_frames +42 +35 -35 -42 +23 -23 +57 -57 +29 +46 -46 -29 +42 +39 -39 -42 \
		+28 -28 +1 | sed '$a kbd:1:1:0')
	want2=$(probe_input_frames +30 -30 +48 -48 +1 | sed '$a kbd:1:1:0')
	got1=$(sed -n '/^L1: RUN2/q; s/^PROBE: info input_event=//p' <<<"$SECTION" | tr -d '\r')
	got2=$(sed -n '/^L1: RUN2/,$ s/^PROBE: info input_event=//p' <<<"$SECTION" | tr -d '\r')
	[ "$got1" = "$want1" ] || fail "typed events: got [$(echo $got1)] want [$(echo $want1)]"
	[ "$got2" = "$want2" ] || fail "--type-after events: got [$(echo $got2)] want [$(echo $want2)]"
	expect_rc 0
}

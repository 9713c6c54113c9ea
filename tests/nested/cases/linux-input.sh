# Real Linux's virtio_input driver on our devices: it binds the keyboard,
# tablet and mouse, evdev gives each a /dev/input/event* with the event
# types the spec's config answers describe (keyboard: SYN KEY LED REP;
# tablet: SYN KEY REL ABS; mouse: SYN KEY REL), and text typed from L1 with
# `lkvm-gpu type` arrives in L2 as exactly the key codes a US keyboard
# makes, read by a static evdev reader in the initramfs.
GROUP=smp1
NEEDS=--input
l1() {
	cat <<'L1'
echo "L1: BEGIN linux-input"
lin_t0=$(uptime_ms)
$LKVM run -k "$L2_VMLINUX" -i "$L2_INITRD" -m 256 -c 1 --input --name l2input -p "$L2_APPEND l2test=input" </dev/null >/tmp/l2input.console 2>&1 &
lin_pid=$!
i=0
while ! $LKVM list | grep -qx l2input && [ $i -lt 30 ]; do sleep 1; i=$((i + 1)); done
$LKVM wait l2input --expect "^L2: evdev ready" --timeout 250; echo "L1: wait ready rc=$?"
$LKVM type l2input 'Hi <ctrl-c>:<ret><esc>'; echo "L1: type rc=$?"
$LKVM wait l2input --expect "^L2: test done" --timeout 250; echo "L1: wait done rc=$?"
wait $lin_pid
lin_rc=$?
cat /tmp/l2input.console
echo "L1: END linux-input rc=$lin_rc ms=$(($(uptime_ms) - lin_t0))"
L1
}
check() {
	local want got
	expect "L1: wait ready rc=0"
	expect "L1: type rc=0"
	# EV_SYN 0, EV_KEY 1, EV_REL 2, EV_ABS 3, EV_LED 0x11, EV_REP 0x14 as bits.
	expect "name='lkvm-gpu keyboard' ev=0x120003"
	expect "name='lkvm-gpu tablet' ev=0xf"
	expect "name='lkvm-gpu mouse' ev=0x7"
	expect "L2: evdev devices=3"
	expect "L2: PASS input"
	# linux/input-event-codes.h: KEY_LEFTSHIFT 42, KEY_H 35, KEY_I 23,
	# KEY_SPACE 57, KEY_LEFTCTRL 29, KEY_C 46, KEY_SEMICOLON 39,
	# KEY_ENTER 28, KEY_ESC 1; value 1 press, 0 release (2 would be a
	# repeat: none wanted).
	want="42 1,35 1,35 0,42 0,23 1,23 0,57 1,57 0,29 1,46 1,46 0,29 0,42 1,39 1,39 0,42 0,28 1,28 0,1 1,1 0"
	got=$(sed -n 's/^L2: key //p' <<<"$SECTION" | tr -d '\r' | paste -sd, -)
	[ "$got" = "$want" ] || fail "keys in L2: got [$got] want [$want]"
	expect_rc 0
}

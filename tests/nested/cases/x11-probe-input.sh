# The X11 display in the real binary under real KVM: L1 starts Xvfb (the
# host's /usr over 9p), lkvm-gpu shows the probe's GPU picture in an X11
# window, and xdotool's XTEST input into that window reaches the probe's
# virtio-input devices as exactly the evdev frames expected: a pointer move
# (the tablet's ABS_X/ABS_Y as libinput maps them back to the pixel), a left click,
# the A key and Esc. The screenshot taken over the control socket must be
# the picture the probe says it drew.
GROUP=gl
NEEDS=--input
l1() {
	cat <<'L1'
gl_setup
echo "L1: BEGIN x11-probe-input"
xpi_t0=$(uptime_ms)
export PATH=$PATH:/usr/bin
mkdir -p /tmp/.X11-unix
if ! command -v Xvfb >/dev/null || ! command -v xdotool >/dev/null; then
	echo "L1: SKIP x11-probe-input: no Xvfb or xdotool in the host's /usr"
else
	Xvfb :5 -screen 0 1024x768x24 -nolisten tcp >/tmp/xvfb.log 2>&1 &
	xpi_x=$!
	i=0
	while [ ! -S /tmp/.X11-unix/X5 ] && [ $i -lt 30 ]; do sleep 1; i=$((i + 1)); done
	DISPLAY=:5 $LKVM run -k /l2/probe.elf -m 128 -c 1 --gpu x11 --resolution 640x480 --name xpi --test-exit -p "probe.tests=gpu,input_events probe.input_ms=60000" </dev/null >/tmp/xpi.console 2>&1 &
	xpi_pid=$!
	i=0
	while ! $LKVM list | grep -qx xpi && [ $i -lt 30 ]; do sleep 1; i=$((i + 1)); done
	$LKVM wait xpi --expect "input_ready=3" --timeout 150; echo "L1: wait ready rc=$?"
	$LKVM screenshot xpi "$OUT/x11-probe.png"; echo "L1: shot rc=$?"
	w=$(DISPLAY=:5 xdotool search --name xpi | head -n1)
	DISPLAY=:5 xdotool windowfocus --sync "$w" mousemove --window "$w" 320 240 click 1 key a key Escape
	echo "L1: xdotool rc=$?"
	wait $xpi_pid
	xpi_rc=$?
	cat /tmp/xpi.console
	kill $xpi_x
fi
echo "L1: END x11-probe-input rc=${xpi_rc:-0} ms=$(($(uptime_ms) - xpi_t0))"
L1
}
check() {
	local want got wantev gotev
	if grep -q "L1: SKIP x11-probe-input" <<<"$SECTION"; then
		skip "no Xvfb or xdotool on the host"
		return
	fi
	expect "L1: wait ready rc=0"
	expect "L1: shot rc=0"
	expect "L1: xdotool rc=0"
	expect "PROBE: PASS gpu"
	expect "PROBE: PASS input_events"
	expect_rc 0
	# The tablet: pixel (320, 240) of 640x480 is 16384 on both axes, the
	# smallest value libinput maps back to it (value * size / 32768; EV_ABS 3),
	# then BTN_LEFT (272) down and up; KEY_A 30, KEY_ESC 1; each frame ends
	# with SYN_REPORT. The probe stops at Esc's release, before its SYN.
	wantev=$(printf '%s\n' tablet:3:0:16384 tablet:3:1:16384 \
		tablet:0:0:0 tablet:1:272:1 tablet:0:0:0 tablet:1:272:0 tablet:0:0:0 \
		kbd:1:30:1 kbd:0:0:0 kbd:1:30:0 kbd:0:0:0 kbd:1:1:1 kbd:0:0:0 kbd:1:1:0)
	gotev=$(sed -n 's/^PROBE: info input_event=//p' <<<"$SECTION" | tr -d '\r')
	[ "$gotev" = "$wantev" ] || fail "events: got [$(echo $gotev)] want [$(echo $wantev)]"
	expect_file x11-probe.png
	want=$(sed -n 's/^PROBE: info gpu_screen=//p' <<<"$SECTION" | tr -d '\r' | head -n1)
	got=$(python3 tests/integration/png_rgb_crc.py "$RESULTS/x11-probe.png" 2>&1)
	[ "$want" = "$got" ] || fail "screenshot is $got, the probe drew $want"
}

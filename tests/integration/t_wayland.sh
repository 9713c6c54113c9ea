# The Wayland display against a real compositor: a private weston (headless
# backend, pixman renderer, its own XDG_RUNTIME_DIR). The guest's frame must
# appear in weston's output pixel for pixel (but for the guest's cursor,
# which Wayland shows as the pointer image); `--gpu wayland,headless` falls
# back to headless when no compositor answers; and when the compositor goes
# away the VM shuts down cleanly (status 0).
. "$(dirname "$0")/lib.sh"

names="wayland_frame_on_screen wayland_compositor_gone wayland_fallback wayland_no_compositor"
need_kvm $names || exit 0
if ! command -v weston >/dev/null || ! command -v weston-screenshooter >/dev/null; then
	for n in $names; do skip "$n" "weston is not installed (scripts/install-deps.sh)"; done
	exit 0
fi

export LKVM_GPU_RUN_DIR="$LOG_DIR/ctl-wl"
xdg=$(mktemp -d "$LOG_DIR/xdg-XXXX")
chmod 700 "$xdg"
# The desktop shell fades the whole output in from black at startup (a
# curtain whose alpha decays over a second or more on a loaded host); a
# screenshot taken meanwhile has every pixel dimmed by 1..2 or more. No
# animations: weston's output then is exactly what clients committed.
printf '[shell]\nstartup-animation=none\nanimation=none\nclose-animation=none\n' \
	>"$xdg/weston.ini"
XDG_RUNTIME_DIR=$xdg weston --config="$xdg/weston.ini" --backend=headless-backend.so \
	--use-pixman --socket=lkvm-itest --idle-time=0 --debug --width=1024 --height=768 \
	--log="$xdg/weston.log" </dev/null &
wpid=$!
for _ in $(seq 100); do [ -S "$xdg/lkvm-itest" ] && break; sleep 0.1; done

name=wl-$$
log="$LOG_DIR/wayland.log"
XDG_RUNTIME_DIR=$xdg WAYLAND_DISPLAY=lkvm-itest timeout -k 5 "$RUN_TIMEOUT" "$LKVM" run \
	--name "$name" --gpu wayland --resolution 640x400 -p "probe.tests=gpu probe.end=halt" \
	</dev/null >"$log" 2>&1 &
vpid=$!
if wait_for_line "$log" "^PROBE: done" 20; then
	sleep 0.5 # let weston repaint after the last commit
	"$LKVM" screenshot "$name" "$LOG_DIR/wayland-guest.png"
	want=$(probe_info "$log" gpu_screen)
	rm -f "$xdg"/wayland-screenshot*.png
	(cd "$xdg" && XDG_RUNTIME_DIR=$xdg WAYLAND_DISPLAY=lkvm-itest weston-screenshooter) \
		>"$LOG_DIR/screenshooter.log" 2>&1
	shot=$(ls "$xdg"/wayland-screenshot*.png 2>/dev/null | head -n1)
	if [ -z "$shot" ]; then
		fail wayland_frame_on_screen "weston-screenshooter wrote nothing" "$LOG_DIR/screenshooter.log"
	elif need_python wayland_frame_on_screen; then
		got=$(python3 "$(dirname "$0")/png_rgb_crc.py" "$LOG_DIR/wayland-guest.png")
		cp "$shot" "$LOG_DIR/wayland-weston.png"
		if [ "$got" != "$want" ]; then
			fail wayland_frame_on_screen "lkvm-gpu screenshot '$got', guest drew '$want'" "$log"
		elif res=$(python3 "$(dirname "$0")/png_find.py" "$LOG_DIR/wayland-guest.png" "$shot"); then
			pass wayland_frame_on_screen
		else
			fail wayland_frame_on_screen "$res (see $LOG_DIR/wayland-weston.png)" "$log"
		fi
	fi
else
	fail wayland_frame_on_screen "the probe never finished its gpu test under --gpu wayland" "$log"
fi

# The compositor exits: the VM must end by itself, cleanly.
kill "$wpid"
wait "$wpid" 2>/dev/null
for _ in $(seq 100); do kill -0 "$vpid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$vpid" 2>/dev/null; then
	kill "$vpid"
	wait "$vpid"
	fail wayland_compositor_gone "VM still running 10 s after the compositor exited" "$log"
else
	wait "$vpid"
	st=$?
	if [ "$st" -eq 0 ]; then
		pass wayland_compositor_gone
	else
		fail wayland_compositor_gone "VM exit status $st, expected 0" "$log"
	fi
fi

# No compositor: wayland alone is a clear setup error; with a fallback the
# next mode wins.
log="$LOG_DIR/wayland-none.log"
XDG_RUNTIME_DIR=$xdg WAYLAND_DISPLAY=lkvm-nothing-here timeout -k 5 "$RUN_TIMEOUT" "$LKVM" run \
	--gpu wayland -p "probe.tests=none" </dev/null >"$log" 2>&1
st=$?
if [ "$st" -eq 2 ] && grep -qi "wayland" "$log"; then
	pass wayland_no_compositor
else
	fail wayland_no_compositor "exit $st (expected 2 with a message naming Wayland)" "$log"
fi
log="$LOG_DIR/wayland-fallback.log"
png="$LOG_DIR/wayland-fallback.png"
XDG_RUNTIME_DIR=$xdg WAYLAND_DISPLAY=lkvm-nothing-here lkvm "$log" --gpu wayland,headless \
	--screenshot "$png" -p "probe.tests=gpu" --test-exit
st=$?
want=$(probe_info "$log" gpu_screen)
if [ "$st" -ne 0 ] || [ -z "$want" ] || [ ! -s "$png" ]; then
	fail wayland_fallback "exit $st, guest drew '$want', screenshot $([ -s "$png" ] && echo written || echo missing)" "$log"
else
	check_screenshot wayland_fallback "$png" "$want" "$log"
fi
rm -rf "$xdg"

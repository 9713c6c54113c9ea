# virtio-gpu 2D driven by the probe: it draws a known picture (a pattern on
# scattered backing, a partial update, a cursor) and reports the CRC-32 of
# the RGB bytes it expects on screen; lkvm-gpu's --screenshot PNG must match
# it pixel for pixel, at the default size and at a --resolution. Then 25
# malformed commands (tests/gpu_hostile.c), each answered with the right
# error, the device still working after each.
. "$(dirname "$0")/lib.sh"

need_kvm gpu_headless_1280x800 gpu_headless_800x600 gpu_hostile || exit 0

for res in default 800x600; do
	name=gpu_headless_${res/default/1280x800}
	log="$LOG_DIR/$name.log"
	png="$LOG_DIR/$name.png"
	rm -f "$png"
	extra=()
	[ "$res" = default ] || extra=(--resolution "$res")
	lkvm "$log" --gpu headless "${extra[@]}" --screenshot "$png" -p "probe.tests=gpu" --test-exit
	status=$?
	why=""
	v=$(probe_verdict "$log" gpu)
	[ "$v" = PASS ] || why="${why}probe: $v; "
	want=$(probe_info "$log" gpu_screen)
	case $want in
	"${res/default/1280x800}:"*) ;;
	*) why="${why}the guest drew '$want', expected a ${res/default/1280x800} screen; " ;;
	esac
	if [ ! -s "$png" ]; then
		why="${why}no screenshot written; "
	elif have_python; then
		got=$(python3 "$(dirname "$0")/png_rgb_crc.py" "$png")
		[ "$got" = "$want" ] || why="${why}screenshot is '$got', the guest drew '$want'; "
	fi
	[ "$status" -eq 0 ] || why="${why}exit status $status; "
	# What could be checked failed: FAIL. All of it passed but the pixels
	# could not be compared: SKIP, loudly.
	if [ -n "$why" ]; then
		fail "$name" "${why%; }" "$log"
	elif need_python "$name"; then
		pass "$name"
	fi
done

name=gpu_hostile
log="$LOG_DIR/$name.log"
lkvm "$log" --gpu headless -p "probe.tests=gpu_hostile" --test-exit
status=$?
why=""
v=$(probe_verdict "$log" gpu_hostile)
[ "$v" = PASS ] || why="${why}probe: $v; "
[ "$(probe_info "$log" gpu_hostile_cases)" = 25 ] || why="${why}not all 25 cases ran; "
[ "$status" -eq 0 ] || why="${why}exit status $status; "
if [ -z "$why" ]; then pass "$name"; else fail "$name" "${why%; }" "$log"; fi

# virtio-gpu 3D (virgl) under lkvm-gpu, driven by the probe: capsets, a
# context, clears in three formats, fenced submits in flight, a triangle from
# TGSI shaders read back pixel-exact (sub-box with offset and stride, then
# whole), SET_SCANOUT + RESOURCE_FLUSH of the 3D resource, whose
# --screenshot must match the CRC the guest computed; then 34 hostile 3D
# commands (tests/gpu3d_hostile.c), each answered with its error, and a fresh
# context that still renders.
#
# The 3D backend is chosen with `--gpu-backend virgl` (assumed name; the
# backend is being written). Until `lkvm-gpu run --help` lists it, every case
# here is a loud SKIP, never a PASS.
. "$(dirname "$0")/lib.sh"

names="gpu3d_headless gpu3d_hostile"
if ! "$LKVM" run --help 2>&1 | grep -q -- '--gpu-backend'; then
	for n in $names; do
		skip "$n" "lkvm-gpu has no 3D backend yet (\`lkvm-gpu run --help\` lists no --gpu-backend)"
	done
	echo "WARNING: t_gpu3d: lkvm-gpu has no --gpu-backend option: 3D tests SKIPPED" >&2
	exit 0
fi
# shellcheck disable=SC2086
need_kvm $names || exit 0

name=gpu3d_headless
log="$LOG_DIR/$name.log"
png="$LOG_DIR/$name.png"
rm -f "$png"
lkvm "$log" --gpu headless --gpu-backend virgl --screenshot "$png" -p "probe.tests=gpu3d" --test-exit
status=$?
why=""
v=$(probe_verdict "$log" gpu3d)
[ "$v" = PASS ] || why="${why}probe: $v; "
want=$(probe_info "$log" gpu3d_screen)
[ -n "$want" ] || why="${why}the guest reported no gpu3d_screen; "
if [ ! -s "$png" ]; then
	why="${why}no screenshot written; "
elif command -v python3 >/dev/null 2>&1; then
	got=$(python3 "$(dirname "$0")/png_rgb_crc.py" "$png")
	[ "$got" = "$want" ] || why="${why}screenshot is '$got', the guest drew '$want'; "
else
	echo "WARNING: python3 missing: $name checks the screenshot only exists" >&2
fi
[ "$status" -eq 0 ] || why="${why}exit status $status; "
if [ -z "$why" ]; then pass "$name"; else fail "$name" "${why%; }" "$log"; fi

name=gpu3d_hostile
log="$LOG_DIR/$name.log"
lkvm "$log" --gpu headless --gpu-backend virgl -p "probe.tests=gpu3d_hostile" --test-exit
status=$?
why=""
v=$(probe_verdict "$log" gpu3d_hostile)
[ "$v" = PASS ] || why="${why}probe: $v; "
[ "$(probe_info "$log" gpu3d_hostile_cases)" = 34 ] || why="${why}not all 34 cases ran; "
[ "$status" -eq 0 ] || why="${why}exit status $status; "
if [ -z "$why" ]; then pass "$name"; else fail "$name" "${why%; }" "$log"; fi

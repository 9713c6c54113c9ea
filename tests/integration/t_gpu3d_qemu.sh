# The probe's 3D tests under QEMU's virtio-gpu-gl (the yardstick), through
# scripts/qemu-gl.sh (private Xvfb, -display sdl,gl=on, llvmpipe). This
# proves the probe's 3D client against a known device: gpu3d must PASS as
# under lkvm-gpu. gpu3d_hostile runs with probe.gpu3d_hostile=report, since
# QEMU 7.2 answers OK to most hostile 3D commands: the list of its wrong
# answers is shown on stderr, and the case still needs every command answered,
# the device alive and a fresh context rendering. KVM if usable, else TCG.
. "$(dirname "$0")/lib.sh"

QEMU_GL="$ROOT/scripts/qemu-gl.sh"
names="gpu3d_qemu gpu3d_hostile_qemu"
name=gpu3d_qemu
log="$LOG_DIR/$name.log"
PROBE_TESTS="probe.tests=gpu3d,gpu3d_hostile probe.gpu3d_hostile=report"
sh "$QEMU_GL" -k "$PROBE_ELF" -t 150 -p "$PROBE_TESTS" >"$log" 2>"$log.stderr"
status=$?
if [ "$status" -eq 3 ]; then
	for n in $names; do
		skip "$n" "QEMU GL yardstick unavailable: $(tail -n 1 "$log.stderr")"
	done
	echo "WARNING: t_gpu3d_qemu: $(tail -n 1 "$log.stderr"): SKIPPED" >&2
	exit 0
fi
why=""
v=$(probe_verdict "$log" gpu3d)
[ "$v" = PASS ] || why="${why}probe: $v; "
[ -n "$(probe_info "$log" gpu3d_screen)" ] || why="${why}no gpu3d_screen reported; "
# isa-debug-exit: (status << 1) | 1, so 1 = no probe test failed.
[ "$status" -eq 1 ] || why="${why}QEMU exit status $status, expected 1; "
if [ -z "$why" ]; then pass "$name"; else fail "$name" "${why%; }" "$log"; fi

name=gpu3d_hostile_qemu
why=""
v=$(probe_verdict "$log" gpu3d_hostile)
[ "$v" = PASS ] || why="${why}probe: $v; "
[ "$(probe_info "$log" gpu3d_hostile_cases)" = 34 ] || why="${why}not all 34 cases ran; "
if [ -z "$why" ]; then
	pass "$name"
	echo "INFO: QEMU 7.2 answers wrongly: $(probe_info "$log" gpu3d_hostile_wrong)" >&2
else
	fail "$name" "${why%; }" "$log"
fi

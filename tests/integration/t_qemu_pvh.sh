# The probe also boots under QEMU through its PVH note (the benchmark's
# yardstick): microvm with 2 vCPUs, KVM if usable else TCG. The exit status
# through isa-debug-exit is (status << 1) | 1, so 1 means "no test failed".
. "$(dirname "$0")/lib.sh"

QEMU=${QEMU:-qemu-system-x86_64}
accel=tcg
kvm_usable && accel=kvm
name=qemu_pvh_microvm_$accel
if ! command -v "$QEMU" >/dev/null 2>&1; then
	skip "$name" "$QEMU not installed"
	exit 0
fi
log="$LOG_DIR/$name.log"
timeout -k 5 60 "$QEMU" -accel "$accel" -M microvm -smp 2 -m 256 -nodefaults -no-user-config \
	-nographic -no-reboot -serial stdio -monitor none \
	-device isa-debug-exit,iobase=0xf4,iosize=4 \
	-kernel "$PROBE_ELF" -append "probe.mem=256 probe.tests=cmdline,e820,serial,irq,smp" \
	</dev/null >"$log" 2>&1
status=$?
why=""
for t in cmdline e820 serial irq smp; do
	v=$(probe_verdict "$log" "$t")
	[ "$v" = PASS ] || why="${why}probe test $t: $v; "
done
[ "$(probe_info "$log" protocol)" = pvh ] || why="${why}not entered through PVH; "
[ "$(probe_info "$log" cpus)" = 2 ] || why="${why}guest counts '$(probe_info "$log" cpus)' CPUs; "
[ "$status" -eq 1 ] || why="${why}QEMU exit status $status, expected 1; "
if [ -z "$why" ]; then
	pass "$name"
else
	fail "$name" "${why%; }" "$log"
fi

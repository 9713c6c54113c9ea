# Every vCPU up: the probe starts each AP with INIT/SIPI/SIPI (real mode ->
# long mode -> CPL3), each reports its APIC id, all run a compute loop at
# once and the BSP checks every result. A probe SKIP (an AP that never came
# up) is a failure here: AP start-up was measured to work on PVM too.
. "$(dirname "$0")/lib.sh"

counts="1 2 4"
names=""
for c in $counts; do names="$names smp_${c}cpu"; done
need_kvm $names || exit 0

for cpus in $counts; do
	name=smp_${cpus}cpu
	log="$LOG_DIR/$name.log"
	lkvm "$log" -c "$cpus" -p "probe.tests=smp" --test-exit
	status=$?
	why=""
	v=$(probe_verdict "$log" smp)
	[ "$v" = PASS ] || why="${why}probe: $v; "
	got=$(probe_info "$log" cpus)
	[ "$got" = "$cpus" ] || why="${why}guest counts '$got' CPUs; "
	got=$(probe_info "$log" cpus_mptable)
	[ "$got" = "$cpus" ] || why="${why}MP table lists '$got' CPUs; "
	want=$(seq -s, 0 $((cpus - 1)))
	got=$(probe_info "$log" apic_ids)
	[ "$got" = "$want" ] || why="${why}APIC ids '$got', expected '$want'; "
	[ "$status" -eq 0 ] || why="${why}exit status $status; "
	if [ -z "$why" ]; then
		pass "$name"
	else
		fail "$name" "${why%; }" "$log"
	fi
done

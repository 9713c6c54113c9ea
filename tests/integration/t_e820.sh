# The e820 map against -m: RAM from 1 MiB up to min(mem, 3 GiB), the rest at
# 4 GiB, nothing in the PCI hole (checked by the probe with probe.mem), and
# the total reported RAM as the host expects it.
. "$(dirname "$0")/lib.sh"

sizes="64 512 3072 4096"
names=""
for m in $sizes; do names="$names e820_${m}M"; done
need_kvm $names || exit 0

for m in $sizes; do
	name=e820_${m}M
	log="$LOG_DIR/$name.log"
	lkvm "$log" -m "$m" -p "probe.tests=e820 probe.mem=$m" --test-exit
	status=$?
	why=""
	v=$(probe_verdict "$log" e820)
	[ "$v" = PASS ] || why="${why}probe: $v; "
	# RAM: [0, 0x9fc00) plus everything from 1 MiB on (kvm/layout.h).
	want=$((m * 1024 * 1024 - 0x100000 + 0x9fc00))
	got=$(probe_info "$log" ram)
	[ "$got" = "$want" ] || why="${why}guest sees $got bytes of RAM, expected $want; "
	[ "$status" -eq 0 ] || why="${why}exit status $status; "
	if [ -z "$why" ]; then
		pass "$name"
	else
		fail "$name" "${why%; }" "$log"
	fi
done

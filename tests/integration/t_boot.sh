# The probe's basic run with 1 and 2 vCPUs: command line passed through
# exactly, e820 matching -m, initrd bytes checksummed by guest and host,
# serial output, interrupts, every CPU up, PCI bus 0 consistent through both
# config mechanisms, virtio rng (MSI-X and INTx), blk (read-only) and gpu
# (headless), and the default end (test-exit, status 0).
. "$(dirname "$0")/lib.sh"

need_kvm boot_1cpu boot_2cpu || exit 0

initrd="$LOG_DIR/boot-initrd.bin"
head -c $((300 * 1024 + 17)) /dev/urandom >"$initrd"
want_initrd="$(stat -c %s "$initrd"):$(crc32 "$initrd")"
disk="$LOG_DIR/boot-disk.img"
head -c $((256 * 1024)) /dev/urandom >"$disk"

for cpus in 1 2; do
	name=boot_${cpus}cpu
	log="$LOG_DIR/$name.log"
	cmdline="probe.mem=512 console=ttyS0 words with  two spaces x=$cpus"
	lkvm "$log" -k "$PROBE_ELF" -m 512 -c "$cpus" -i "$initrd" -d "$disk,ro" --gpu headless \
		-p "$cmdline" --test-exit
	status=$?
	why=""
	for t in cmdline e820 initrd serial irq smp pci virtio_rng virtio_intx virtio_blk gpu; do
		v=$(probe_verdict "$log" "$t")
		[ "$v" = PASS ] || why="${why}probe test $t: $v; "
	done
	got=$(probe_info "$log" cmdline)
	[ "$got" = "$cmdline" ] || why="${why}cmdline is '$got', expected '$cmdline'; "
	got=$(probe_info "$log" initrd)
	[ "$got" = "$want_initrd" ] || why="${why}initrd is '$got', host computed '$want_initrd'; "
	got=$(probe_info "$log" cpus)
	[ "$got" = "$cpus" ] || why="${why}guest counts '$got' CPUs; "
	got=$(probe_info "$log" cpus_mptable)
	[ "$got" = "$cpus" ] || why="${why}MP table lists '$got' CPUs; "
	got=$(probe_info "$log" apic_ids)
	want=$(seq -s, 0 $((cpus - 1)))
	[ "$got" = "$want" ] || why="${why}APIC ids '$got', expected '$want'; "
	n=$(grep -a -c '^PROBE: info serial=line [123] of 3$' "$log")
	[ "$n" = 3 ] || why="${why}$n of 3 serial lines; "
	grep -a -q '^PROBE: ready$' "$log" || why="${why}no ready line; "
	[ "$(probe_summary "$log")" = "passed=11 failed=0 skipped=0" ] ||
		why="${why}summary '$(probe_summary "$log")'; "
	[ "$status" -eq 0 ] || why="${why}exit status $status; "
	if [ -z "$why" ]; then
		pass "$name"
	else
		fail "$name" "${why%; }" "$log"
	fi
done

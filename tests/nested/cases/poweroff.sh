# poweroff -f (ACPI S5) ends lkvm-gpu with 0, like a reboot.
GROUP=smp1
l1() {
	cat <<'L1'
l2run poweroff -t 90 -- $LKVM run -k "$L2_VMLINUX" -i "$L2_INITRD" -m 256 -c 1 -p "$L2_APPEND l2test=poweroff l2end=poweroff l2mods=none"
L1
}
check() {
	expect "L2: PASS poweroff requested"
	expect_rc 0
}

# Input: a line written to lkvm-gpu's stdin reaches the guest's ttyS0, and
# the guest's answer (userspace output through the UART) comes back.
GROUP=smp1
l1() {
	cat <<'L1'
l2run serial-echo -t 90 -f nested-echo-4711 -- $LKVM run -k "$L2_VMLINUX" -i "$L2_INITRD" -m 256 -c 1 -p "$L2_APPEND l2test=echo l2mods=none"
L1
}
check() {
	expect "L2: PASS echo got=nested-echo-4711"
	expect_rc 0
}

# A kernel panic (sysrq c) must end lkvm-gpu non-zero. panic=-1 reboot=t
# makes the kernel reset by triple fault right away, which lkvm-gpu reports
# as a crash; a timeout (the guest hanging) is a failure too.
GROUP=smp1
l1() {
	cat <<'L1'
l2run panic -t 90 -- $LKVM run -k "$L2_VMLINUX" -i "$L2_INITRD" -m 256 -c 1 -p "$L2_APPEND panic=-1 reboot=t l2test=panic l2mods=none"
L1
}
check() {
	expect "L2: PASS panic triggering"
	expect "Kernel panic"
	expect_rc_crash
}

# The same kernel as an ELF vmlinux (no decompression), 1 vCPU, reboot -> 0.
GROUP=smp1
l1() {
	cat <<'L1'
l2run boot-vmlinux-1cpu -t 90 -m "L2: init reached" -- $LKVM run -k "$L2_VMLINUX" -i "$L2_INITRD" -m 256 -c 1 -p "$L2_APPEND l2test=boot l2cpus=1"
L1
}
check() {
	expect "L2: init reached"
	expect "L2: PASS boot cpus=1"
	expect "L2: test done boot"
	expect_rc 0
}

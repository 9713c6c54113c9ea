# The Debian bzImage boots through the x86 boot protocol with 1 vCPU,
# reaches init, loads its modules, and reboot -f ends lkvm-gpu with 0.
GROUP=smp1
l1() {
	cat <<'L1'
l2run boot-bzimage-1cpu -t 90 -m "L2: init reached" -- $LKVM run -k "$L2_BZIMAGE" -i "$L2_INITRD_GZ" -m 256 -c 1 -p "$L2_APPEND l2test=boot l2cpus=1"
L1
}
check() {
	expect "L2: init reached"
	expect "L2: modules loaded"
	expect "L2: PASS boot cpus=1"
	expect "L2: test done boot"
	expect_rc 0
}

# bzImage with 2 vCPUs (L1 has 2): the AP comes up through INIT/SIPI.
GROUP=smp2
l1() {
	cat <<'L1'
l2run boot-bzimage-2cpu -t 120 -m "L2: init reached" -- $LKVM run -k "$L2_BZIMAGE" -i "$L2_INITRD_GZ" -m 256 -c 2 -p "$L2_APPEND l2test=boot l2cpus=2"
L1
}
check() {
	expect "L2: init reached"
	expect "L2: PASS boot cpus=2 online=0-1"
	expect_rc 0
}

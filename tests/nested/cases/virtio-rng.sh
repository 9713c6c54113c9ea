# virtio-rng (on by default): /dev/hwrng is backed by virtio_rng and yields
# bytes that differ between two reads.
GROUP=smp1
NEEDS=--no-rng
l1() {
	cat <<'L1'
l2run virtio-rng -t 90 -- $LKVM run -k "$L2_VMLINUX" -i "$L2_INITRD" -m 256 -c 1 -p "$L2_APPEND l2test=rng"
L1
}
check() {
	expect "L2: PASS rng virtio_rng"
	expect_rc 0
}

# 4 GiB of guest RAM (more than L1 has: lkvm-gpu maps it MAP_NORESERVE):
# the e820 map with the PCI hole below 4 GiB must give Linux nearly all of
# it, and devices in the hole must still work (virtio-rng).
GROUP=smp1
l1() {
	cat <<'L1'
l2run mem-4g -t 90 -- $LKVM run -k "$L2_VMLINUX" -i "$L2_INITRD" -m 4096 -c 1 -p "$L2_APPEND l2test=boot l2memkb=3900000"
L1
}
check() {
	expect "L2: PASS boot cpus=1"
	expect_rc 0
}

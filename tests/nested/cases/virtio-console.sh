# virtio-console (--console virtio): L2 writes a line to /dev/hvc0 and it
# comes out of lkvm-gpu's stdout; the serial console keeps working beside it.
GROUP=smp1
NEEDS=--console
l1() {
	cat <<'L1'
l2run virtio-console -t 90 -- $LKVM run -k "$L2_VMLINUX" -i "$L2_INITRD" -m 256 -c 1 --console virtio -p "$L2_APPEND l2test=hvc"
L1
}
check() {
	expect "L2: PASS hvc wrote to /dev/hvc0"
	expect "L2: hvc0 says hello"
	expect_rc 0
}

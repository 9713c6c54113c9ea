# virtio-blk: L2 writes a 1 MiB pattern to /dev/vda and syncs; the image
# comes back to the host, which checks every byte.
GROUP=smp1
NEEDS=--disk
l1() {
	cat <<'L1'
truncate -s 8M "$WORK/blk.img"
l2run virtio-blk -t 90 -- $LKVM run -k "$L2_VMLINUX" -i "$L2_INITRD" -m 256 -c 1 -d "$WORK/blk.img" -p "$L2_APPEND l2test=blk"
head -c 1048576 "$WORK/blk.img" >"$OUT/blk-1m.img"
L1
}
check() {
	expect "L2: PASS blk wrote 1 MiB sectors=16384"
	expect_rc 0
	expect_file blk-1m.img
	awk 'BEGIN { for (i = 0; i < 256; i++) printf "%-4095s\n", sprintf("lkvm-gpu blk block %08d", i) }' >"$CASE_TMP/want"
	cmp "$CASE_TMP/want" "$RESULTS/blk-1m.img" >"$CASE_TMP/cmp" 2>&1 ||
		fail "disk image differs from the pattern: $(head -n1 "$CASE_TMP/cmp")"
}

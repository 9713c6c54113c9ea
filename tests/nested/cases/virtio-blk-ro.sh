# virtio-blk read-only: L1 fills an image with a pattern, L2 reads it back
# through the device (md5 of the first MiB must match the host's) and its
# write is refused; the image is unchanged afterwards.
GROUP=smp1
NEEDS=--disk
l1() {
	cat <<'L1'
awk 'BEGIN { for (i = 0; i < 512; i++) printf "%-4095s\n", sprintf("lkvm-gpu host block %08d", i) }' >"$WORK/ro.img"
echo "L1: ro.img md5 before $(md5sum <"$WORK/ro.img" | cut -d' ' -f1)"
l2run virtio-blk-ro -t 90 -- $LKVM run -k "$L2_VMLINUX" -i "$L2_INITRD" -m 256 -c 1 -d "$WORK/ro.img,ro" -p "$L2_APPEND l2test=blkro"
echo "L1: ro.img md5 after $(md5sum <"$WORK/ro.img" | cut -d' ' -f1)"
L1
}
check() {
	local want before after
	want=$(awk 'BEGIN { for (i = 0; i < 256; i++) printf "%-4095s\n", sprintf("lkvm-gpu host block %08d", i) }' | md5sum | cut -d' ' -f1)
	expect "L2: blkro md5=$want"
	expect "L2: PASS blkro ro=1 write refused"
	expect_rc 0
	before=$(sed -n 's/^L1: ro.img md5 before //p' "$log")
	after=$(sed -n 's/^L1: ro.img md5 after //p' "$log")
	[ -n "$before" ] && [ "$before" = "$after" ] || fail "image changed: md5 '$before' before, '$after' after"
}

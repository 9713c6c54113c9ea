# virtio devices driven by the probe's own virtio-pci driver (MSI-X on):
#   blk: the guest's CRC of the first 64 KiB matches the image; a 64 KiB
#        pattern written at 4 KiB and flushed is in the file when the VM
#        ends, the rest of the file untouched; a read-only disk refuses the
#        write (IOERR) and stays unchanged; a read past the end fails.
#   hostile: malformed chains and queue set-ups (tests/virtio_hostile.c);
#        the VMM survives, never reports success, the device works after a
#        reset, and the (writable) image is untouched.
#   rng: bytes arrive (MSI-X, one interrupt per request); INTx instead of
#        MSI-X through the MP table's routing (one acknowledged interrupt per
#        request; spurious ones are reported in the log); --no-rng removes
#        the device.
. "$(dirname "$0")/lib.sh"

need_kvm virtio_blk_write virtio_blk_read_only virtio_hostile virtio_rng virtio_intx \
	virtio_no_rng || exit 0

orig="$LOG_DIR/virtio-disk.orig"
img="$LOG_DIR/virtio-disk.img"
head -c $((1024 * 1024)) /dev/urandom >"$orig"
cp "$orig" "$img"
seed=$(( $(date +%s) % 100000 + 1 ))

# range_crc FILE OFFSET LEN
range_crc() {
	tail -c +$(($2 + 1)) "$1" | head -c "$3" >"$LOG_DIR/virtio-range.bin"
	crc32 "$LOG_DIR/virtio-range.bin"
}

name=virtio_blk_write
log="$LOG_DIR/$name.log"
lkvm "$log" -d "$img" -p "probe.tests=virtio_blk,blk_write probe.blk_seed=$seed" --test-exit
status=$?
why=""
for t in virtio_blk blk_write; do
	v=$(probe_verdict "$log" "$t")
	[ "$v" = PASS ] || why="${why}probe test $t: $v; "
done
[ "$(probe_info "$log" blk_capacity)" = 2048 ] || why="${why}capacity '$(probe_info "$log" blk_capacity)'; "
[ "$(probe_info "$log" blk_msix)" = yes ] || why="${why}no MSI-X; "
want="0:65536:$(range_crc "$orig" 0 65536)"
[ "$(probe_info "$log" blk_crc)" = "$want" ] || why="${why}guest read CRC '$(probe_info "$log" blk_crc)', image has '$want'; "
w=$(probe_info "$log" blk_write)
want="4096:65536:$(range_crc "$img" 4096 65536)"
[ "$w" = "$want" ] || why="${why}guest wrote '$w', the file holds '$want'; "
cmp -s <(head -c 4096 "$orig") <(head -c 4096 "$img") || why="${why}bytes before the write changed; "
cmp -s <(tail -c +69633 "$orig") <(tail -c +69633 "$img") || why="${why}bytes after the write changed; "
[ "$status" -eq 0 ] || why="${why}exit status $status; "
if [ -z "$why" ]; then pass "$name"; else fail "$name" "${why%; }" "$log"; fi

name=virtio_blk_read_only
log="$LOG_DIR/$name.log"
cp "$orig" "$img"
lkvm "$log" -d "$img,ro" -p "probe.tests=virtio_blk,blk_write probe.blk_seed=$seed" --test-exit
status=$?
why=""
for t in virtio_blk blk_write; do
	v=$(probe_verdict "$log" "$t")
	[ "$v" = PASS ] || why="${why}probe test $t: $v; "
done
[ "$(probe_info "$log" blk_ro)" = 1 ] || why="${why}the guest did not see VIRTIO_BLK_F_RO; "
[ "$(probe_info "$log" blk_write)" = ioerr ] || why="${why}write gave '$(probe_info "$log" blk_write)'; "
cmp -s "$orig" "$img" || why="${why}the read-only image changed; "
[ "$status" -eq 0 ] || why="${why}exit status $status; "
if [ -z "$why" ]; then pass "$name"; else fail "$name" "${why%; }" "$log"; fi

name=virtio_hostile
log="$LOG_DIR/$name.log"
cp "$orig" "$img"
lkvm "$log" -d "$img" -p "probe.tests=virtio_hostile" --test-exit
status=$?
why=""
v=$(probe_verdict "$log" virtio_hostile)
[ "$v" = PASS ] || why="${why}probe: $v; "
n=$(probe_info "$log" hostile_cases)
[ "$n" = 21 ] || why="${why}$n of 21 cases ran; "
cmp -s "$orig" "$img" || why="${why}the image changed; "
[ "$status" -eq 0 ] || why="${why}exit status $status; "
if [ -z "$why" ]; then pass "$name"; else fail "$name" "${why%; }" "$log"; fi

name=virtio_rng
log="$LOG_DIR/$name.log"
lkvm "$log" -p "probe.tests=virtio_rng" --test-exit
status=$?
why=""
v=$(probe_verdict "$log" virtio_rng)
[ "$v" = PASS ] || why="${why}probe: $v; "
[ "$(probe_info "$log" rng_msix)" = yes ] || why="${why}no MSI-X; "
[ "$status" -eq 0 ] || why="${why}exit status $status; "
if [ -z "$why" ]; then pass "$name"; else fail "$name" "${why%; }" "$log"; fi

name=virtio_intx
log="$LOG_DIR/$name.log"
lkvm "$log" -p "probe.tests=virtio_intx" --test-exit
status=$?
why=""
v=$(probe_verdict "$log" virtio_intx)
[ "$v" = PASS ] || why="${why}probe: $v; "
case $(probe_info "$log" intx) in
*INTA:ioapic_pin=1[6-9]:* | *INTA:ioapic_pin=2[0-3]:*) ;;
*) why="${why}INTx routed as '$(probe_info "$log" intx)', expected an IOAPIC pin 16-23; " ;;
esac
[ "$status" -eq 0 ] || why="${why}exit status $status; "
if [ -z "$why" ]; then pass "$name"; else fail "$name" "${why%; }" "$log"; fi

name=virtio_no_rng
log="$LOG_DIR/$name.log"
lkvm "$log" --no-rng -p "probe.tests=virtio_rng" --test-exit
status=$?
v=$(probe_verdict "$log" virtio_rng)
case $v in
"SKIP: no virtio-rng device"*) [ "$status" -eq 0 ] && pass "$name" || fail "$name" "exit status $status" "$log" ;;
*) fail "$name" "with --no-rng the probe says: $v" "$log" ;;
esac

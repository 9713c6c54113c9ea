#!/bin/sh
# mkinitramfs-l2.sh DEBDIR OUTDIR [PROGRAM...]
# Builds the L2 test guest's initramfs from what fetch-debian.sh unpacked in
# DEBDIR: busybox-static with its applet links, /init and the tests from
# guest/linux/l2/, the virtio/drm/virtio-gpu modules in dependency order
# (and ext4 for the GL test's root filesystem, evdev for the input test,
# each loaded by that test only),
# and any extra static PROGRAMs (copied to /bin). Writes
# OUTDIR/initramfs.cpio.gz and an uncompressed OUTDIR/initramfs.cpio (the
# nested runner uses the latter: decompressing costs more than copying when
# every instruction is emulated).
set -eu

deb=$1
out=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
kver=$(cat "$deb/kver")
moddir=$deb/linux/lib/modules/$kver

# What the tests need: virtio over PCI, blk, rng, console, input, the GPU stack.
MODULES="virtio_pci virtio_blk virtio-rng virtio_console virtio_input virtio_gpu"
# Loaded only by the GL test, which mounts its root filesystem (ext2, through
# the ext4 driver, which wants the crc32c hash at mount) from virtio-blk:
# /etc/modules-gl.order.
GL_MODULES="crc32c_generic ext4"
# Loaded only by the input test: /dev/input/event* (/etc/modules-input.order).
INPUT_MODULES="evdev"

root=$out/l2root
rm -rf "$root"
mkdir -p "$root/bin" "$root/etc" "$root/lib/modules" "$root/proc" "$root/sys" \
	"$root/dev" "$root/tmp"
cp "$deb/busybox" "$root/bin/busybox"
for app in $("$deb/busybox" --list); do
	[ "$app" = busybox ] || ln -s busybox "$root/bin/$app"
done
install -m 755 "$here/l2/init" "$root/init"
install -m 644 "$here/l2/l2tests.sh" "$root/lib/l2tests.sh"

# shellcheck disable=SC2086 # one word per module
"$here/modorder.sh" "$moddir" $MODULES >"$root/etc/modules.order"
# shellcheck disable=SC2086
"$here/modorder.sh" "$moddir" $GL_MODULES >"$root/etc/modules-gl.order"
# shellcheck disable=SC2086
"$here/modorder.sh" "$moddir" $INPUT_MODULES >"$root/etc/modules-input.order"
for f in modules modules-gl modules-input; do cat "$root/etc/$f.order"; done | while read -r ko; do
	mkdir -p "$root/lib/modules/$(dirname "$ko")"
	cp "$moddir/$ko" "$root/lib/modules/$ko"
done

for p in "$@"; do
	install -m 755 "$p" "$root/bin/"
done

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out/initramfs.cpio.tmp"
gzip -6 -n -c "$out/initramfs.cpio.tmp" >"$out/initramfs.cpio.gz"
mv "$out/initramfs.cpio.tmp" "$out/initramfs.cpio"
echo "mkinitramfs-l2: $out/initramfs.cpio.gz ($(wc -c <"$out/initramfs.cpio.gz") bytes," \
	"$(wc -l <"$root/etc/modules.order") modules)"

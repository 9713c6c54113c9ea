#!/bin/sh
# mkl1base.sh [--qemu] OUT.cpio
# Builds the part of the nested runner's L1 initramfs that is the same for
# every run: busybox, the L1 /init, the kvm modules (irqbypass, kvm, ccp,
# kvm-amd) and virtio-blk for the results disk, 9p (not loaded at boot), l1run, lkvm-gpu with the
# shared libraries ldd lists (if build/lkvm-gpu exists), and the L2 test
# guest (bzImage, vmlinux, initramfs). With --qemu, also QEMU and the
# firmware it needs, for the microvm comparison in the benchmark.
# Uncompressed on purpose: L1 runs under TCG, where unpacking a compressed
# initramfs costs seconds and copying one costs little.
# Run from the repository root after `make linux-guest`.
set -eu

with_qemu=0
if [ "${1:-}" = --qemu ]; then
	with_qemu=1
	shift
fi
out=$1
here=$(cd "$(dirname "$0")" && pwd)
deb=build/debian
g=build/guest
kver=$(cat "$deb/kver")
moddir=$deb/linux/lib/modules/$kver

root=$(dirname "$out")/l1root
rm -rf "$root"
mkdir -p "$root/bin" "$root/etc" "$root/lib/modules" "$root/proc" "$root/sys" \
	"$root/dev" "$root/tmp" "$root/l2" "$root/in" "$root/out"
cp "$deb/busybox" "$root/bin/busybox"
for app in $("$deb/busybox" --list); do
	[ "$app" = busybox ] || ln -s busybox "$root/bin/$app"
done
ln -s bin "$root/sbin"
install -m 755 "$here/l1-init" "$root/init"
install -m 644 "$here/nested.sh" "$root/lib/nested.sh"
install -m 755 "$g/bin/l1run" "$root/bin/l1run"

guest/linux/modorder.sh "$moddir" kvm-amd virtio_pci virtio_blk >"$root/etc/modules.order"
# 9p over virtio, loaded only by runs that mount a host folder (gl_setup in
# nested.sh); modules already loaded at boot are skipped there.
guest/linux/modorder.sh "$moddir" 9p 9pnet_virtio >"$root/etc/modules-9p.order"
# ext4 on a loop device (crc32c for its checksums), loaded only by the
# blk-durable case, which puts a disk image on ext4.
guest/linux/modorder.sh "$moddir" crc32c_generic ext4 loop >"$root/etc/modules-ext4.order"
cat "$root/etc/modules.order" "$root/etc/modules-9p.order" "$root/etc/modules-ext4.order" | while read -r ko; do
	mkdir -p "$root/lib/modules/$(dirname "$ko")"
	cp "$moddir/$ko" "$root/lib/modules/$ko"
done

cp "$g/bzImage" "$g/vmlinux" "$g/initramfs.cpio" "$g/initramfs.cpio.gz" "$root/l2/"
# The probe guest too, when built: the cases that run it under lkvm-gpu in
# L1 (its 3D tests on a host without /dev/kvm).
if [ -f build/guest/probe.elf ]; then
	cp build/guest/probe.elf "$root/l2/"
fi

# A dynamically linked program and everything its loader will look for.
copy_with_libs() {
	install -m 755 "$1" "$root/bin/$(basename "$1")"
	ldd "$1" | awk '/=> \// { print $3 } /^\t\/[^ ]+ \(/ { print $1 }' |
		while read -r lib; do
			mkdir -p "$root$(dirname "$lib")"
			cp -L "$lib" "$root$lib"
		done
}

if [ -x build/lkvm-gpu ]; then
	copy_with_libs build/lkvm-gpu
	echo "mkl1base: lkvm-gpu included"
else
	echo "mkl1base: no build/lkvm-gpu yet; L1 runs will skip lkvm-gpu steps"
fi

# mke2fs for that ext4 file system (busybox's makes only ext2).
if [ -x /usr/sbin/mke2fs ]; then
	copy_with_libs /usr/sbin/mke2fs
	[ -f /etc/mke2fs.conf ] && cp /etc/mke2fs.conf "$root/etc/"
fi

if [ $with_qemu = 1 ]; then
	copy_with_libs "$(command -v qemu-system-x86_64)"
	# QEMU looks for firmware in <binary dir>/../share/qemu.
	mkdir -p "$root/share/qemu"
	for f in bios-microvm.bin qboot.rom pvh.bin linuxboot_dma.bin kvmvapic.bin bios-256k.bin; do
		[ -e "/usr/share/qemu/$f" ] && cp -L "/usr/share/qemu/$f" "$root/share/qemu/"
	done
	echo "mkl1base: qemu-system-x86_64 included"
fi

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
rm -rf "$root"
echo "mkl1base: $out ($(($(wc -c <"$out") / 1048576)) MiB)"

#!/bin/sh
# mkrootfs-gl.sh DEBGLDIR OUT.img [PROGRAM...]
# The L2 guest's GL root filesystem, on virtio-blk: the Debian packages
# fetch-debian-gl.sh unpacked in DEBGLDIR/root (Mesa, eglinfo, kmscube,
# glmark2 and their libraries) without their docs, man pages and
# translations, plus our PROGRAMs in /usr/bin, as an ext2 image made
# without root by `mke2fs -d` (L2 mounts it read-only with the ext4 driver
# and runs the programs chrooted: guest/linux/l2/l2tests.sh, test_gl).
set -eu

src=$1/root
img=$2
shift 2
stage=$(dirname "$img")/glroot
rm -rf "$stage"
# Hard links: no second copy of 270 MB (and the DRI drivers stay one inode).
cp -al "$src" "$stage"
rm -rf "$stage/usr/share/doc" "$stage/usr/share/man" "$stage/usr/share/locale" \
	"$stage/usr/share/lintian" "$stage/usr/share/bug" "$stage/usr/share/iso-codes" \
	"$stage/usr/share/xml/iso-codes"
mkdir -p "$stage/dev" "$stage/proc" "$stage/sys" "$stage/tmp" "$stage/usr/bin"
for p in "$@"; do
	# A copy, not install's replace-in-place: the staging tree is hard links.
	cp "$p" "$stage/usr/bin/"
	chmod 755 "$stage/usr/bin/$(basename "$p")"
done
# Size: the files plus a fifth for ext2's own blocks, in MiB.
mib=$(du -sm "$stage" | cut -f1)
mib=$((mib + mib / 5 + 16))
rm -f "$img.tmp"
mke2fs -q -F -t ext2 -m 0 -E root_owner=0:0 -L l2gl -d "$stage" "$img.tmp" "${mib}M"
mv "$img.tmp" "$img"
rm -rf "$stage"
echo "mkrootfs-gl: $img ($mib MiB, $(du -m "$img" | cut -f1) MiB used)"

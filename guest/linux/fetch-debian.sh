#!/bin/sh
# fetch-debian.sh OUTDIR
# Downloads the Debian kernel (the real linux-image-<abi>-amd64 package that
# the linux-image-amd64 meta package points at) and busybox-static with
# `apt-get download`, and unpacks them under OUTDIR:
#   OUTDIR/debs/*.deb           the packages (kept as a cache)
#   OUTDIR/linux/               the unpacked kernel package, with modules.dep
#   OUTDIR/busybox              the static busybox binary
#   OUTDIR/vmlinuz, vmlinux     the bzImage and the ELF recovered from it
#   OUTDIR/kver                 the kernel release, e.g. 6.1.0-56-amd64
# Does nothing when OUTDIR/stamp exists.
set -eu

out=$1
here=$(cd "$(dirname "$0")" && pwd)
[ -f "$out/stamp" ] && exit 0
mkdir -p "$out/debs"

# The meta package names the kernel ABI package it depends on.
pkg_of_meta() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
}
kpkg=$(pkg_of_meta)
if [ -z "$kpkg" ]; then
	echo "fetch-debian: apt lists empty or stale, running apt-get update" >&2
	apt-get update -qq
	kpkg=$(pkg_of_meta)
fi
if [ -z "$kpkg" ]; then
	echo "fetch-debian: cannot resolve linux-image-amd64 to a kernel package" >&2
	exit 1
fi

cd "$out/debs"
for p in "$kpkg" busybox-static; do
	if ! ls "${p}"_*.deb >/dev/null 2>&1; then
		echo "fetch-debian: apt-get download $p"
		apt-get download -q "$p" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true
		ls "${p}"_*.deb >/dev/null
	fi
done
cd - >/dev/null

rm -rf "$out/linux" "$out/bb"
dpkg-deb -x "$(ls "$out"/debs/"$kpkg"_*.deb | head -n1)" "$out/linux"
dpkg-deb -x "$(ls "$out"/debs/busybox-static_*.deb | head -n1)" "$out/bb"
cp "$out/bb/bin/busybox" "$out/busybox"
rm -rf "$out/bb"

kver=${kpkg#linux-image-}
[ -d "$out/linux/lib/modules/$kver" ]
# The package ships no modules.dep; make one for our dependency resolver.
depmod -b "$out/linux" "$kver"
cp "$out/linux/boot/vmlinuz-$kver" "$out/vmlinuz"
"$here/extract-vmlinux.sh" "$out/vmlinuz" "$out/vmlinux"
echo "$kver" >"$out/kver"
touch "$out/stamp"
echo "fetch-debian: kernel $kver ready in $out"

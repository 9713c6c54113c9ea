#!/bin/sh
# build/lkvm-gpu_VERSION_ARCH.deb from a staged `make install` (PREFIX=/usr)
# with dpkg-deb: the binary stripped, the man page and changelog compressed,
# a copyright file, and Depends computed by dpkg-shlibdeps from the binary's
# libraries (the runtime libraries only; a fixed list if it cannot run).
#   scripts/deb/build-deb.sh [OUT_DIR]      (default: build)
# DEB_MAINTAINER sets the Maintainer field.
set -eu
cd "$(dirname "$0")/../.."
out=${1:-build}
version=$(sed -n 's/.*LKVM_GPU_VERSION "\(.*\)".*/\1/p' vmm/version.h)
arch=$(dpkg --print-architecture)
work=build/deb
stage=$work/root
deb=$out/lkvm-gpu_${version}_${arch}.deb
maint=${DEB_MAINTAINER:-lkvm-gpu developers <lkvm-gpu@example.org>}

rm -rf "$work"
mkdir -p "$stage" "$out"
make -s install DESTDIR="$PWD/$stage" PREFIX=/usr >/dev/null
strip --remove-section=.comment --remove-section=.note --strip-unneeded \
	"$stage/usr/bin/lkvm-gpu"
gzip -9n "$stage/usr/share/man/man1/lkvm-gpu.1"
doc=$stage/usr/share/doc/lkvm-gpu
mkdir -p "$doc" "$stage/usr/share/lintian/overrides"
# The same copyright, changelog and overrides as dpkg-buildpackage's (debian/).
cp debian/copyright "$doc/copyright"
gzip -9n <debian/changelog >"$doc/changelog.gz"
# The probe is a guest image (freestanding x86-64 ELF), not a host program.
cp debian/lkvm-gpu.lintian-overrides "$stage/usr/share/lintian/overrides/lkvm-gpu"

# Depends: what the binary links, as dpkg-shlibdeps names the packages.
depends=""
mkdir -p "$work/src/debian"
printf 'Source: lkvm-gpu\n\nPackage: lkvm-gpu\nArchitecture: any\n' >"$work/src/debian/control"
if depends=$(cd "$work/src" && dpkg-shlibdeps -O "$PWD/../root/usr/bin/lkvm-gpu" 2>/dev/null); then
	depends=${depends#shlibs:Depends=}
fi
if [ -z "$depends" ]; then
	depends="libc6, libegl1, libepoxy0, libgbm1, libpixman-1-0, libpng16-16, libvirglrenderer1, libwayland-client0"
fi

size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
mkdir -p "$stage/DEBIAN"
cat >"$stage/DEBIAN/control" <<CONTROL
Package: lkvm-gpu
Version: $version
Architecture: $arch
Maintainer: $maint
Installed-Size: $size
Depends: $depends
Section: misc
Priority: optional
Description: small KVM virtual machine monitor with a virtio-gpu device
 lkvm-gpu boots Linux kernels and images under KVM, kvmtool style, with a
 serial console, virtio-blk, virtio-console, virtio-rng and a virtio-gpu
 device (2D, or OpenGL for the guest through virglrenderer), shown headless
 or in a Wayland window. For CI it judges a boot itself: timeouts, expected
 console lines and screens, fail patterns and a JSON result.
CONTROL
find "$stage" -type d -exec chmod 0755 {} +
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"

#!/bin/sh
# Installs every Debian 12 package lkvm-gpu needs to build, test and
# benchmark. Idempotent: packages already present are left alone.
set -eu

PKGS="
build-essential pkg-config linux-libc-dev
libcriterion-dev
libpixman-1-dev libpng-dev
libwayland-dev wayland-protocols libxkbcommon-dev
libx11-dev libxcb1-dev libxcb-shm0-dev libxcb-image0-dev
libxcb-xkb-dev libxcb-render0-dev libxcb-damage0-dev libxcb-xtest0-dev
libvirglrenderer-dev libepoxy-dev libgbm-dev libegl-dev libegl-mesa0 libgl1-mesa-dri
clang llvm libclang-rt-14-dev lld
qemu-system-x86 qemu-system-gui busybox-static cpio gzip xz-utils zstd kmod
weston xvfb xdotool edid-decode x11-xkb-utils
python3 time
e2fsprogs
man-db
"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	echo "install-deps: all packages present"
	exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then
	SUDO=sudo
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing

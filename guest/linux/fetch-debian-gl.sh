#!/bin/sh
# fetch-debian-gl.sh OUTDIR
# The L2 guest's GL userland, from Debian packages: Mesa (the virgl and
# kms_swrast gallium drivers, EGL, GBM, GLES), eglinfo (mesa-utils-bin),
# kmscube and glmark2-es2-drm, with every package they depend on (apt-cache
# depends --recurse, Depends and Pre-Depends only), fetched with
# `apt-get download` (no root install) and unpacked into one tree:
#   OUTDIR/debs/*.deb      the packages (kept as a cache)
#   OUTDIR/root/           all of them unpacked (dpkg-deb -x), nothing run
#   OUTDIR/packages        the package list
# Does nothing when OUTDIR/stamp exists.
set -eu

out=$1
[ -f "$out/stamp" ] && exit 0
TOP="libgl1-mesa-dri libegl-mesa0 libegl1 libgbm1 libgles2 mesa-utils-bin kmscube glmark2-es2-drm"

closure() {
	# shellcheck disable=SC2086 # one word per package
	apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
		--no-breaks --no-replaces --no-enhances $TOP 2>/dev/null |
		awk '/^[a-z0-9]/ { print $1 }' | LC_ALL=C sort -u
}
pkgs=$(closure)
if [ -z "$pkgs" ]; then
	echo "fetch-debian-gl: apt lists empty or stale, running apt-get update" >&2
	apt-get update -qq
	pkgs=$(closure)
fi
mkdir -p "$out/debs"
echo "$pkgs" >"$out/packages"
cd "$out/debs"
need=""
for p in $pkgs; do
	ls "${p}"_*.deb >/dev/null 2>&1 || need="$need $p"
done
if [ -n "$need" ]; then
	echo "fetch-debian-gl: apt-get download$need"
	# shellcheck disable=SC2086
	apt-get download -q $need 2>&1 | grep -v '^W: Download is performed unsandboxed' || true
fi
for p in $pkgs; do
	if ! ls "${p}"_*.deb >/dev/null 2>&1; then
		echo "fetch-debian-gl: $p did not download" >&2
		exit 1
	fi
done
cd - >/dev/null
rm -rf "$out/root"
mkdir -p "$out/root"
for p in $pkgs; do
	dpkg-deb -x "$(ls "$out"/debs/"$p"_*.deb | head -n1)" "$out/root"
done
touch "$out/stamp"
echo "fetch-debian-gl: $(echo "$pkgs" | wc -w) packages, $(du -sm "$out/root" | cut -f1) MiB unpacked in $out/root"

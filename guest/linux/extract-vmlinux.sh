#!/bin/sh
# extract-vmlinux.sh BZIMAGE OUT
# Recovers the uncompressed ELF vmlinux from an x86 bzImage. The setup
# header (boot protocol >= 2.08) says where the compressed payload sits
# (payload_offset/payload_length, relative to the protected-mode code), so
# no guessing is needed; the payload's magic then picks the decompressor.
# The payload ends with the kernel's relocation table after the ELF image;
# it is cut off so that the result is exactly the ELF file.
set -eu

bz=$1
out=$2

le32() { od -An -t u4 -j "$1" -N 4 "$bz" | tr -d ' '; }
u8() { od -An -t u1 -j "$1" -N 1 "$bz" | tr -d ' '; }

hdr=$(od -An -c -j 514 -N 4 "$bz" | tr -d ' ')
if [ "$hdr" != "HdrS" ]; then
	echo "extract-vmlinux: $bz: no 'HdrS' setup header, not a bzImage" >&2
	exit 1
fi
setup_sects=$(u8 497)
[ "$setup_sects" -eq 0 ] && setup_sects=4
pm_start=$(((setup_sects + 1) * 512))
poff=$(le32 584)
plen=$(le32 588)
start=$((pm_start + poff))

tmp=$out.tmp
payload() { tail -c +"$((start + 1))" "$bz" | head -c "$plen"; }
magic=$(payload | od -An -t x1 -N 6 | tr -d ' ')
case $magic in
fd377a585a00) payload | xz -dc --single-stream >"$tmp" ;;
28b52ffd*) payload | zstd -dcq >"$tmp" 2>/dev/null || [ -s "$tmp" ] ;;
1f8b*) payload | gzip -dc >"$tmp" 2>/dev/null || [ -s "$tmp" ] ;;
*)
	echo "extract-vmlinux: unknown payload magic $magic" >&2
	exit 1
	;;
esac

elf=$(od -An -c -N 4 "$tmp" | tr -d ' ')
if [ "$elf" != "177ELF" ]; then
	echo "extract-vmlinux: decompressed payload is not an ELF file" >&2
	rm -f "$tmp"
	exit 1
fi
# ELF64 end = e_shoff + e_shnum * e_shentsize (section headers come last).
shoff=$(od -An -t u8 -j 40 -N 8 "$tmp" | tr -d ' ')
shentsize=$(od -An -t u2 -j 58 -N 2 "$tmp" | tr -d ' ')
shnum=$(od -An -t u2 -j 60 -N 2 "$tmp" | tr -d ' ')
end=$((shoff + shnum * shentsize))
size=$(wc -c <"$tmp")
if [ "$end" -gt 0 ] && [ "$end" -lt "$size" ]; then
	truncate -s "$end" "$tmp"
fi
mv "$tmp" "$out"

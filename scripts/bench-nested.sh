#!/bin/sh
# bench-nested.sh [--runs N] [--no-qemu]
# L2 boot time under lkvm-gpu inside the nested runner's L1: from starting
# the VMM to the L2 init marker ("L2: init reached", timed inside L1 by
# l1run), for the bzImage and the ELF vmlinux, N runs each (default 5) in one
# L1 boot; and, unless --no-qemu, the same guest under
# `qemu-system-x86_64 -enable-kvm -M microvm` in the same L1. Prints the
# median and the spread of each. BENCH_APPEND adds L2 kernel parameters.
# Needs `make nested-base` and, for QEMU, build/nested/l1-base-qemu.cpio
# (`make bench-nested` builds both).
set -eu
cd "$(dirname "$0")/.."

runs=5
qemu=1
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=$2 && shift ;;
	--no-qemu) qemu=0 ;;
	*)
		echo "usage: bench-nested.sh [--runs N] [--no-qemu]" >&2
		exit 2
		;;
	esac
	shift
done

dir=build/nested/bench
mkdir -p "$dir"
base=build/nested/l1-base.cpio
[ $qemu = 1 ] && base=build/nested/l1-base-qemu.cpio
script=$dir/l1.sh
extra=${BENCH_APPEND:-}
{
	echo "A=\"\$L2_APPEND l2test=boot l2mods=none $extra\""
	i=1
	while [ "$i" -le "$runs" ]; do
		# Alternate the variants so that load changes hit all alike.
		echo "l2run lkvm-bzImage-$i -t 90 -m 'L2: init reached' -- \$LKVM run -k \"\$L2_BZIMAGE\" -i \"\$L2_INITRD_GZ\" -m 256 -c 1 -p \"\$A\""
		echo "l2run lkvm-vmlinux-$i -t 90 -m 'L2: init reached' -- \$LKVM run -k \"\$L2_VMLINUX\" -i \"\$L2_INITRD\" -m 256 -c 1 -p \"\$A\""
		if [ $qemu = 1 ]; then
			# microvm has no i8042: reboot=t (triple fault) ends QEMU via -no-reboot.
			echo "l2run qemu-microvm-vmlinux-$i -t 90 -m 'L2: init reached' -- qemu-system-x86_64 -enable-kvm -M microvm -cpu host -m 256 -smp 1 -nodefaults -no-user-config -nographic -serial stdio -no-reboot -kernel \"\$L2_VMLINUX\" -initrd \"\$L2_INITRD\" -append \"\$A reboot=t\""
		fi
		i=$((i + 1))
	done
} >"$script"

t0=$(date +%s)
scripts/nested-run --quiet --base "$base" --timeout $((120 + runs * 3 * 100)) \
	--log "$dir/console.log" --out "$dir/out" "$script" || true
total=$(($(date +%s) - t0))

# Per variant: the MARK times of its runs, sorted; median, min, max.
echo "L2 boot to its init marker, inside L1 (QEMU TCG, -cpu qemu64,+svm,+npt), $runs runs each:"
for v in lkvm-bzImage lkvm-vmlinux qemu-microvm-vmlinux; do
	times=$(awk -v v="$v" '
		index($0, "L1: BEGIN " v "-") == 1 { on = 1; next }
		/^L1: END / { on = 0 }
		on && /^L1: MARK \+/ { sub(/^L1: MARK \+/, ""); print $1 + 0 }' "$dir/console.log" | sort -n)
	n=$(printf '%s\n' "$times" | grep -c . || true)
	if [ "$n" -eq 0 ]; then
		[ $qemu = 0 ] && [ "$v" = qemu-microvm-vmlinux ] && continue
		echo "  $v: no run reached the marker (see $dir/console.log)"
		continue
	fi
	med=$(printf '%s\n' "$times" | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }')
	min=$(printf '%s\n' "$times" | head -n1)
	max=$(printf '%s\n' "$times" | tail -n1)
	echo "  $v: median ${med} ms (min $min, max $max, $n of $runs runs reached the marker)"
done
echo "whole benchmark: ${total} s (log $dir/console.log)"

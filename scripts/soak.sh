#!/bin/bash
# soak.sh [--minutes N] [--interval S] [--nested|--direct]   (make soak)
# The probe guest (its `soak` test) drives random valid and hostile
# virtio-blk, -gpu, -console and -input operations for N minutes (default
# $SOAK_MINUTES or 10) while the host samples lkvm-gpu's RSS and fd count
# every S seconds (default 30; scripts/soak-vm.sh). Directly on a host with a
# usable /dev/kvm, else inside the nested runner's L1 (scripts/nested-run;
# wrap it in `flock /tmp/nested.lock`). scripts/soak-judge.py then checks
# that RSS and fds stay flat, stderr stays within the rate limiter's bound
# and the last interval is not slower than the first (the tolerances are in
# that script). Exit 0 when all hold, 1 otherwise, 2 on bad usage.
set -u
cd "$(dirname "$0")/.." || exit 2

minutes=${SOAK_MINUTES:-10}
interval=30
mode=auto
while [ $# -gt 0 ]; do
	case $1 in
	--minutes) minutes=${2:-} && shift ;;
	--interval) interval=${2:-} && shift ;;
	--nested) mode=nested ;;
	--direct) mode=direct ;;
	*)
		echo "usage: soak.sh [--minutes N] [--interval S] [--nested|--direct]" >&2
		exit 2
		;;
	esac
	shift
done
case "$minutes$interval" in
'' | *[!0-9]*)
	echo "soak.sh: --minutes and --interval take whole numbers" >&2
	exit 2
	;;
esac
if [ "$minutes" -lt 1 ] || [ "$interval" -lt 1 ]; then
	echo "soak.sh: --minutes and --interval must be at least 1" >&2
	exit 2
fi
if [ $mode = auto ]; then
	if [ -c /dev/kvm ] && [ -w /dev/kvm ] && [ ! -d /sys/module/kvm_pvm ]; then
		mode=direct
	else
		mode=nested
	fi
fi
secs=$((minutes * 60))
dir=build/soak
rm -rf "$dir"
mkdir -p "$dir"
log=$dir/soak.log
echo "soak: $minutes min ($mode), sampling every $interval s, log $log"
load0=$(cut -d' ' -f1 /proc/loadavg)

if [ $mode = direct ]; then
	(
		export LKVM=build/lkvm-gpu PROBE=build/guest/probe.elf WORK=$dir
		export SOAK_SECS=$secs SOAK_INTERVAL=$interval
		# shellcheck disable=SC1091
		. scripts/soak-vm.sh
	) 2>&1 | tee "$log" | grep --line-buffered -E '^SOAK: (sample|progress|exit)'
else
	make -s build/nested/l1-base.cpio || exit 1
	{
		echo "SOAK_SECS=$secs SOAK_INTERVAL=$interval PROBE=/l2/probe.elf"
		cat scripts/soak-vm.sh
	} >"$dir/l1.sh"
	scripts/nested-run --timeout $((secs + 600)) --log "$log" --out "$dir/out" "$dir/l1.sh" |
		grep --line-buffered -E '^SOAK: (sample|progress|exit)'
fi
# The host's own load moves the soak's speed too (a shared host, or QEMU
# TCG under other jobs): said next to the verdict.
echo "SOAK: host_load start=$load0 end=$(cut -d' ' -f1 /proc/loadavg) cpus=$(nproc)" >>"$log"
python3 scripts/soak-judge.py "$log"

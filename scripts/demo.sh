#!/bin/sh
# make demo: boot the probe guest under lkvm-gpu with every device that
# exists, headless, show what it did and where the screenshot is.
set -u
cd "$(dirname "$0")/.."
LKVM=build/lkvm-gpu
OUT=build/demo
mkdir -p "$OUT"

if [ ! -c /dev/kvm ]; then
	echo "demo: /dev/kvm is not available on this machine; lkvm-gpu needs KVM." >&2
	exit 1
fi

# A small disk with a known first block for the probe's virtio-blk test.
dd if=/dev/urandom of="$OUT/disk.img" bs=1M count=4 status=none

CMD="$LKVM run -c 2 -m 256 -d $OUT/disk.img --gpu headless --screenshot $OUT/screen.png --test-exit -p probe.end=exit"
echo "== lkvm-gpu $($LKVM version | cut -d' ' -f2): booting the probe guest"
echo "   $CMD"
start=$(date +%s%N)
$CMD </dev/null
status=$?
end=$(date +%s%N)
echo "== guest exited with status $status after $(( (end - start) / 1000000 )) ms"
if [ -f "$OUT/screen.png" ]; then
	echo "== the guest's screen (virtio-gpu, headless display): $OUT/screen.png"
fi
exit $status

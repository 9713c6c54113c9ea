#!/bin/sh
# make demo: boot the probe guest under lkvm-gpu with every device that
# exists, headless, and show what it did.
set -u
cd "$(dirname "$0")/.."
LKVM=build/lkvm-gpu
OUT=build/demo
mkdir -p "$OUT"

if [ ! -c /dev/kvm ]; then
	echo "demo: /dev/kvm is not available on this machine; lkvm-gpu needs KVM." >&2
	exit 1
fi

echo "== lkvm-gpu $($LKVM version | cut -d' ' -f2): booting the probe guest (2 vCPUs, 256 MiB)"
echo "   $LKVM run -c 2 -m 256 --test-exit -p 'probe.end=exit'"
start=$(date +%s%N)
$LKVM run -c 2 -m 256 --test-exit -p "probe.end=exit" </dev/null
status=$?
end=$(date +%s%N)
echo "== guest exited with status $status after $(( (end - start) / 1000000 )) ms"
exit $status

#!/bin/sh
# make bench: every benchmark, lkvm-gpu against QEMU on the same guest in the
# same run. Speed lives here, never in timed tests.
set -eu
cd "$(dirname "$0")/.."
echo "== boot: exec -> probe ready (median of ${BENCH_RUNS:-10})"
python3 scripts/bench/boot.py
echo "== devices: virtio-blk and virtio-gpu (median of ${BENCH_RUNS:-5})"
python3 scripts/bench/devices.py
echo "== 3D: fence round trip and 256x256 clear + fenced readback, against QEMU's virtio-gpu-gl (median of ${BENCH_RUNS:-5})"
python3 scripts/bench/gpu3d.py --vmm qemu,lkvm-gpu --runs "${BENCH_RUNS:-5}"
echo "== CI runner: --expect/--result and --expect-screen against plain runs (median of ${BENCH_RUNS:-10})"
python3 scripts/bench/ci.py
echo "== --expect-screen per check, in process"
make -s build/bench-screen && build/bench-screen

#!/usr/bin/env python3
"""virtio-gpu 3D benchmarks: the same probe under one or more VMMs.

    python3 scripts/bench/gpu3d.py [--vmm qemu,lkvm-gpu] [--runs N] [--n N]

Each run boots the probe with bench_gpu3d_fence (fenced one-dword SUBMIT_3D
round trips, p50 and p99) and bench_gpu3d_clear (256x256 clear + fenced
TRANSFER_FROM_HOST_3D readback per second). VMMs alternate run by run so
background load hits them alike; we print the median of each metric and,
when lkvm-gpu and QEMU both ran, the ratios against issue 9's targets
(fence round trip at most 0.5x QEMU's, clears at least 1.5x).

A VMM is a name in VMMS below mapping to a function that builds its
command line: "qemu" is QEMU 7.2's virtio-gpu-gl through scripts/qemu-gl.sh
(Xvfb + SDL GL, llvmpipe); "lkvm-gpu" assumes the 3D backend option is
`--gpu-backend virgl` (LKVM_GPU3D_ARGS overrides it). Times use the host's
TSC rate when the guest's TSC is the host's (KVM, and QEMU TCG without
icount), else the probe's own calibration (BENCH_GUEST_CLOCK=1 forces it).
"""
import argparse
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from devices import host_facts  # noqa: E402  (host TSC rate, same helper)

LKVM = os.path.join(ROOT, "build", "lkvm-gpu")
PROBE = os.path.join(ROOT, "build", "guest", "probe.elf")
QEMU_GL = os.path.join(ROOT, "scripts", "qemu-gl.sh")
TESTS = "bench_gpu3d_fence,bench_gpu3d_clear"
TIMEOUT = 300


def probe_args(n):
    return f"probe.tests={TESTS} probe.bench_n={n}"


def qemu_argv(n):
    return [QEMU_GL, "-t", str(TIMEOUT - 10), "-p", probe_args(n)]


def lkvm_argv(n):
    extra = shlex.split(os.environ.get("LKVM_GPU3D_ARGS", "--gpu-backend virgl"))
    return [LKVM, "run", "-k", PROBE, "-m", "512", "--test-exit", "--gpu", "headless", *extra,
            "-p", probe_args(n)]


VMMS = {"qemu": qemu_argv, "lkvm-gpu": lkvm_argv}


def parse(text):
    out = {}
    m = re.search(r"^PROBE: info tsc_hz=(\d+):", text, re.M)
    if m:
        out["tsc_hz"] = int(m.group(1))
    m = re.search(r"^PROBE: info bench_gpu3d_fence=(\d+):\d+:us=\d+:p50_cyc=(\d+):p99_cyc=(\d+):",
                  text, re.M)
    if m:
        out["fence"] = tuple(int(m.group(i)) for i in (1, 2, 3))
    m = re.search(r"^PROBE: info bench_gpu3d_clear=(\d+):\d+:us=\d+:cyc=(\d+):", text, re.M)
    if m:
        out["clear"] = (int(m.group(1)), int(m.group(2)))
    return out


def run_once(name, argv):
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        print(f"{name}: timed out after {TIMEOUT}s")
        return None
    except OSError as e:
        print(f"{name}: cannot run: {e}")
        return None
    text = p.stdout.decode(errors="replace")
    bad = re.findall(r"^PROBE: (?:FAIL|SKIP) .*$", text, re.M)
    if bad or "PROBE: done" not in text:
        print(f"{name}: probe did not pass: {'; '.join(bad) or text.strip()[-300:]}")
        return None
    return parse(text)


def metrics(run, hz):
    """(fence p50 us, fence p99 us, clears per second) of one run."""
    hz = hz or run.get("tsc_hz")
    if not hz or "fence" not in run or "clear" not in run:
        return None
    _, p50, p99 = run["fence"]
    n, cyc = run["clear"]
    return p50 / hz * 1e6, p99 / hz * 1e6, n / (cyc / hz)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vmm", default=os.environ.get("BENCH_VMMS", "qemu,lkvm-gpu"),
                    help="comma-separated: " + ", ".join(VMMS))
    ap.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "3")))
    ap.add_argument("--n", type=int, default=2000, help="probe.bench_n (rounds per benchmark)")
    args = ap.parse_args()
    vmms = [v for v in args.vmm.split(",") if v]
    for v in vmms:
        if v not in VMMS:
            ap.error(f"unknown VMM {v}")
    if "lkvm-gpu" in vmms:
        usage = subprocess.run([LKVM, "run", "--help"], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT).stdout.decode(errors="replace") \
            if os.access(LKVM, os.X_OK) else ""
        if "--gpu-backend" not in usage and "LKVM_GPU3D_ARGS" not in os.environ:
            print("SKIP lkvm-gpu: `lkvm-gpu run --help` lists no --gpu-backend (no 3D backend yet)")
            vmms.remove("lkvm-gpu")
        elif not os.access("/dev/kvm", os.R_OK | os.W_OK):
            print("SKIP lkvm-gpu: /dev/kvm not available")
            vmms.remove("lkvm-gpu")
    if not vmms:
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-gpu3d-") as tmp:
        host_hz, _ = host_facts(tmp)
    if os.environ.get("BENCH_GUEST_CLOCK") == "1":
        host_hz = None
    res = {v: [] for v in vmms}
    for _ in range(args.runs):
        for v in vmms:
            argv = VMMS[v](args.n)
            r = run_once(v, argv)
            if r:
                res[v].append(r)
    clock = f"host TSC {host_hz / 1e6:.1f} MHz" if host_hz else "the probe's TSC calibration"
    print(f"gpu3d: {args.runs} runs, probe.bench_n={args.n}, medians, timed on the {clock}")
    med = {}
    for v in vmms:
        ms = [m for m in (metrics(r, host_hz) for r in res[v]) if m]
        print(f"  {v}: {' '.join(shlex.quote(a) for a in VMMS[v](args.n))}")
        if not ms:
            print(f"  {v}: no successful run")
            continue
        med[v] = tuple(statistics.median(m[i] for m in ms) for i in range(3))
        print(f"  {v:9s} fence p50 {med[v][0]:9.1f} us  p99 {med[v][1]:9.1f} us  "
              f"clear+readback {med[v][2]:8.1f}/s  ({len(ms)} runs)")
        spread = ", ".join(f"{lo:.1f}-{hi:.1f}" for lo, hi in
                           ((min(m[i] for m in ms), max(m[i] for m in ms)) for i in range(3)))
        print(f"  {v:9s} range over the runs (p50 us, p99 us, /s): {spread}")
    if "qemu" in med and "lkvm-gpu" in med:
        q, lk = med["qemu"], med["lkvm-gpu"]
        for name, ratio, target, ok in (
                ("fence p50", lk[0] / q[0], "<= 0.5x", lk[0] <= 0.5 * q[0]),
                ("fence p99", lk[1] / q[1], "<= 0.5x", lk[1] <= 0.5 * q[1]),
                ("clears/s", lk[2] / q[2], ">= 1.5x", lk[2] >= 1.5 * q[2])):
            print(f"  {name:10s} lkvm-gpu/qemu {ratio:5.2f}x (target {target}) "
                  f"{'ok' if ok else 'BELOW TARGET'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Boot-time benchmark: exec -> the probe guest's 'PROBE: ready' line.

lkvm-gpu and QEMU (-M microvm, KVM) boot the same probe guest in the same
run; we report the median of N runs, each VMM's peak RSS, and lkvm-gpu's
exec -> first KVM_RUN (from its --debug line). Prints ratios at the end.
"""
import os
import re
import select
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LKVM = os.path.join(ROOT, "build", "lkvm-gpu")
PROBE = os.path.join(ROOT, "build", "guest", "probe.elf")
READY = b"PROBE: ready"
RUNS = int(os.environ.get("BENCH_RUNS", "10"))
TIMEOUT = 20.0


def boot_once(argv, env=None):
    """Returns (seconds to READY or None, peak RSS KiB, stderr text).

    The guest ends itself right after its ready line (test-exit port). Peak
    RSS comes from GNU time: a child's ru_maxrss seen from Python would carry
    the forked Python's own high-water mark across exec."""
    rss_file = tempfile.NamedTemporaryFile(prefix="bench-rss-", delete=False).name
    argv = ["/usr/bin/time", "-f", "%M", "-o", rss_file] + argv
    t0 = time.monotonic_ns()
    env = dict(os.environ if env is None else env)
    env["LKVM_GPU_T0_NS"] = str(t0)
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env)
    buf = b""
    ready = None
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        r, _, _ = select.select([p.stdout], [], [], 0.5)
        if not r:
            if p.poll() is not None:
                break
            continue
        chunk = os.read(p.stdout.fileno(), 65536)
        if not chunk:
            break
        buf += chunk
        if READY in buf:
            ready = (time.monotonic_ns() - t0) / 1e9
            break
    try:
        p.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        ready = None
    err = p.stderr.read().decode(errors="replace")
    try:
        with open(rss_file) as f:
            rss = int(f.read().strip().splitlines()[-1])
    except (OSError, ValueError, IndexError):
        rss = 0
    os.unlink(rss_file)
    return ready, rss, err


def bench(name, argv):
    times, rss, first_run = [], [], []
    for _ in range(RUNS):
        t, r, err = boot_once(argv)
        if t is None:
            print(f"{name}: no ready line within {TIMEOUT}s; stderr: {err.strip()[:300]}")
            return None
        times.append(t)
        rss.append(r)
        m = re.search(r"first KVM_RUN ([0-9.]+) ms after main, ([0-9.]+) ms after spawn", err)
        if m:
            first_run.append((float(m.group(1)), float(m.group(2))))
    res = {
        "median_ms": statistics.median(times) * 1000,
        "min_ms": min(times) * 1000,
        "rss_kib": statistics.median(rss),
        "first_run_ms": statistics.median(f[0] for f in first_run) if first_run else None,
        "first_run_spawn_ms": statistics.median(f[1] for f in first_run) if first_run else None,
    }
    fr = (f", first KVM_RUN {res['first_run_ms']:.2f} ms after main "
          f"({res['first_run_spawn_ms']:.2f} ms after spawn)") if first_run else ""
    print(f"{name:8s} exec->ready median {res['median_ms']:7.1f} ms (min {res['min_ms']:.1f}), "
          f"peak RSS {res['rss_kib'] / 1024:6.1f} MiB{fr}")
    return res


def main():
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        print("SKIP boot benchmark: /dev/kvm not available")
        return 0
    lk = bench("lkvm-gpu", [LKVM, "run", "-k", PROBE, "-m", "512", "--test-exit", "--debug",
                            "-p", "probe.tests=none probe.end=exit"])
    qemu = bench("qemu", ["qemu-system-x86_64", "-enable-kvm", "-M", "microvm", "-m", "512",
                          "-nodefaults", "-nographic", "-no-reboot", "-serial", "stdio",
                          "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
                          "-kernel", PROBE, "-append", "probe.tests=none probe.end=exit"])
    if lk and qemu:
        print(f"ratio    time lkvm/qemu {lk['median_ms'] / qemu['median_ms']:.2f}x "
              f"(target <= 0.5), RSS lkvm/qemu {lk['rss_kib'] / qemu['rss_kib']:.2f}x "
              f"(target <= 0.25)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

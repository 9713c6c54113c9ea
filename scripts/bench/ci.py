#!/usr/bin/env python3
"""The CI runner's overhead on a KVM host: exec -> exit of the probe guest.

  plain    the probe ends itself after its ready line (--test-exit)
  expect   the probe halts; --expect '^PROBE: ready$' --result ends the run
  screen   --gpu headless, the probe draws its GPU picture and halts;
           --expect-screen (the reference: a first run's --screenshot) ends it
  gpu      the same picture, ended by the probe itself (screen's baseline)

Medians of BENCH_RUNS (default 10) runs, alternating the variants. Prints
SKIP without a usable /dev/kvm (on this project's PVM-less machines the
nested variant is scripts/bench-ci-nested.sh)."""
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LKVM = os.path.join(ROOT, "build", "lkvm-gpu")
RUNS = int(os.environ.get("BENCH_RUNS", "10"))


def run(args):
    t0 = time.monotonic()
    p = subprocess.run([LKVM, "run"] + args, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=30)
    return (time.monotonic() - t0) * 1e3, p.returncode, p.stderr.decode(errors="replace")


def main():
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        print("SKIP ci overhead: /dev/kvm not usable here (see scripts/bench-ci-nested.sh)")
        return 0
    tmp = tempfile.mkdtemp(prefix="bench-ci-")
    ref, result = os.path.join(tmp, "ref.png"), os.path.join(tmp, "r.json")
    ms, rc, err = run(["--gpu", "headless", "--screenshot", ref, "-p", "probe.tests=gpu",
                       "--test-exit"])
    if rc != 0:
        print(f"ci overhead: the reference run failed ({rc}): {err.strip()[-200:]}")
        return 1
    variants = {
        "plain": ["-p", "probe.tests=", "--test-exit"],
        "expect": ["-p", "probe.tests= probe.end=halt", "--expect", "^PROBE: ready$",
                   "--result", result],
        "gpu": ["--gpu", "headless", "-p", "probe.tests=gpu", "--test-exit"],
        "screen": ["--gpu", "headless", "-p", "probe.tests=gpu probe.end=halt",
                   "--expect-screen", ref, "--result", result],
    }
    times = {k: [] for k in variants}
    for _ in range(RUNS):
        for name, args in variants.items():
            ms, rc, err = run(args)
            if rc != 0:
                print(f"ci overhead: {name} exited {rc}: {err.strip()[-200:]}")
                return 1
            times[name].append(ms)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"exec -> exit, median of {RUNS}:")
    for k in variants:
        print(f"  {k:7s} {med[k]:8.2f} ms  (min {min(times[k]):.2f}, max {max(times[k]):.2f})")
    print(f"  --expect + --result over plain: {med['expect'] - med['plain']:+.2f} ms")
    print(f"  --expect-screen over the same picture ended by the guest: "
          f"{med['screen'] - med['gpu']:+.2f} ms (checks every 200 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

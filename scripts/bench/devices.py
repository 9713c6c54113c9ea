#!/usr/bin/env python3
"""Device benchmarks: virtio-blk and virtio-gpu, lkvm-gpu against QEMU.

Both VMMs boot the same probe guest on the same disk image in the same run,
alternating, BENCH_RUNS times (default 5); each boot runs bench_blk,
bench_rtt, bench_gpu_frames and bench_gpu_rtt at 1920x1080. We print the
median of each metric, the ratio lkvm/QEMU against the issue's target, the
cost of the seccomp sandbox (lkvm-gpu again with --no-sandbox, in the same
rotation: sandboxed/unsandboxed per metric), and the host's plain memcpy rate for one 1920x1080x4 frame as the physical bound
of the frame loop.
"""
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LKVM = os.path.join(ROOT, "build", "lkvm-gpu")
PROBE = os.path.join(ROOT, "build", "guest", "probe.elf")
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
TIMEOUT = 120
WIDTH, HEIGHT = 1920, 1080
FRAME_BYTES = WIDTH * HEIGHT * 4
DISK_MIB = 256
TESTS = "bench_blk,bench_rtt,bench_gpu_frames,bench_gpu_rtt"

# name, probe key, rate of "count" or "bytes", divisor, unit, target lkvm/qemu
METRICS = [
    ("blk_read", "bench_blk_read", "bytes", 1 << 20, "MiB/s", 1.0),
    ("blk_rtt", "bench_rtt", "count", 1, "/s", 1.5),
    ("gpu_1080p", "bench_gpu_frames", "count", 1, "fps", 1.5),
    ("gpu_1x1", "bench_gpu_rtt", "count", 1, "pairs/s", 1.5),
]


def lkvm_argv(img, extra=()):
    return [LKVM, "run", "-k", PROBE, "-m", "512", "--test-exit", "-d", img, "--gpu",
            "headless", "--resolution", f"{WIDTH}x{HEIGHT}", *extra,
            "-p", f"probe.tests={TESTS}"]


def qemu_argv(img):
    # Only microvm boots on a PVM host; pcie=on gives it ECAM for the probe.
    return ["qemu-system-x86_64", "-enable-kvm", "-M", "microvm,pcie=on", "-m", "512",
            "-nodefaults", "-display", "none", "-no-reboot", "-serial", "stdio",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=4", "-kernel", PROBE,
            "-drive", f"if=none,id=d0,file={img},format=raw",
            "-device", "virtio-blk-pci,drive=d0,disable-legacy=on",
            "-device", f"virtio-gpu-pci,xres={WIDTH},yres={HEIGHT}",
            "-append", f"probe.ecam=0xe0000000 probe.tests={TESTS}"]


def parse(text):
    """{probe key: (count, bytes, guest microseconds)} from the probe's
    'PROBE: info bench_*=count:bytes:us=N:...' lines, and "tsc_hz"."""
    out = {}
    m = re.search(r"^PROBE: info tsc_hz=(\d+):", text, re.M)
    if m:
        out["tsc_hz"] = int(m.group(1))
    for m in re.finditer(r"^PROBE: info (bench_\w+)=(\d+):(\d+):us=(\d+):", text, re.M):
        out[m.group(1)] = tuple(int(m.group(i)) for i in (2, 3, 4))
    return out


def run_once(name, argv):
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        print(f"{name}: timed out after {TIMEOUT}s")
        return None
    text = p.stdout.decode(errors="replace")
    failed = re.findall(r"^PROBE: (?:FAIL|SKIP) .*$", text, re.M)
    if failed or "PROBE: done" not in text:
        print(f"{name}: probe did not pass: {'; '.join(failed) or text.strip()[-300:]}")
        return None
    return parse(text)


def make_disk(path):
    # Real data (not a sparse file): both VMMs read the same page-cached
    # bytes. Written back before the runs: reading while the kernel still
    # writes the fresh image back is ten times slower for both VMMs.
    chunk = os.urandom(1 << 20)
    with open(path, "wb") as f:
        for _ in range(DISK_MIB):
            f.write(chunk)
        f.flush()
        os.fsync(f.fileno())
    with open(path, "rb") as f:
        while f.read(1 << 22):
            pass


# Host facts from a tiny C program: the TSC rate (the probe's own PIT
# calibration drifts by several percent when the host is busy, so rates are
# recomputed from its cycle counts) and memcpy of one frame, best of many.
HOST_C = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>
static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}
int main(int argc, char **argv)
{
	size_t n = strtoull(argv[1], NULL, 0);
	char *src = malloc(n), *dst = malloc(n);
	double best = 1e9, t0, t1;
	unsigned long long c0, c1;
	memset(src, 0x5a, n);
	memset(dst, 0, n);
	for (int i = 0; i < 200; i++) {
		t0 = now();
		memcpy(dst, src, n);
		__asm__ volatile("" ::"r"(dst) : "memory");
		t1 = now();
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	t0 = now();
	c0 = __rdtsc();
	while (now() - t0 < 0.2)
		;
	c1 = __rdtsc();
	t1 = now();
	printf("%.0f %.0f\n", (c1 - c0) / (t1 - t0), n / best);
	return dst[n - 1] != 0x5a;
}
"""


def host_facts(tmp):
    """(host TSC Hz, memcpy bytes/s for one frame) or (None, None)."""
    src, exe = os.path.join(tmp, "host.c"), os.path.join(tmp, "host")
    with open(src, "w") as f:
        f.write(HOST_C)
    try:
        subprocess.run(["cc", "-O2", "-o", exe, src], check=True)
        out = subprocess.run([exe, str(FRAME_BYTES)], check=True, stdout=subprocess.PIPE)
        hz, rate = out.stdout.split()
        return float(hz), float(rate)
    except (OSError, subprocess.CalledProcessError, ValueError):
        return None, None


def rate(run, key, what, host_hz):
    """count/s or bytes/s of one run, on the host's clock when we know it:
    the guest's us came from its TSC calibration (guest_hz)."""
    if key not in run or not run[key][2]:
        return None
    count, nbytes, us = run[key]
    secs = us / 1e6
    if host_hz and run.get("tsc_hz"):
        secs = secs * run["tsc_hz"] / host_hz
    return (count if what == "count" else nbytes) / secs


def value(runs, key, what, host_hz, div=1):
    vals = [v / div for v in (rate(r, key, what, host_hz) for r in runs) if v]
    return statistics.median(vals) if vals else None


def main():
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        print("SKIP device benchmarks: /dev/kvm not available")
        return 0
    have_qemu = subprocess.run(["sh", "-c", "command -v qemu-system-x86_64"],
                               stdout=subprocess.DEVNULL).returncode == 0
    with tempfile.TemporaryDirectory(prefix="bench-dev-") as tmp:
        host_hz, copy_rate = host_facts(tmp)
        img = os.path.join(tmp, "disk.img")
        make_disk(img)
        res = {"lkvm-gpu": [], "qemu": [], "no-sandbox": []}
        for _ in range(RUNS):
            # Alternate so background load hits all alike.
            r = run_once("lkvm-gpu", lkvm_argv(img))
            if r:
                res["lkvm-gpu"].append(r)
            r = run_once("lkvm-gpu --no-sandbox", lkvm_argv(img, ["--no-sandbox"]))
            if r:
                res["no-sandbox"].append(r)
            if have_qemu:
                r = run_once("qemu", qemu_argv(img))
                if r:
                    res["qemu"].append(r)
    if not have_qemu:
        print("qemu-system-x86_64 not installed: lkvm-gpu numbers only")
    clock = f"host TSC {host_hz / 1e6:.1f} MHz" if host_hz else "guest TSC calibration"
    print(f"runs: lkvm-gpu {len(res['lkvm-gpu'])}/{RUNS}, qemu {len(res['qemu'])}/"
          f"{RUNS if have_qemu else 0}; medians, timed on the {clock}")
    for name, key, what, div, unit, target in METRICS:
        lk = value(res["lkvm-gpu"], key, what, host_hz, div)
        qm = value(res["qemu"], key, what, host_hz, div)
        lks = f"{lk:9.1f}" if lk is not None else "        -"
        qms = f"{qm:9.1f}" if qm is not None else "        -"
        if lk is not None and qm:
            ratio = lk / qm
            verdict = "ok" if ratio >= target else "BELOW TARGET"
            rs = f"ratio {ratio:5.2f}x (target >= {target}x) {verdict}"
        else:
            rs = "ratio -"
        print(f"{name:10s} lkvm-gpu {lks} qemu {qms} {unit:8s}{rs}")
    print(f"sandbox: lkvm-gpu against lkvm-gpu --no-sandbox ({len(res['no-sandbox'])} runs), "
          "medians; 1.00x = no cost")
    for name, key, what, div, unit, _ in METRICS:
        sb = value(res["lkvm-gpu"], key, what, host_hz, div)
        ns = value(res["no-sandbox"], key, what, host_hz, div)
        if sb is not None and ns:
            print(f"{name:10s} sandbox {sb:9.1f} no-sandbox {ns:9.1f} {unit:8s}ratio {sb / ns:5.2f}x")
        else:
            print(f"{name:10s} sandbox -")
    if not copy_rate:
        print("memcpy     SKIP: could not build the host memcpy probe (cc)")
        return 0
    bound_fps = copy_rate / FRAME_BYTES
    lk = value(res["lkvm-gpu"], "bench_gpu_frames", "count", host_hz)
    fill = value(res["lkvm-gpu"], "bench_gpu_fill", "count", host_hz)
    share = f"{lk / bound_fps * 100:.1f}% of it" if lk else "-"
    verdict = "ok" if lk and lk >= bound_fps / 2 else "BELOW TARGET"
    print(f"memcpy     host {copy_rate / (1 << 20):.0f} MiB/s = {bound_fps:.1f} frames/s "
          f"for {WIDTH}x{HEIGHT}x4; lkvm-gpu 1080p at {share} (target >= 50%) {verdict}")
    if lk and fill and fill > lk:
        # The frame loop includes the guest writing every pixel; without it:
        dev = 1 / (1 / lk - 1 / fill)
        print(f"gpu_1080p  guest fill alone {fill:.0f} fps; the device's part of lkvm-gpu's "
              f"loop {dev:.1f} fps = {dev / bound_fps * 100:.1f}% of the memcpy bound")
    return 0


if __name__ == "__main__":
    sys.exit(main())

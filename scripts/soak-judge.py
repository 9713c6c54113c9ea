#!/usr/bin/env python3
"""soak-judge.py LOG: judges a `make soak` log (scripts/soak-vm.sh's lines).

Tolerances (a VMM that leaks grows without bound over a soak; these leave
room only for noise):
- RSS: from the first sample after the probe's first progress line (guest
  pages and host buffers touched once are in by then) to the last, growth at
  most 4 MiB or 5 %, whichever is larger.
- fds: the same at the end as at that first sample; never more than 2 above
  it in between.
- stderr: at most 11 lines in each second of the run (and one second more
  at each end) plus 20: util/log.c's rate limit, 10 guest-caused lines a
  second and one "suppressed" summary; the soak's hostile operations keep it
  at that limit all the time, so more means a line that escapes it.
- speed: the last full interval's operations at least 70 % of the first's
  (the host is shared; QEMU TCG under load wobbles by tens of percent).
- the probe passed (no wrong answer) and lkvm-gpu exited 0.
Prints the figures and OK, or FAIL with the reasons (exit 1)."""
import re
import sys

RSS_ABS_KB = 4096
RSS_REL = 0.05
FD_SLACK = 2
LOG_PER_S = 11
LOG_EXTRA = 20
SPEED_MIN = 0.70


def main():
    if len(sys.argv) != 2:
        print("usage: soak-judge.py LOG", file=sys.stderr)
        return 2
    samples, intervals = [], []
    rc = elapsed_ms = stderr_lines = None
    passed = False
    host_load = None
    fail_line = None
    for line in open(sys.argv[1], errors="replace"):
        line = line.rstrip("\r\n")
        m = re.match(r"SOAK: sample t=(\d+) rss_kb=(\d+) fds=(\d+) intervals=(\d+) stderr_lines=(\d+)$", line)
        if m:
            samples.append(tuple(int(g) for g in m.groups()))
            continue
        m = re.match(r"PROBE: info soak=(\d+):ops=(\d+):(.*):wrong=(\d+)$", line)
        if m:
            intervals.append((int(m.group(1)), int(m.group(2)), m.group(3), int(m.group(4))))
            continue
        m = re.match(r"SOAK: exit rc=(\d+) after (\d+) ms", line)
        if m:
            rc, elapsed_ms = int(m.group(1)), int(m.group(2))
            continue
        m = re.match(r"SOAK: host_load (start=\S+ end=\S+ cpus=\d+)", line)
        if m:
            host_load = m.group(1)
        m = re.match(r"SOAK: stderr_lines=(\d+)", line)
        if m:
            stderr_lines = int(m.group(1))
        if line.startswith("PROBE: PASS soak"):
            passed = True
        if line.startswith("PROBE: FAIL soak") or line.startswith("PROBE: SKIP soak"):
            fail_line = line
    bad = []
    if rc is None or stderr_lines is None:
        print("soak: FAIL the run did not finish (no 'SOAK: exit' line; see the log)")
        return 1
    warm = [s for s in samples if s[3] >= 1]
    if len(warm) < 2 or len(intervals) < 2:
        print(f"soak: FAIL too few samples ({len(warm)}) or probe intervals ({len(intervals)})")
        return 1
    base, end = warm[0], warm[-1]
    growth = end[1] - base[1]
    allowed = max(RSS_ABS_KB, int(base[1] * RSS_REL))
    print(f"soak: RSS {base[1]} kB at t={base[0] // 1000} s, {end[1]} kB at t={end[0] // 1000} s"
          f" (growth {growth} kB, allowed {allowed}; max {max(s[1] for s in warm)} kB)")
    if growth > allowed:
        bad.append(f"RSS grew {growth} kB (allowed {allowed})")
    fds_max = max(s[2] for s in warm)
    print(f"soak: fds {base[2]} at start, {end[2]} at end, max {fds_max}")
    if end[2] != base[2] or fds_max > base[2] + FD_SLACK:
        bad.append(f"fds {base[2]} -> {end[2]} (max {fds_max})")
    secs = elapsed_ms / 1000
    limit = int(LOG_PER_S * (secs + 2) + LOG_EXTRA)
    print(f"soak: stderr {stderr_lines} lines in {secs:.0f} s ({stderr_lines / secs:.2f}/s, bound {limit})")
    if stderr_lines > limit:
        bad.append(f"stderr flood: {stderr_lines} lines (bound {limit})")
    first, last = intervals[0], intervals[-1]
    ratio = last[1] / first[1] if first[1] else 0
    total = sum(i[1] for i in intervals)
    print(f"soak: {len(intervals)} intervals, {total} operations; first {first[1]} ({first[2]}),"
          f" last {last[1]} ({last[2]}): ratio {ratio:.2f} (min {SPEED_MIN})")
    if host_load:
        print(f"soak: host load average {host_load}")
    if ratio < SPEED_MIN:
        bad.append(f"slowdown: last interval {ratio:.2f} of the first"
                   + (f" (host load {host_load}: with other jobs on the host, run it again)"
                      if host_load else ""))
    if last[3] or not passed:
        bad.append(fail_line or f"probe did not pass ({last[3]} wrong answers)")
    if rc != 0:
        bad.append(f"lkvm-gpu exit status {rc}")
    if bad:
        print("soak: FAIL " + "; ".join(bad))
        return 1
    print("soak: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())

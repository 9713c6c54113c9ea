#!/usr/bin/env python3
"""blk-durable-check.py CONSOLE IMAGE [--min-lines N]

Checks a disk image written by the probe's blk_durable test against the
console it printed before the VMM was killed (guest/probe/tests/blk_durable.c
defines the sector format; this is an independent model of it):

- every block of a whole `dur_flushed=GEN:FIRST:COUNT:ok` line holds, in each
  of its 8 sectors, a valid pattern of generation GEN or later (a later
  generation may have been written, unflushed, before the kill);
- every other sector of the image is zero (never written) or a valid
  pattern: a write cut by the kill may leave old or new sectors, never
  anything else;
- no generation is newer than the last flushed one + 1.
Prints one summary line; exit 1 with the first mismatches on failure,
2 on bad input.
"""
import re
import struct
import sys

MAGIC = 0x42525544
SECTOR = 512
SECTS_PER_BLOCK = 8
M32 = 0xFFFFFFFF
LINE = re.compile(r"^PROBE: info dur_flushed=(\d+):(\d+):(\d+):ok\r?$")
START = re.compile(r"^PROBE: info dur_start=seed=(\d+):blocks=(\d+):batch=(\d+)\r?$")


def filler(sector, gen, seed):
    x = ((sector * 0x9E3779B1) ^ (gen * 0x85EBCA6B) ^ seed) & M32
    if x == 0:
        x = 1
    out = []
    for _ in range(4, SECTOR // 4):
        x ^= (x << 13) & M32
        x ^= x >> 17
        x ^= (x << 5) & M32
        out.append(x)
    return out


def sector_gen(data, sector, seed):
    """The sector's generation, 0 if all zero, None if not a valid pattern."""
    if data == bytes(SECTOR):
        return 0
    w = struct.unpack("<128I", data)
    if w[0] != MAGIC or w[1] != sector or w[3] != seed or w[2] == 0:
        return None
    if list(w[4:]) != filler(sector, w[2], seed):
        return None
    return w[2]


def main():
    args = sys.argv[1:]
    min_lines = 1
    if "--min-lines" in args:
        i = args.index("--min-lines")
        min_lines = int(args[i + 1])
        del args[i : i + 2]
    if len(args) != 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    seed = None
    flushed = {}  # block -> newest flushed generation
    lines = 0
    with open(args[0], "rb") as f:
        for raw in f:
            # A line counts only when whole: it ends in a newline (the
            # kill may cut the last one) and matches in full.
            if not raw.endswith(b"\n"):
                continue
            text = raw.decode("latin-1").rstrip("\n")
            m = START.match(text)
            if m:
                seed = int(m.group(1))
                continue
            m = LINE.match(text)
            if not m:
                continue
            gen, first, count = (int(g) for g in m.groups())
            lines += 1
            for blk in range(first, first + count):
                flushed[blk] = max(flushed.get(blk, 0), gen)
    if seed is None:
        print("blk-durable-check: no dur_start line in the console", file=sys.stderr)
        return 2
    if lines < min_lines:
        print(f"blk-durable-check: {lines} flushed lines, want at least {min_lines}", file=sys.stderr)
        return 1
    with open(args[1], "rb") as f:
        image = f.read()
    max_gen = max(flushed.values())
    errors = []
    newer = 0
    for s in range(len(image) // SECTOR):
        data = image[s * SECTOR : (s + 1) * SECTOR]
        g = sector_gen(data, s, seed)
        want = flushed.get(s // SECTS_PER_BLOCK, 0)
        if g is None:
            errors.append(f"sector {s} (block {s // SECTS_PER_BLOCK}): not a valid pattern"
                          f" (flushed generation {want})")
        elif g < want:
            errors.append(f"sector {s} (block {s // SECTS_PER_BLOCK}): generation {g},"
                          f" flushed {want}" + (" (never written)" if g == 0 else ""))
        elif g > max_gen + 1:
            errors.append(f"sector {s}: generation {g} after last flushed {max_gen}")
        elif want and g > want:
            newer += 1
    if errors:
        print(f"blk-durable-check: FAIL {len(errors)} sectors wrong:", *errors[:8], sep="\n  ")
        return 1
    print(f"blk-durable-check: ok {lines} flush lines, {len(flushed)} blocks flushed"
          f" (newest generation {max_gen}), every one holds its flushed pattern;"
          f" {newer} sectors already newer")
    return 0


if __name__ == "__main__":
    sys.exit(main())

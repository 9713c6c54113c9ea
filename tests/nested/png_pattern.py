#!/usr/bin/env python3
"""png_pattern.py FILE.png WxH

Checks that a screenshot is exactly the pattern guest/linux/src/drm-pattern.c
draws (its pattern() function, repeated here): the PNG must be WxH and every
pixel must match. Reports the first differing pixel and how many differ.
"""
import sys

from png_text_rows import read_png


def pattern(x, y):
    r = (x * 3 + y) & 0xFF
    g = (x ^ y) & 0xFF
    b = (y * 5 + 255 - (x & 0xFF)) & 0xFF
    return bytes((r, g, b))


def main():
    path, size = sys.argv[1], sys.argv[2]
    want_w, want_h = (int(v) for v in size.split("x"))
    try:
        width, height, rows = read_png(path)
    except (OSError, ValueError) as e:
        print(f"cannot read {path}: {e}")
        return 1
    if (width, height) != (want_w, want_h):
        print(f"screenshot is {width}x{height}, the pattern was drawn at {want_w}x{want_h}")
        return 1
    bad, first = 0, None
    for y in range(height):
        row = rows[y]
        for x in range(width):
            if row[x] != pattern(x, y):
                bad += 1
                if first is None:
                    first = (x, y, row[x].hex(), pattern(x, y).hex())
    if bad:
        x, y, got, want = first
        print(f"{bad} of {width * height} pixels differ; first at ({x},{y}): #{got}, want #{want}")
        return 1
    print(f"all {width * height} pixels match the pattern")
    return 0


if __name__ == "__main__":
    sys.exit(main())

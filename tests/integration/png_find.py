#!/usr/bin/env python3
"""png_find.py FRAME.png SCREEN.png: is FRAME shown inside SCREEN?

Used for the Wayland test: FRAME is the guest's screen as lkvm-gpu saw it
(a control-socket screenshot, cursor composed in), SCREEN is the
compositor's whole output. The frame is located by its first row; then every
pixel must match except inside one box of at most 64x64 (the guest's cursor:
on Wayland it is the pointer's image, not part of the window). Prints
"found at X,Y" or the reason, exits 0 only on a match."""
import sys
import os

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from png_rgb_crc import rgb_rows  # noqa: E402

CURSOR = 64


def load(path):
    rows = [row for _, _, row in rgb_rows(path)]
    return rows, len(rows[0]) // 3, len(rows)


def main():
    frame, fw, fh = load(sys.argv[1])
    screen, sw, sh = load(sys.argv[2])
    if fw > sw or fh > sh:
        print(f"frame {fw}x{fh} larger than screen {sw}x{sh}")
        return 1
    # A row away from the top-left corner keys the search (the cursor may
    # sit on row 0); fall back to other rows if the key row hits the cursor.
    for key in (fh // 2, fh // 3, fh - 1, 0):
        want = bytes(frame[key])
        for y in range(key, sh - (fh - key) + 1):
            x3 = bytes(screen[y]).find(want)
            while x3 >= 0 and x3 % 3:
                x3 = bytes(screen[y]).find(want, x3 + 1)
            if x3 < 0:
                continue
            ox, oy = x3 // 3, y - key
            bad = [(x, yy) for yy in range(fh) for x in range(fw)
                   if frame[yy][3 * x:3 * x + 3] != screen[oy + yy][3 * (ox + x):3 * (ox + x) + 3]]
            if not bad:
                print(f"found at {ox},{oy} (exact)")
                return 0
            xs = [b[0] for b in bad]
            ys = [b[1] for b in bad]
            w, h = max(xs) - min(xs) + 1, max(ys) - min(ys) + 1
            if w <= CURSOR and h <= CURSOR:
                print(f"found at {ox},{oy} ({len(bad)} pixels differ inside a {w}x{h} box: "
                      f"the cursor)")
                return 0
            print(f"frame at {ox},{oy} but {len(bad)} pixels differ over {w}x{h}")
            return 1
    print("frame not found on screen")
    return 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""png_gl_scene.py FILE.png WxH

Checks a screenshot of guest/linux/src/gl-scene.c's scene, computed here
from its definition (repeated from that file's header, not from any run):
the whole WxH output cleared to RGB (32, 64, 160), and one triangle in RGB
(255, 192, 0) with vertices (64, 40), (416, 40), (160, 300) in output pixels,
origin top-left. A pixel belongs to the triangle when its centre lies inside
it; the vertices are chosen so that no centre lies on an edge, so the rule
needs no tie-breaking and any conforming rasteriser draws exactly this. The
match must be exact (tolerance 0): both colours are k/255, which converts
to 8 bits without rounding, and a flat colour has no interpolation error.
Reports the first differing pixel, how many differ, and whether the picture
is the scene upside down (a y-flip somewhere on the way).
"""
import sys

from png_text_rows import read_png

CLEAR = bytes((32, 64, 160))
TRI = bytes((255, 192, 0))
VERTS = ((64, 40), (416, 40), (160, 300))


def inside(x, y):
    # Edge functions on doubled coordinates, so the centre (x + 0.5, y + 0.5)
    # is the integer point (2x + 1, 2y + 1): exact, no floats.
    px, py = 2 * x + 1, 2 * y + 1
    signs = []
    for i in range(3):
        (ax, ay), (bx, by) = VERTS[i], VERTS[(i + 1) % 3]
        ax, ay, bx, by = 2 * ax, 2 * ay, 2 * bx, 2 * by
        e = (bx - ax) * (py - ay) - (by - ay) * (px - ax)
        if e == 0:
            raise AssertionError(f"pixel centre ({x},{y}) on an edge: the scene is ill-chosen")
        signs.append(e > 0)
    return all(signs) or not any(signs)


def expected(x, y):
    return TRI if inside(x, y) else CLEAR


def count_bad(rows, width, height, flip):
    bad, first = 0, None
    for y in range(height):
        row = rows[height - 1 - y if flip else y]
        for x in range(width):
            want = expected(x, y)
            if row[x] != want:
                bad += 1
                if first is None:
                    first = (x, height - 1 - y if flip else y, row[x].hex(), want.hex())
    return bad, first


def main():
    path, size = sys.argv[1], sys.argv[2]
    want_w, want_h = (int(v) for v in size.split("x"))
    try:
        width, height, rows = read_png(path)
    except (OSError, ValueError) as e:
        print(f"cannot read {path}: {e}")
        return 1
    if (width, height) != (want_w, want_h):
        print(f"screenshot is {width}x{height}, the scene was drawn at {want_w}x{want_h}")
        return 1
    tri = sum(inside(x, y) for y in range(height) for x in range(width))
    bad, first = count_bad(rows, width, height, False)
    if bad:
        x, y, got, want = first
        msg = f"{bad} of {width * height} pixels differ; first at ({x},{y}): #{got}, want #{want}"
        if count_bad(rows, width, height, True)[0] == 0:
            msg += "; the picture is the scene upside down"
        print(msg)
        return 1
    print(f"all {width * height} pixels match the scene ({tri} triangle, "
          f"{width * height - tri} clear)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

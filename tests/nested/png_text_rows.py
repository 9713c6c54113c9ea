#!/usr/bin/env python3
"""png_text_rows.py FILE.png [TEXT_ROWS]

Checks an fbcon screenshot: the top TEXT_ROWS pixel rows (default 160, room
for the ~10 lines of 16-pixel text the L2 gpu test writes) must hold text,
i.e. enough pixels that differ from the background colour (the most common
one), and the bottom half must be plain background. Prints what it found;
exits 1 with the reason on the last line otherwise. Decodes 8-bit RGB/RGBA
non-interlaced PNG with zlib only, so it needs no extra packages.
"""
import struct
import sys
import zlib
from collections import Counter


def read_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos, idat, hdr = 8, b"", None
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + length
    if hdr is None:
        raise ValueError("no IHDR chunk")
    width, height, depth, ctype, _, _, interlace = hdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise ValueError(f"unsupported PNG: depth {depth} colour type {ctype} interlace {interlace}")
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        off = y * (stride + 1)
        ftype, line = raw[off], bytearray(raw[off + 1:off + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
        rows.append([bytes(line[x * bpp:x * bpp + 3]) for x in range(width)])
        prev = line
    return width, height, rows


def main():
    path = sys.argv[1]
    text_rows = int(sys.argv[2]) if len(sys.argv) > 2 else 160
    try:
        width, height, rows = read_png(path)
    except (OSError, ValueError, zlib.error) as e:
        print(f"cannot read {path}: {e}")
        return 1
    bg = Counter(px for row in rows for px in row).most_common(1)[0][0]
    top = sum(px != bg for row in rows[:text_rows] for px in row)
    bottom = sum(px != bg for row in rows[height // 2:] for px in row)
    print(f"{width}x{height}, background #{bg.hex()}, {top} text pixels in rows 0-{text_rows - 1},"
          f" {bottom} non-background pixels in the bottom half")
    if top < 500:
        print(f"no text in the first {text_rows} rows ({top} non-background pixels)")
        return 1
    if bottom > 0:
        print(f"the bottom half is not blank ({bottom} non-background pixels)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

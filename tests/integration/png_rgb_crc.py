#!/usr/bin/env python3
"""Print "WxH:crc" for a PNG: the CRC-32 (zlib's) of its pixels as 8-bit
RGB rows, the same form the probe guest reports for what it drew
(guest/probe/tests/gpu.c). Only the standard library: 8-bit RGB or RGBA,
non-interlaced, all five filter types."""
import struct
import sys
import zlib


def rgb_rows(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit(f"{path}: not a PNG")
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or color not in (2, 6) or interlace:
                raise SystemExit(f"{path}: depth {depth} colour type {color} unsupported")
            bpp = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
        prev = line
        if bpp == 4:
            yield width, height, bytes(b for i, b in enumerate(line) if i % 4 != 3)
        else:
            yield width, height, bytes(line)


def main():
    crc, w, h = 0, 0, 0
    for w, h, row in rgb_rows(sys.argv[1]):
        crc = zlib.crc32(row, crc)
    print(f"{w}x{h}:{crc:08x}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Draw benchmark results as a PNG, in pure Python (zlib + struct; no plotting library).

One panel per results file (e.g. SQLite, PostgreSQL). In each panel, one group of bars per
processor (numbered as in docs/benchmarks.md), one bar per dataset size (light to dark: 1, 10,
100 analyses), height = median latency for an admin on a log scale (ticks at 1, 10, 100, 1000,
10000 ms). The red line marks the 200 ms target. Usage:

    python benchmarks/plot.py docs/benchmarks.png benchmarks/results-sqlite.json \
        benchmarks/results-postgresql.json
"""

from __future__ import annotations

import json
import math
import struct
import sys
import zlib
from pathlib import Path

# 3x5 bitmap digits, rows top to bottom.
DIGITS = {
    "0": ["111", "101", "101", "101", "111"],
    "1": ["010", "110", "010", "010", "111"],
    "2": ["111", "001", "111", "100", "111"],
    "3": ["111", "001", "111", "001", "111"],
    "4": ["101", "101", "111", "001", "001"],
    "5": ["111", "100", "111", "001", "111"],
    "6": ["111", "100", "111", "101", "111"],
    "7": ["111", "001", "010", "010", "010"],
    "8": ["111", "101", "111", "101", "111"],
    "9": ["111", "101", "111", "001", "111"],
}
SHADES = [(158, 202, 225), (66, 146, 198), (8, 69, 148), (3, 30, 80)]
WHITE, GREY, BLACK, RED = (255, 255, 255), (220, 220, 220), (0, 0, 0), (215, 40, 40)
W, PANEL_H, MARGIN_L, MARGIN_B, TOP = 900, 300, 60, 30, 20
LOG_MIN, LOG_MAX = 0.0, 4.0  # 1 ms .. 10 s


class Canvas:
    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.pixels = [[WHITE] * width for _ in range(height)]

    def rect(self, x0: int, y0: int, x1: int, y1: int, color: tuple[int, int, int]) -> None:
        for y in range(max(0, min(y0, y1)), min(self.height, max(y0, y1))):
            row = self.pixels[y]
            for x in range(max(0, min(x0, x1)), min(self.width, max(x0, x1))):
                row[x] = color

    def text(self, x: int, y: int, value: str, scale: int = 2) -> None:
        for char in value:
            glyph = DIGITS.get(char)
            if glyph:
                for gy, bits in enumerate(glyph):
                    for gx, bit in enumerate(bits):
                        if bit == "1":
                            self.rect(
                                x + gx * scale, y + gy * scale,
                                x + (gx + 1) * scale, y + (gy + 1) * scale, BLACK,
                            )  # fmt: skip
            x += 4 * scale

    def png(self) -> bytes:
        raw = b"".join(
            b"\x00" + b"".join(struct.pack("BBB", *px) for px in row) for row in self.pixels
        )

        def chunk(kind: bytes, data: bytes) -> bytes:
            body = kind + data
            return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b"")
        )


def panel(canvas: Canvas, top: int, results: dict, who: str = "admin") -> None:
    bottom = top + PANEL_H - MARGIN_B
    plot_top = top + TOP

    def y_of(ms: float) -> int:
        value = min(LOG_MAX, max(LOG_MIN, math.log10(max(ms, 1.0))))
        return int(bottom - (value - LOG_MIN) / (LOG_MAX - LOG_MIN) * (bottom - plot_top))

    for power in range(int(LOG_MIN), int(LOG_MAX) + 1):
        y = y_of(10**power)
        canvas.rect(MARGIN_L, y, W - 10, y + 1, GREY)
        canvas.text(4, y - 5, str(10**power))
    sizes = results["sizes"]
    names = list(sizes[0][who])
    group = (W - 10 - MARGIN_L) // len(names)
    bar = max(4, (group - 16) // max(1, len(sizes)))
    for i, name in enumerate(names):
        x = MARGIN_L + i * group + 8
        for j, size in enumerate(sizes):
            ms = size[who][name]["median_ms"]
            canvas.rect(x + j * bar, y_of(ms), x + (j + 1) * bar - 2, bottom, SHADES[j % 4])
        canvas.text(MARGIN_L + i * group + group // 2 - 4, bottom + 8, str(i + 1))
    target = y_of(200)
    canvas.rect(MARGIN_L, target, W - 10, target + 2, RED)
    canvas.rect(MARGIN_L, bottom, W - 10, bottom + 1, BLACK)
    canvas.rect(MARGIN_L, plot_top, MARGIN_L + 1, bottom, BLACK)


def main() -> None:
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    out, files = sys.argv[1], sys.argv[2:]
    canvas = Canvas(W, PANEL_H * len(files))
    for index, name in enumerate(files):
        panel(canvas, index * PANEL_H, json.loads(Path(name).read_text()))
    Path(out).write_bytes(canvas.png())
    print(f"Wrote {out}")


if __name__ == "__main__":
    main()

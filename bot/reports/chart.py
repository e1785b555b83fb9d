"""A small trend chart (drafted, approved, killed per day) as a PNG, drawn with Pillow: in a
digest, two weeks of lines say more than two days of numbers."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from bot.readouts import Digest

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 34, 36
LINES = (("drafted", (52, 101, 164)), ("approved", (46, 139, 87)), ("killed", (200, 60, 50)))


def trend_png(digest: Digest) -> bytes:
    """Lines per day over `digest.series`; the y axis starts at 0 and ends at a round max."""
    img = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=12)
    series = digest.series
    peak = max([1] + [getattr(d, name) for _, d in series for name, _ in LINES])
    top = _nice(peak)
    x0, x1, y0, y1 = LEFT, WIDTH - RIGHT, HEIGHT - BOTTOM, TOP
    step = (x1 - x0) / max(1, len(series) - 1)

    def y(v: float) -> float:
        return y0 - (y0 - y1) * v / top

    for frac in (0, 0.5, 1):  # grid and y labels
        yy = y(top * frac)
        draw.line([(x0, yy), (x1, yy)], fill=(225, 225, 225))
        label = f"{top * frac:g}"
        draw.text((x0 - 6 - draw.textlength(label, font=font), yy - 7), label, "gray", font)
    for i, (day, _) in enumerate(series):  # x labels: every other day, and the last
        if i % 2 == (len(series) - 1) % 2:
            label = f"{day:%d %b}"
            xx = x0 + i * step - draw.textlength(label, font=font) / 2
            draw.text((xx, y0 + 8), label, "gray", font)
    for name, colour in LINES:
        points = [(x0 + i * step, y(getattr(d, name))) for i, (_, d) in enumerate(series)]
        draw.line(points, fill=colour, width=2)
        for px, py in points:
            draw.ellipse([px - 2, py - 2, px + 2, py + 2], fill=colour)
    legend_x: float = x0
    for name, colour in LINES:  # legend along the top
        draw.rectangle([legend_x, 12, legend_x + 10, 22], fill=colour)
        draw.text((legend_x + 14, 10), name, "black", font)
        legend_x += 24 + draw.textlength(name, font=font)
    title = f"last {len(series)} days"
    draw.text((x1 - draw.textlength(title, font=font), 10), title, "gray", font)
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _nice(peak: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten at or above `peak`."""
    scale = 1
    while True:
        for m in (1, 2, 5):
            if m * scale >= peak:
                return m * scale
        scale *= 10

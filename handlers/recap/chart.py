"""The recap chart as a PNG made for a phone screen: big type, full unit names, sorted bars.

Each unit's name sits on its own line above its bar, so long names ("Dinas Komunikasi dan
Informatika") wrap instead of being cut, and the bars get the full width.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFont

from handlers.recap import Recap
from handlers.recap.fonts import BOLD, REGULAR, drawable

WIDTH, MARGIN = 1080, 48
SENT, APPROVED, PILLAR = (147, 197, 253), (29, 78, 216), (245, 158, 11)
INK, MUTED, RULE, BACKGROUND = (17, 24, 39), (75, 85, 99), (229, 231, 235), (255, 255, 255)
# Telegram refuses photos whose width + height exceed 10,000 px; the rest is in the XLSX.
MAX_HEIGHT = 10_000 - WIDTH - 200


Font = ImageFont.FreeTypeFont  # DejaVu Sans (handlers/recap/fonts): Pillow's own has no dashes


def _font(size: int, *, bold: bool = False) -> Font:
    return ImageFont.truetype(str(BOLD if bold else REGULAR), size)


TITLE, SUBTITLE, LABEL, VALUE = _font(42, bold=True), _font(28), _font(30), _font(28)


def render_chart(recap: Recap) -> bytes:
    rows = _layout(recap)
    height = sum(h for h, _ in rows) + MARGIN
    image = Image.new("RGB", (WIDTH, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    y = MARGIN
    for h, paint in rows:
        paint(draw, y)
        y += h
    out = io.BytesIO()
    # 32 colours hold the few flat colours and the text's anti-aliasing: a third of the bytes
    # of a full-colour PNG (leaders read this on their data plan) and 6x faster than optimize.
    image.quantize(32, method=Image.Quantize.FASTOCTREE).save(out, "PNG")
    return out.getvalue()


Paint = Callable[[ImageDraw.ImageDraw, int], None]
Row = tuple[int, Paint]  # height, and how to draw it at a given y


def _text(text: str, font: Font, height: int, *, fill: tuple[int, int, int] = INK) -> Row:
    text = drawable(text)

    def paint(draw: ImageDraw.ImageDraw, y: int) -> None:
        draw.text((MARGIN, y), text, font=font, fill=fill)

    return height, paint


def _layout(recap: Recap) -> list[Row]:
    rows = [
        _text(f"Laporan {recap.period.label}", TITLE, 62),
        _text(f"{recap.org} · per unit: dikirim / disetujui", SUBTITLE, 48, fill=MUTED),
        (64, _legend),
    ]
    pillars = _pillar_rows(recap)
    budget = MAX_HEIGHT - sum(h for h, _ in (*rows, *pillars)) - 200
    top = max((u.sent for u in recap.units), default=0) or 1
    if not recap.units:
        rows.append(_text("Belum ada laporan.", LABEL, 60, fill=MUTED))
    shown = 0
    for unit in recap.units:
        bars = [(unit.sent, SENT), (unit.approved, APPROVED)]
        row = _bars(unit.name, bars, top, f"{unit.sent} / {unit.approved}")
        budget -= row[0]
        if budget < 0:
            break
        rows.append(row)
        shown += 1
    if shown < len(recap.units):
        more = len(recap.units) - shown
        rows.append(_text(f"… dan {more} unit lain (lihat XLSX)", VALUE, 50, fill=MUTED))
    if recap.silent_units:
        rows.append(_text(f"Belum melapor: {len(recap.silent_units)} unit", VALUE, 56, fill=MUTED))
    return rows + pillars


def _pillar_rows(recap: Recap) -> list[Row]:
    def rule(draw: ImageDraw.ImageDraw, y: int) -> None:
        draw.line((MARGIN, y + 14, WIDTH - MARGIN, y + 14), fill=RULE, width=3)

    rows: list[Row] = [(30, rule), _text("Cakupan pilar", TITLE, 62)]
    top = max((n for _, n in recap.pillars), default=0) or 1
    rows += [_bars(name, [(count, PILLAR)], top, str(count)) for name, count in recap.pillars]
    return rows


def _legend(draw: ImageDraw.ImageDraw, y: int) -> None:
    x = MARGIN
    for color, label in ((SENT, "Dikirim"), (APPROVED, "Disetujui")):
        draw.rectangle((x, y + 6, x + 30, y + 36), fill=color)
        draw.text((x + 42, y + 2), label, font=VALUE, fill=INK)
        x += 42 + int(draw.textlength(label, font=VALUE)) + 48


def _bars(name: str, bars: list[tuple[int, tuple[int, int, int]]], top: int, value: str) -> Row:
    lines = _wrap(drawable(name), WIDTH - 2 * MARGIN)
    label_height = 40 * len(lines)

    def paint(draw: ImageDraw.ImageDraw, y: int) -> None:
        for i, line in enumerate(lines):
            draw.text((MARGIN, y + 40 * i), line, font=LABEL, fill=INK)
        y += label_height + 4
        room = WIDTH - 2 * MARGIN - 150  # the value is written right of the longest bar
        for count, color in bars:  # drawn over each other: sent behind approved
            if count:
                width = max(4, int(room * count / top))
                draw.rectangle((MARGIN, y, MARGIN + width, y + 36), fill=color)
        longest = int(room * bars[0][0] / top)
        draw.text((MARGIN + longest + 16, y + 1), value, font=VALUE, fill=INK)

    return label_height + 4 + 36 + 26, paint


def _wrap(text: str, width: int) -> list[str]:
    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if measure.textlength(trial, font=LABEL) <= width or not current:
            current = trial
        else:
            lines.append(current)
            current = word
    return [*lines, current] if current else lines or [""]

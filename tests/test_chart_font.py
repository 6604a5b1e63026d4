"""The recap chart and the PDF letter draw the characters Indonesian names and dates use:
dashes, Ç, é, curly quotes, °, ², Latin Extended; nothing comes out as an empty box or "?"."""

from __future__ import annotations

import io
import logging
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from PIL import Image, ImageChops, ImageFont
from pypdf import PdfReader

from handlers.config import Letterhead
from handlers.recap import Recap, UnitLine, week_of
from handlers.recap.chart import LABEL, TITLE, VALUE, render_chart
from handlers.recap.letter import render_letter

NEEDED = "–—ÇçéÉèñÑ’‘“”°²·…ŌōŠšĞğŞşŁłŐőĀā"
MISSING = "\ue000"  # a private-use code point no font draws: what a missing glyph looks like
UNIT = "Kecamatan Cibinong — Çiawi “Café” Kopi ’Desa’ 25°C 10 m² Ōtsuka Şile"


def ink(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, char: str) -> bytes:
    mask = font.getmask(char)
    return bytes(mask.size) + bytes(mask)


@pytest.mark.parametrize("font", [TITLE, LABEL, VALUE], ids=["title", "label", "value"])
@pytest.mark.parametrize("char", list(NEEDED))
def test_each_character_has_a_real_glyph(font: ImageFont.FreeTypeFont, char: str) -> None:
    assert ink(font, char) != ink(font, MISSING), f"{char!r} ({ord(char):04X}) is missing"
    assert any(ink(font, char)[8:]), f"{char!r} draws nothing"


def chart_with(name: str) -> Image.Image:
    recap = Recap("Diskominfo", week_of(date(2026, 11, 23)), ZoneInfo("Asia/Jakarta"))
    recap.units = [UnitLine(name, 5, 3)]
    recap.pillars = [("Informasi", 5)]
    return Image.open(io.BytesIO(render_chart(recap))).convert("RGB")


@pytest.mark.parametrize("char", ["—", "Ç", "é", "’", "°", "²"])
def test_the_chart_draws_the_character_not_a_box(char: str) -> None:
    """A name drawn with the character differs from one with a missing glyph in its place."""
    real, box = chart_with(UNIT), chart_with(UNIT.replace(char, MISSING))
    assert ImageChops.difference(real, box).getbbox() is not None


def test_the_letter_keeps_every_character(caplog: pytest.LogCaptureFixture) -> None:
    png = io.BytesIO()
    Image.new("RGB", (400, 200), (255, 255, 255)).save(png, "PNG")
    head = Letterhead("Dinas Komunikasi — Kab. Bogor", address="Jl. Tegar Beriman, Cibinong")
    lines = [f"Laporan terbanyak: {UNIT}", "Semua unit sudah melapor. 👏"]
    with caplog.at_level(logging.WARNING):
        pdf = render_letter(head, "Rekap", "23–29 Nov 2026", lines, png.getvalue(), "Dibuat")
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())  # lines wrap
    assert UNIT in text and "23–29 Nov 2026" in text and "Komunikasi — Kab." in text
    assert "Semua unit sudah melapor." in text and "?" not in text
    assert not [r for r in caplog.records if "missing" in r.getMessage()]  # the emoji: left out

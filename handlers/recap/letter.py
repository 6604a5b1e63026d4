"""The recap as a one-page A4 PDF on the organization's letterhead, ready for the regent."""

from __future__ import annotations

import io
import logging

from fpdf import FPDF
from PIL import Image

from handlers.config import Letterhead
from handlers.recap.fonts import BOLD, REGULAR, drawable

log = logging.getLogger(__name__)

PAGE_W, PAGE_H, SIDE = 210.0, 297.0, 18.0
BOTTOM = PAGE_H - 16.0
FONT = "DejaVu"  # the chart's font, embedded as a subset: the PDF's own fonts know Latin-1 only


def render_letter(
    letterhead: Letterhead, title: str, period: str, lines: list[str], chart_png: bytes, made: str
) -> bytes:
    pdf = FPDF(format="A4", unit="mm")
    pdf.add_font(FONT, "", str(REGULAR))
    pdf.add_font(FONT, "B", str(BOLD))
    pdf.set_auto_page_break(False)
    pdf.set_margins(SIDE, 14, SIDE)
    pdf.add_page()
    y = _letterhead(pdf, letterhead)
    pdf.set_xy(SIDE, y + 6)
    pdf.set_font(FONT, "B", 14)
    pdf.cell(
        PAGE_W - 2 * SIDE, 7, drawable(title.upper()), align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font(FONT, "", 11)
    pdf.cell(PAGE_W - 2 * SIDE, 6, drawable(period), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT, "", 10.5)
    for line in lines:
        pdf.multi_cell(PAGE_W - 2 * SIDE, 5.4, drawable(line), new_x="LMARGIN", new_y="NEXT")
    _chart(pdf, chart_png, pdf.get_y() + 4)
    pdf.set_xy(SIDE, BOTTOM + 4)
    pdf.set_font(FONT, "", 8)
    pdf.set_text_color(107, 114, 128)
    pdf.cell(PAGE_W - 2 * SIDE, 4, drawable(made), align="R")
    return bytes(pdf.output())


def _letterhead(pdf: FPDF, head: Letterhead) -> float:
    text_x = SIDE
    if head.logo is not None:
        try:
            pdf.image(str(head.logo), x=SIDE, y=12, h=24)
            text_x = SIDE + 30
        except Exception:  # a missing or broken logo must not stop the report
            log.warning("letterhead logo %s could not be used", head.logo, exc_info=True)
    pdf.set_xy(text_x, 13)
    pdf.set_font(FONT, "B", 16)
    pdf.cell(PAGE_W - SIDE - text_x, 8, drawable(head.name), new_x="LMARGIN", new_y="NEXT")
    if head.address:
        pdf.set_x(text_x)
        pdf.set_font(FONT, "", 9.5)
        pdf.multi_cell(PAGE_W - SIDE - text_x, 4.6, drawable(head.address))
    y = max(pdf.get_y(), 36.0) + 2
    pdf.set_line_width(0.9)
    pdf.line(SIDE, y, PAGE_W - SIDE, y)
    pdf.set_line_width(0.3)
    pdf.line(SIDE, y + 1.2, PAGE_W - SIDE, y + 1.2)
    return y + 2


def _chart(pdf: FPDF, png: bytes, top: float) -> None:
    """The chart scaled to the room left on the page, so the report stays one page."""
    with Image.open(io.BytesIO(png)) as image:
        ratio = image.height / image.width
    room_h = BOTTOM - top
    width = min(PAGE_W - 2 * SIDE, room_h / ratio)
    if width < 30:
        return  # no room worth drawing in; the figures are in the text and the XLSX
    pdf.image(io.BytesIO(png), x=(PAGE_W - width) / 2, y=top, w=width)

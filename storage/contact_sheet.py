"""A report's photos as one image: the newsroom card's picture (issue 13).

A Telegram group takes about 20 messages a minute; an album costs one per photo. One sheet per
report, tiles in order and numbered, keeps a morning's reports flowing. Sized for a phone: 1280
px wide, so Telegram keeps it sharp. Tiles are cropped to 4:3 from the centre; "Lihat foto asli"
sends the photos whole.
"""

from __future__ import annotations

import hashlib
import io
import math
from pathlib import Path

from PIL import ExifTags, Image, ImageDraw, ImageFont, ImageOps

from storage.derivatives import TRANSPOSE
from storage.media import flat_rgb, plain_mode, register_heif, write_atomically

WIDTH, GAP = 1280, 8
TILE_RATIO = 3 / 4  # height / width: most phone photos
BACKGROUND, BADGE, NEW = (245, 246, 248), (20, 24, 28), (11, 107, 203)
FONT = (
    Path(__file__).resolve().parent.parent / "handlers" / "recap" / "fonts" / "DejaVuSans-Bold.ttf"
)
NEW_MARK = "new"  # a photo this version added: "BARU" on its tile
QUALITY = 85


def columns(count: int) -> int:
    """Two across up to four photos, three beyond (ten photos: four rows of three)."""
    return 1 if count == 1 else 2 if count in (2, 4) else 3


def sheet_file(folder: Path, sources: list[Path], marks: list[str]) -> Path:
    """The sheet for these photos and marks, made once and kept under `folder` by what it
    shows (several newsrooms, a resend after a restart and edits reuse it). Blocking."""
    key = hashlib.sha256(
        "|".join(
            f"{p.name}:{m}" for p, m in zip(sources, _padded(marks, len(sources)), strict=True)
        ).encode()
    )
    path = folder / f"{key.hexdigest()[:24]}.jpg"
    if not path.exists():
        write_atomically(path, render_sheet(sources, marks))
    return path


def render_sheet(sources: list[Path], marks: list[str]) -> bytes:
    count = len(sources)
    cols = columns(count)
    tile_w = (WIDTH - GAP * (cols + 1)) // cols
    tile_h = round(tile_w * TILE_RATIO)
    rows = math.ceil(count / cols)
    sheet = Image.new("RGB", (WIDTH, rows * tile_h + GAP * (rows + 1)), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.truetype(str(FONT), max(22, tile_w // 14))
    for index, (source, mark) in enumerate(zip(sources, _padded(marks, count), strict=True)):
        x = GAP + (index % cols) * (tile_w + GAP)
        y = GAP + (index // cols) * (tile_h + GAP)
        sheet.paste(_tile(source, tile_w, tile_h), (x, y))
        _badge(draw, font, (x, y), str(index + 1), BADGE)
        if mark == NEW_MARK:
            _badge(draw, font, (x + tile_w, y), "BARU", NEW, right=True)
    out = io.BytesIO()
    sheet.save(out, "JPEG", quality=QUALITY, optimize=True)  # made here: no metadata at all
    return out.getvalue()


def _tile(source: Path, width: int, height: int) -> Image.Image:
    """The photo cropped and resized in one step as it is stored, then the small tile turned
    upright and made RGB: no full-size copy is made beside the decoded frame."""
    register_heif()
    with Image.open(source) as im:
        orientation = im.getexif().get(ExifTags.Base.Orientation, 1)
        turned = orientation in (5, 6, 7, 8)  # stored sideways: fit the crop the other way
        size = (height, width) if turned else (width, height)
        im.draft("RGB", (size[0] * 2, size[1] * 2))  # a JPEG decodes at a reduced scale: fast
        tile = ImageOps.fit(plain_mode(im), size, Image.Resampling.LANCZOS)
    method = TRANSPOSE.get(orientation)
    return flat_rgb(tile.transpose(method) if method is not None else tile)


def _badge(
    draw: ImageDraw.ImageDraw,
    font: ImageFont.FreeTypeFont,
    corner: tuple[int, int],
    text: str,
    fill: tuple[int, int, int],
    *,
    right: bool = False,
) -> None:
    """A label in a tile's top corner, readable on any photo (white on a dark box)."""
    left, top, end, bottom = draw.textbbox((0, 0), text, font=font)
    pad = max(6, (bottom - top) // 3)
    w, h = end - left + 2 * pad, bottom - top + 2 * pad
    x = corner[0] - w if right else corner[0]
    draw.rectangle((x, corner[1], x + w, corner[1] + h), fill=fill)
    draw.text((x + pad - left, corner[1] + pad - top), text, font=font, fill=(255, 255, 255))


def _padded(marks: list[str], count: int) -> list[str]:
    return (marks + [""] * count)[:count]

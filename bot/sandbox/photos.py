"""A photo from a trainee's phone, made what Telegram makes of it: a JPEG at most 1280 px on
its longer side, turned upright, with a 90 px small size. The page's demo photos too."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

SIDE, SMALL_SIDE = 1280, 90  # Telegram's "photo" sizes for a picture sent compressed
QUALITY = 87
DEMO_DIR = Path(__file__).parent / "demo_photos"
MAX_PIXELS = 60_000_000  # a 50-megapixel phone photo passes; a decompression bomb does not


@dataclass(frozen=True)
class PhonePhoto:
    data: bytes
    width: int
    height: int
    small: bytes


def as_telegram_photo(raw: bytes) -> PhonePhoto | None:
    """None when it is not a picture Pillow can read (a PDF, a video, a broken file)."""
    try:
        with Image.open(io.BytesIO(raw)) as image:
            if image.width * image.height > MAX_PIXELS:
                return None
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    upright.thumbnail((SIDE, SIDE))
    small = upright.copy()
    small.thumbnail((SMALL_SIDE, SMALL_SIDE))
    return PhonePhoto(_jpeg(upright), upright.width, upright.height, _jpeg(small))


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=QUALITY)
    return out.getvalue()


def demo_photos() -> list[str]:
    return sorted(p.name for p in DEMO_DIR.glob("*.jpg"))


def demo_photo(name: str) -> bytes | None:
    return (DEMO_DIR / name).read_bytes() if name in demo_photos() else None

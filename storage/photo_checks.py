"""What a photo looks like, measured once on a small decode: size, light, sharpness, and a
perceptual hash that finds the same photo again after resizing or recompression.

`check_photo` is what the engine asks of every photo it receives: media.inspect_image's checks
and the look, from that one small decode (12 MP: the decode was most of the cost, twice).
Blocking (Pillow): call through asyncio.to_thread.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import ExifTags, Image, ImageFilter, ImageOps, ImageStat, UnidentifiedImageError

from storage.media import (
    ACCEPTED_FORMATS,
    ImageInfo,
    ImageProblem,
    _gps,
    _taken,
    plain_mode,
    register_heif,
)

SAMPLE = 512  # long side the measurements are taken at: resolution-independent, fast
_LAPLACE = ImageFilter.Kernel((3, 3), (0, 1, 0, 1, -4, 1, 0, 1, 0), scale=1, offset=128)


@dataclass(frozen=True)
class Look:
    short_side: int  # of the original, upright
    brightness: float  # mean luma, 0-255
    sharpness: float  # variance of the Laplacian at SAMPLE px: low means blurry
    dhash: str  # 64-bit difference hash, 16 hex digits


def look_at(data: bytes) -> Look:
    register_heif()
    with Image.open(io.BytesIO(data)) as im:
        short_side = min(im.size)
        im.draft("L", (SAMPLE, SAMPLE))
        return _look(im, short_side)


def check_photo(data: bytes, *, max_pixels: int) -> tuple[ImageInfo, Look]:
    """inspect_image and look_at in one: the same checks, the same ImageProblems, the same look."""
    register_heif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))
            if im.format not in ACCEPTED_FORMATS:
                raise ImageProblem("unsupported", str(im.format))
            width, height = im.size
            if width * height > max_pixels:
                raise ImageProblem("too_many_pixels", f"{width}x{height}")
            exif = im.getexif()
            im.draft("L", (SAMPLE, SAMPLE))  # the look's decode; it walks the whole file too
            im.load()  # so that a truncated file fails here, as in inspect_image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageProblem("too_many_pixels", str(exc)) from exc
    except UnidentifiedImageError as exc:
        raise ImageProblem("not_image", str(exc)) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageProblem("corrupt", str(exc)) from exc
    look = _look(im, min(width, height))
    if exif.get(ExifTags.Base.Orientation) in (5, 6, 7, 8):
        width, height = height, width
    lat, lon = _gps(exif)
    info = ImageInfo(ACCEPTED_FORMATS[im.format], width, height, _taken(exif), lat, lon)
    return info, look


def _look(im: Image.Image, short_side: int) -> Look:
    small = ImageOps.exif_transpose(plain_mode(im)).convert("L")  # 16-bit grey: not white
    small.thumbnail((SAMPLE, SAMPLE), Image.Resampling.BILINEAR)
    return Look(
        short_side=short_side,
        brightness=ImageStat.Stat(small).mean[0],
        sharpness=ImageStat.Stat(small.filter(_LAPLACE)).var[0],
        dhash=difference_hash(small),
    )


def difference_hash(gray: Image.Image) -> str:
    """Is each pixel brighter than its right neighbour, on a 9 x 8 thumbnail: 64 bits."""
    tiny = gray.resize((9, 8), Image.Resampling.LANCZOS)
    px = tiny.tobytes()  # one byte a pixel (mode L), row by row
    bits = 0
    for row in range(8):
        for col in range(8):
            left, right = px[row * 9 + col], px[row * 9 + col + 1]
            bits = (bits << 1) | (left > right)
    return f"{bits:016x}"


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()

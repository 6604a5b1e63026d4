"""Content-addressed media files, and reading what a photo says about itself."""

from __future__ import annotations

import functools
import hashlib
import io
import os
import tempfile
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from fractions import Fraction
from pathlib import Path
from typing import IO

from PIL import ExifTags, Image, ImageFile, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",  # a JPEG with more pictures after the first (many phones, cameras)
    "PNG": "image/png",
    "WEBP": "image/webp",
    "HEIF": "image/heic",  # iPhones, sent as files; opened through pillow-heif
}
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heic": "heic"}


# pillow-heif's brands (pillow_heif.as_plugin._is_supported_heif), bytes 8-12 after "ftyp".
HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"})
HEIF_BRANDS |= {b"mif1", b"msf1"}


@functools.cache
def register_heif() -> None:
    """Teach Pillow to open HEIC/HEIF (once per process). pillow-heif itself (~3 MB resident)
    is imported by the first HEIF file opened: most processes never see one."""
    Image.register_open("HEIF", _open_heif, _looks_heif)


def _looks_heif(prefix: bytes) -> bool:
    return prefix[4:8] == b"ftyp" and prefix[8:12] in HEIF_BRANDS


def _open_heif(fp: IO[bytes], filename: str | bytes) -> ImageFile.ImageFile:
    from pillow_heif import register_heif_opener

    register_heif_opener()  # its own opener replaces this one for the files after
    factory = Image.OPEN["HEIF"][0]
    return factory(fp, filename)


# Modes every step (reduce, resize, ICC, blur) handles as they are; anything else is converted.
PLAIN_MODES = frozenset({"RGB", "RGBA", "L", "LA", "CMYK"})


def plain_mode(im: Image.Image) -> Image.Image:
    """The image in a mode of PLAIN_MODES: the same object when it already is (every JPEG).

    Palette and 1-bit images become RGB(A) or L; 16- and 32-bit grey (16-bit PNGs) is scaled
    down to 8 bits, because Pillow's own conversion clips it and the photo turns white.
    """
    if im.mode in PLAIN_MODES:
        return im
    if im.mode in ("P", "PA"):
        return im.convert("RGBA" if im.has_transparency_data else "RGB")
    if im.mode.startswith("I"):  # I;16, I;16B, I: a 16-bit range
        return im.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    if im.mode == "F":
        top = im.getextrema()[1]
        scale = 255.0 if isinstance(top, float) and top <= 1.0 else 1.0  # 0..1 or 0..255
        return im.point(lambda v: v * scale).convert("L")
    if im.mode == "1":
        return im.convert("L")
    return im.convert("RGBA" if "A" in im.mode else "RGB")


def flat_rgb(im: Image.Image) -> Image.Image:
    """RGB, with any transparency laid on white (a transparent PNG is not a black photo)."""
    im = plain_mode(im)
    if im.mode in ("RGBA", "LA"):
        rgba = im.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return im.convert("RGB")


class ImageProblem(Exception):
    """A photo we cannot take; `code` picks the message the operator gets."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code


@dataclass(frozen=True)
class ImageInfo:
    mime: str
    width: int
    height: int
    taken_local: datetime | None  # camera clock; aware when the photo says its offset
    latitude: float | None
    longitude: float | None


def inspect_image(data: bytes, *, max_pixels: int) -> ImageInfo:
    """Check that the bytes are a photo we accept and read size, capture time and GPS.

    Blocking (Pillow): call it through asyncio.to_thread.
    """
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
            # Decoding at 1/8 scale still walks the whole file, so truncation shows up cheaply.
            im.draft("RGB", (max(1, width // 8), max(1, height // 8)))
            im.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageProblem("too_many_pixels", str(exc)) from exc
    except UnidentifiedImageError as exc:
        raise ImageProblem("not_image", str(exc)) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageProblem("corrupt", str(exc)) from exc
    if exif.get(ExifTags.Base.Orientation) in (5, 6, 7, 8):
        width, height = height, width
    lat, lon = _gps(exif)
    return ImageInfo(ACCEPTED_FORMATS[im.format], width, height, _taken(exif), lat, lon)


def _taken(exif: Image.Exif) -> datetime | None:
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    raw = sub.get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
    try:
        taken = datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except (TypeError, ValueError):
        return None
    offset = sub.get(ExifTags.Base.OffsetTimeOriginal)
    if isinstance(offset, str) and len(offset) >= 6 and offset[0] in "+-":
        sign = 1 if offset[0] == "+" else -1
        try:
            delta = timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
        except ValueError:
            return taken
        taken = taken.replace(tzinfo=timezone(sign * delta))
    return taken


def _gps(exif: Image.Exif) -> tuple[float | None, float | None]:
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    try:
        lat = _degrees(gps[ExifTags.GPS.GPSLatitude], gps.get(ExifTags.GPS.GPSLatitudeRef, "N"))
        lon = _degrees(gps[ExifTags.GPS.GPSLongitude], gps.get(ExifTags.GPS.GPSLongitudeRef, "E"))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None, None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    return lat, lon


def _degrees(dms: tuple[object, ...], ref: object) -> float:
    d, m, s = (float(Fraction(str(x))) if not isinstance(x, float) else x for x in dms)
    value = d + m / 60 + s / 3600
    return -value if str(ref).upper().startswith(("S", "W")) else value


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    path: str  # relative to the media folder
    size: int


class MediaStore:
    """Files named by their sha256, so a photo sent twice is stored once."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, data: bytes, mime: str) -> StoredFile:
        digest = hashlib.sha256(data).hexdigest()
        rel = f"originals/{digest[:2]}/{digest[2:4]}/{digest}.{_EXTENSIONS.get(mime, 'bin')}"
        target = self.root / rel
        if not target.exists():
            write_atomically(target, data)
        return StoredFile(digest, rel, len(data))

    def path(self, rel: str) -> Path:
        return self.root / rel

    def upload_copy(self, rel: str, long_side: int = 2048) -> bytes:
        """A JPEG no larger than long_side for sending to a chat (originals can be 20 MB).

        Blocking (Pillow): call it through asyncio.to_thread.
        """
        register_heif()
        with Image.open(self.path(rel)) as im:
            im.draft("RGB", (long_side, long_side))
            small = plain_mode(im)  # first: a palette would be resized by nearest neighbour
            small.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
            small = flat_rgb(ImageOps.exif_transpose(small))
            out = io.BytesIO()
            small.save(out, "JPEG", quality=85, optimize=True)  # no exif=: GPS stays private
            return out.getvalue()

    # Sheets to draw at once (the caller keeps to it). Each holds a decoded photo (a 12 MP one
    # is 36 MB) while it draws; a burst of 50 reports would otherwise draw one per worker
    # thread. Two keep both cores busy.
    SHEETS_AT_ONCE = 2

    def contact_sheet(self, rels: list[str], marks: list[str]) -> bytes:
        """The newsroom card's picture of these photos (storage.contact_sheet). Blocking."""
        from storage.contact_sheet import sheet_file  # it imports this module

        return sheet_file(self.root / "sheets", [self.path(r) for r in rels], marks).read_bytes()


def save_by_content(folder: Path, data: bytes, suffix: str, stem: str = "") -> Path:
    """Write a generated file named by its sha256 (once; atomically), e.g. a report's ZIP."""
    digest = hashlib.sha256(data).hexdigest()
    name = f"{stem}-{digest[:12]}" if stem else digest[:24]
    path = folder / f"{name}.{suffix}"
    if not path.exists():
        write_atomically(path, data)
    return path


def write_atomically(path: Path, data: bytes, *, durable: bool = False) -> None:
    """Readers (and a crash) see the old file or the new one, never half of it: a temporary of
    its own beside the target (two writers at once do not share one), then a rename.
    durable: synced to disk before the rename (a file people edit by hand, like a schedule)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

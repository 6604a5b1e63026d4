"""Photos ready to post: rotated, sRGB, sized per platform, and nothing private left in them.

One decode serves every size: the JPEG is decoded at reduced scale (`draft`) or reduced by an
integer factor (`reduce`) to the smallest size that still covers the largest derivative, then
rotated (EXIF orientation, after reducing: fewer pixels to move), then resized per platform.
Nothing of the original's metadata is written back: no EXIF (GPS, device), no XMP, no ICC
other than the conversion to sRGB. Blocking (Pillow): call through asyncio.to_thread.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageCms, ImageFilter, ImageOps

from storage.media import MediaStore, flat_rgb, plain_mode, register_heif, write_atomically

JPEG_QUALITY = 85
TRANSPOSE = {  # EXIF orientation -> what turns the stored pixels upright
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
THUMB_SIDE = 400
WEB_SIDE = 1600


@dataclass(frozen=True)
class Size:
    name: str  # also the file name stem in the upload package
    width: int
    height: int
    fit: str  # cover: fill the frame, crop the rest | contain: whole photo | fill: on blur


WEB = Size("web", WEB_SIDE, WEB_SIDE, "contain")
SIZES = (
    Size("instagram-feed-4x5", 1080, 1350, "cover"),
    Size("instagram-feed-1x1", 1080, 1080, "cover"),
    Size("story-9x16", 1080, 1920, "fill"),
    WEB,
    Size("thumbnail", THUMB_SIDE, THUMB_SIDE, "contain"),
)


def make_derivatives(data: bytes, sizes: tuple[Size, ...] = SIZES) -> dict[str, bytes]:
    """Every size as a progressive sRGB JPEG without metadata, from one reduced decode."""
    base = _decode_reduced(data, sizes)
    return {size.name: _jpeg(_render(base, size)) for size in sizes}


def _decode_reduced(data: bytes, sizes: tuple[Size, ...]) -> Image.Image:
    register_heif()
    with Image.open(io.BytesIO(data)) as im:
        turned = im.getexif().get(0x0112, 1) in (5, 6, 7, 8)  # stored sideways
        w, h = (im.height, im.width) if turned else im.size  # as it will be shown
        scale = min(1.0, max(_scale_for(w, h, s) for s in sizes))
        need = (math.ceil(w * scale), math.ceil(h * scale))
        stored_need = (need[1], need[0]) if turned else need
        if im.format in ("JPEG", "MPO"):
            im.draft("RGB", stored_need)  # the decoder skips detail we would throw away
        plain = plain_mode(im)  # reduce() refuses palette, 1-bit, 16-bit; JPEGs pass as they are
        factor = min(plain.width // stored_need[0], plain.height // stored_need[1])
        reduced = plain.reduce(factor) if factor >= 2 else plain.copy()
        icc = im.info.get("icc_profile")
        orientation = im.getexif().get(0x0112, 1)
    method = TRANSPOSE.get(orientation)
    upright = reduced.transpose(method) if method is not None else reduced  # after reducing
    if icc:
        upright.info["icc_profile"] = icc
    return _to_srgb(upright)


def _scale_for(w: int, h: int, size: Size) -> float:
    if size.fit == "cover":
        return max(size.width / w, size.height / h)
    return min(size.width / w, size.height / h)


def _to_srgb(im: Image.Image) -> Image.Image:
    icc = im.info.get("icc_profile")
    if icc and im.mode in ("RGB", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(
                im, source, ImageCms.createProfile("sRGB"), outputMode="RGB"
            )
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError):
            pass  # a broken profile: treat the pixels as sRGB rather than fail the photo
    return flat_rgb(im)  # alpha laid on white


REDUCING_GAP = 2.0  # LANCZOS only over the last 2x; an integer reduce() does the rest, fast


def _render(base: Image.Image, size: Size) -> Image.Image:
    box = (size.width, size.height)
    if size.fit == "cover":
        return _cover(base, box)
    if size.fit == "contain":
        return _contain(base, box)
    return _on_blurred_fill(base, box)


def _cover(base: Image.Image, box: tuple[int, int]) -> Image.Image:
    """Fill the frame, cropping the centre (as ImageOps.fit, with a reducing gap)."""
    scale = max(box[0] / base.width, box[1] / base.height)
    crop_w, crop_h = box[0] / scale, box[1] / scale
    left, top = (base.width - crop_w) / 2, (base.height - crop_h) / 2
    crop = (left, top, left + crop_w, top + crop_h)
    return base.resize(box, Image.Resampling.LANCZOS, box=crop, reducing_gap=REDUCING_GAP)


def _contain(base: Image.Image, box: tuple[int, int]) -> Image.Image:
    if base.width <= box[0] and base.height <= box[1]:
        return base.copy()  # never enlarge
    return _fit_inside(base, box)


def _fit_inside(base: Image.Image, box: tuple[int, int]) -> Image.Image:
    scale = min(box[0] / base.width, box[1] / base.height)
    size = (max(1, round(base.width * scale)), max(1, round(base.height * scale)))
    return base.resize(size, Image.Resampling.LANCZOS, reducing_gap=REDUCING_GAP)


def _on_blurred_fill(base: Image.Image, box: tuple[int, int]) -> Image.Image:
    """A photo of another shape, whole, on a blurred and dimmed fill of itself (not a sliver)."""
    small = ImageOps.fit(base, (box[0] // 10, box[1] // 10), Image.Resampling.BILINEAR)
    fill = small.filter(ImageFilter.GaussianBlur(4)).resize(box, Image.Resampling.BILINEAR)
    fill = Image.eval(fill, lambda v: int(v * 0.7))
    photo = _fit_inside(base, box)  # a story fills the width even from a small photo
    fill.paste(photo, ((box[0] - photo.width) // 2, (box[1] - photo.height) // 2))
    return fill


def _jpeg(im: Image.Image) -> bytes:
    out = io.BytesIO()
    im.save(out, "JPEG", quality=JPEG_QUALITY, progressive=True)  # no exif=, no icc_profile=
    return out.getvalue()


def derivative_path(media: MediaStore, sha256: str, size: Size) -> Path:
    """Where a photo's copy at this size is kept: by the original's content, beside the others."""
    return media.path(f"derivatives/{sha256[:2]}/{sha256}/{size.name}.jpg")


def ensure_derivatives(media: MediaStore, original: str, sha256: str) -> dict[str, Path]:
    """The derivatives of a stored photo, made once and kept beside the originals."""
    paths = {size.name: derivative_path(media, sha256, size) for size in SIZES}
    if all(path.exists() for path in paths.values()):
        return paths
    for name, data in make_derivatives(media.path(original).read_bytes()).items():
        write_atomically(paths[name], data)
    return paths


def naive_derivatives(data: bytes, sizes: tuple[Size, ...] = SIZES) -> dict[str, bytes]:
    """The obvious pipeline, for the benchmark: full decode, rotate, resize each from it."""
    register_heif()
    with Image.open(io.BytesIO(data)) as im:
        full = flat_rgb(ImageOps.exif_transpose(im))
    return {size.name: _jpeg(_render(full, size)) for size in sizes}


__all__ = [
    "SIZES",
    "WEB",
    "Size",
    "derivative_path",
    "ensure_derivatives",
    "make_derivatives",
    "naive_derivatives",
]

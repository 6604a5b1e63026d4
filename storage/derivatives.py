"""Photos ready to post: rotated, sRGB, sized per platform, and nothing private left in them.

One decode serves every size: the JPEG is decoded at reduced scale (`draft`) or reduced by an
integer factor (`reduce`) to the smallest size that still covers the largest derivative, then
rotated (EXIF orientation, after reducing: fewer pixels to move). Each size is then resampled
once per distinct scale (crops share it): straight from that frame when it is less than 2x
smaller, else from the smallest picture already made that covers it (the thumbnail), and only
the web size is written progressive.
Nothing of the original's metadata is written back: no EXIF (GPS, device), no XMP, no ICC
other than the conversion to sRGB. Blocking (Pillow): call through asyncio.to_thread.
"""

from __future__ import annotations

import io
import math
from collections import Counter
from collections.abc import Callable
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
Box = tuple[float, float, float, float]  # left, top, right, bottom, as Image.resize takes it


@dataclass(frozen=True)
class Size:
    name: str  # also the file name stem in the upload package
    width: int
    height: int
    fit: str  # cover: fill the frame, crop the rest | contain: whole photo | fill: on blur
    # Progressive costs 4x the encode; only worth it where a browser shows the photo as it
    # loads. Instagram and Facebook re-encode what they get.
    progressive: bool = False


WEB = Size("web", WEB_SIDE, WEB_SIDE, "contain", progressive=True)
SIZES = (
    Size("instagram-feed-4x5", 1080, 1350, "cover"),
    Size("instagram-feed-1x1", 1080, 1080, "cover"),
    Size("story-9x16", 1080, 1920, "fill"),
    WEB,
    Size("thumbnail", THUMB_SIDE, THUMB_SIDE, "contain"),
)


def make_derivatives(data: bytes, sizes: tuple[Size, ...] = SIZES) -> dict[str, bytes]:
    """Every size as an sRGB JPEG without metadata, from one reduced decode."""
    base = _decode_reduced(data, sizes)
    rendered = _render_all(base, sizes)
    return {size.name: _jpeg(rendered[size.name], size.progressive) for size in sizes}


def _decode_reduced(data: bytes, sizes: tuple[Size, ...]) -> Image.Image:
    register_heif()
    with Image.open(io.BytesIO(data)) as im:
        orientation = im.getexif().get(0x0112, 1)
        turned = orientation in (5, 6, 7, 8)  # stored sideways
        w, h = (im.height, im.width) if turned else im.size  # as it will be shown
        scale = min(1.0, max(_scale_for(w, h, s) for s in sizes))
        need = (math.ceil(w * scale), math.ceil(h * scale))
        stored_need = (need[1], need[0]) if turned else need
        if im.format in ("JPEG", "MPO"):
            im.draft("RGB", stored_need)  # the decoder skips detail we would throw away
        plain = plain_mode(im)  # reduce() refuses palette, 1-bit, 16-bit; JPEGs pass as they are
        factor = min(plain.width // stored_need[0], plain.height // stored_need[1])
        if factor >= 2:
            plain = plain.reduce(factor)
        plain.load()  # decoded while the file is open; the frame is kept as it is, not copied
        icc = im.info.get("icc_profile")
    method = TRANSPOSE.get(orientation)
    upright = plain.transpose(method) if method is not None else plain  # after reducing
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
    if im.mode == "RGB":
        return im  # convert() would copy the whole frame
    return flat_rgb(im)  # alpha laid on white


# Downscales of less than 2x (the feed sizes, the web size, the story's photo): HAMMING, each
# in one step from the decoded frame. Its support is 1 where BICUBIC's is 2: half the taps per
# pixel. In one step it keeps about what BICUBIC kept chained through the web size (camera
# photo: 87-96 % of the LANCZOS result's fine detail, against 87-97 %; BENCHMARKS.md); the
# tests hold every size within the naive tolerance and above 80 % of its detail. Enlargements
# (a 1280 px photo's feed sizes) and downscales of 2x or more (the thumbnail, from the smallest
# picture made) stay BICUBIC: enlarging, HAMMING adds false detail (116 % of LANCZOS's).
# REDUCING_GAP: an integer reduce() does all but the last 2x of a large downscale, fast.
NEAR = Image.Resampling.HAMMING
RESAMPLE = Image.Resampling.BICUBIC
REDUCING_GAP = 2.0


def _resample(source: Image.Image, size: tuple[int, int], box: Box | None = None) -> Image.Image:
    """Resize (the box of) source to size with the filter its ratio calls for."""
    width = box[2] - box[0] if box else source.width
    resample = NEAR if 1 < width / size[0] < 2 else RESAMPLE
    return source.resize(size, resample, box=box, reducing_gap=REDUCING_GAP)


def _frame_size(photo: tuple[int, int], size: Size) -> tuple[int, int]:
    """The whole photo at the scale this size needs: covering, inside, or inside enlarged."""
    w, h = photo
    scale = _scale_for(w, h, size)
    if size.fit == "contain":
        scale = min(scale, 1.0)  # never enlarge; a story fills the width even from a small photo
    return max(1, round(w * scale)), max(1, round(h * scale))


class _Frames:
    """The whole photo at each scale made so far: no scale twice, no copy of the base. Each is
    resampled from the base when less than 2x smaller (one step, sharper than a chain), else
    from the smallest one made that covers it (the thumbnail from the story's photo)."""

    def __init__(self, base: Image.Image, sizes: tuple[Size, ...]) -> None:
        self.base = base
        self.made = {base.size: base}
        self.uses = Counter(_frame_size(base.size, s) for s in sizes)

    def whole(self, frame: tuple[int, int]) -> Image.Image:
        if frame not in self.made:
            source = self.source_for(frame)
            self.made[frame] = _resample(source, frame)
        return self.made[frame]

    def source_for(self, frame: tuple[int, int]) -> Image.Image:
        if self.base.width < 2 * frame[0]:
            return self.base  # in one step (an enlargement too)
        covering = [f for f in self.made.values() if f.width >= frame[0] and f.height >= frame[1]]
        return min(covering, key=lambda f: f.width) if covering else self.base  # or enlarge it

    def smallest(self) -> Image.Image:
        return min(self.made.values(), key=lambda f: f.width)


def _render_all(base: Image.Image, sizes: tuple[Size, ...]) -> dict[str, Image.Image]:
    frames = _Frames(base, sizes)
    by_scale = sorted(sizes, key=lambda s: _frame_size(base.size, s), reverse=True)
    photos = {size.name: _photo(frames, size) for size in by_scale}  # large first: sources
    fill = frames.smallest()  # blurred anyway: the thumbnail is plenty
    return {
        size.name: _on_blurred_fill(fill, photos[size.name], (size.width, size.height))
        if size.fit == "fill"
        else photos[size.name]
        for size in sizes
    }


def _photo(frames: _Frames, size: Size) -> Image.Image:
    frame, box = _frame_size(frames.base.size, size), (size.width, size.height)
    if size.fit == "cover" and frames.uses[frame] == 1 and frame not in frames.made:
        return _cover(frames.source_for(frame), box)  # only what shows is resampled
    whole = frames.whole(frame)
    if size.fit != "cover":
        return whole
    left, top = (whole.width - box[0]) // 2, (whole.height - box[1]) // 2
    return whole.crop((left, top, left + box[0], top + box[1]))


def _cover(
    source: Image.Image, box: tuple[int, int], resample: Image.Resampling | None = None
) -> Image.Image:
    """Fill the frame, cropping the centre (as ImageOps.fit, with a reducing gap); the filter
    the ratio calls for unless one is given."""
    scale = max(box[0] / source.width, box[1] / source.height)
    crop_w, crop_h = box[0] / scale, box[1] / scale
    left, top = (source.width - crop_w) / 2, (source.height - crop_h) / 2
    crop = (left, top, left + crop_w, top + crop_h)
    if resample is None:
        return _resample(source, box, crop)
    return source.resize(box, resample, box=crop, reducing_gap=REDUCING_GAP)


Strip = Callable[[Image.Image, Box, tuple[int, int]], Image.Image]  # the fill's part, sized


def _interpolated(small: Image.Image, part: Box, size: tuple[int, int]) -> Image.Image:
    return small.resize(size, Image.Resampling.BILINEAR, box=part)


def _spread(small: Image.Image, part: Box, size: tuple[int, int]) -> Image.Image:
    """The fill's part at size: interpolated at half the size, each pixel then doubled. On a
    blur this wide that is within 2 levels of interpolating in full (0.05 on average), for a
    quarter of the cost."""
    half = (max(1, size[0] // 2), max(1, size[1] // 2))
    return small.resize(half, Image.Resampling.BILINEAR, box=part).resize(
        size, Image.Resampling.NEAREST
    )


def _on_blurred_fill(
    source: Image.Image, photo: Image.Image, box: tuple[int, int], strip: Strip = _spread
) -> Image.Image:
    """A photo of another shape, whole, on a blurred and dimmed fill of itself (not a sliver)."""
    small = ImageOps.fit(source, (box[0] // 10, box[1] // 10), Image.Resampling.BILINEAR)
    small = small.filter(ImageFilter.GaussianBlur(4)).point(lambda v: int(v * 0.7))  # 1/100 px
    canvas = Image.new("RGB", box)
    left, top = (box[0] - photo.width) // 2, (box[1] - photo.height) // 2
    canvas.paste(photo, (left, top))
    right, bottom = left + photo.width, top + photo.height
    sx, sy = small.width / box[0], small.height / box[1]
    strips = (
        (0, 0, box[0], top),
        (0, bottom, *box),
        (0, top, left, bottom),
        (right, top, box[0], bottom),
    )
    for x0, y0, x1, y1 in strips:  # the fill only where the photo leaves it showing
        if x1 > x0 and y1 > y0:
            part = (x0 * sx, y0 * sy, x1 * sx, y1 * sy)
            canvas.paste(strip(small, part, (x1 - x0, y1 - y0)), (x0, y0))
    return canvas


def _jpeg(im: Image.Image, progressive: bool) -> bytes:
    out = io.BytesIO()
    im.save(out, "JPEG", quality=JPEG_QUALITY, progressive=progressive)  # no exif=, no icc
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
    """The obvious pipeline, for the benchmark and the tests: full decode, rotate, then each size
    from the full image (LANCZOS, the story's fill interpolated in full), written as
    make_derivatives writes it."""
    register_heif()
    with Image.open(io.BytesIO(data)) as im:
        full = flat_rgb(ImageOps.exif_transpose(im))
    made = {}
    for size in sizes:
        frame, box = _frame_size(full.size, size), (size.width, size.height)
        if size.fit == "cover":
            photo = _cover(full, box, Image.Resampling.LANCZOS)
        else:
            photo = full.resize(frame, Image.Resampling.LANCZOS, reducing_gap=REDUCING_GAP)
        if size.fit == "fill":
            photo = _on_blurred_fill(full, photo, box, _interpolated)
        made[size.name] = _jpeg(photo, size.progressive)
    return made


__all__ = [
    "SIZES",
    "WEB",
    "Size",
    "derivative_path",
    "ensure_derivatives",
    "make_derivatives",
    "naive_derivatives",
]

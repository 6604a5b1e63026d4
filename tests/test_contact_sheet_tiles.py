"""A contact sheet's tile is drawn from the photo as stored (cropped and resized in one step, then
turned upright): the same picture as fitting the upright photo, without its full-size copies."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageOps, ImageStat

from storage.contact_sheet import _tile
from storage.media import flat_rgb, plain_mode


def scene(width: int, height: int) -> Image.Image:
    """Edges and colours that show a wrong crop, turn or blend."""
    im = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    draw = ImageDraw.Draw(im)
    for x in range(0, width, 97):
        draw.rectangle((x, height // 4, x + 40, height // 2), fill=(200, (x * 3) % 255, 40))
    draw.ellipse((width // 3, height // 3, width // 2, height * 5 // 6), fill=(20, 40, 220))
    return im


def upright_fit(source: Path, width: int, height: int) -> Image.Image:
    """The tile the plain way: the whole photo upright and flat, then fitted."""
    with Image.open(source) as im:
        im.draft("RGB", (width * 2, height * 2))
        upright = flat_rgb(ImageOps.exif_transpose(plain_mode(im)))
    return ImageOps.fit(upright, (width, height), Image.Resampling.LANCZOS)


@pytest.mark.parametrize("kind", ["jpeg", "turned-6", "turned-8", "mirrored-5", "rgba-png"])
def test_a_tile_is_the_upright_photo_fitted(tmp_path: Path, kind: str) -> None:
    source = tmp_path / ("photo.png" if kind == "rgba-png" else "photo.jpg")
    if kind == "rgba-png":
        image = scene(900, 1200).convert("RGBA")
        image.putalpha(Image.linear_gradient("L").resize((900, 1200)))
        image.save(source)
    else:
        exif = Image.Exif()
        if kind != "jpeg":
            exif[0x0112] = int(kind[-1])
        scene(1600, 1200).save(source, quality=85, exif=exif.tobytes())
    for width, height in ((416, 312), (632, 474)):
        tile, expected = _tile(source, width, height), upright_fit(source, width, height)
        assert tile.size == (width, height) and tile.mode == "RGB"
        difference = ImageStat.Stat(ImageChops.difference(tile, expected)).mean
        assert max(difference) < 0.5, (kind, width, difference)

"""Photos in every mode a PNG, JPEG or phone writes: palette, 1-bit, 16-bit grey, alpha, CMYK,
MPO. Each becomes derivatives and an upload package; a package that fails is said, not lost."""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from storage.derivatives import SIZES, make_derivatives
from storage.media import MediaStore, inspect_image
from storage.models import Role
from storage.photo_checks import look_at
from tests.harness import CAPTION, Harness, jpeg
from tests.telegram_users import TgUser

# Big enough that the pipeline reduces by an integer factor first (the path that refused).
W, H = 3600, 2700


def scene() -> Image.Image:
    """A textured photo (not flagged as blurry) with a red block top-left."""
    image = Image.open(io.BytesIO(jpeg(W, H)))
    image.paste((220, 20, 20), (0, 0, W // 4, H // 4))
    return image


def saved(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def grey16(image: Image.Image) -> Image.Image:
    """16-bit grey over the full 0-65535 range, as a scanner or a raw converter writes it."""
    return image.convert("L").convert("I").point(lambda v: v * 257).convert("I;16")


def transparent(image: Image.Image) -> Image.Image:
    rgba = image.convert("RGBA")
    rgba.paste((0, 0, 0, 0), (W * 3 // 4, H * 3 // 4, W, H))  # bottom-right: see-through
    return rgba


def mpo(image: Image.Image) -> bytes:
    second = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return saved(image, "MPO", save_all=True, append_images=[second])


MAKERS: dict[str, Callable[[Image.Image], bytes]] = {
    "png-P": lambda im: saved(im.convert("P", palette=Image.Palette.ADAPTIVE), "PNG"),
    "png-P-transparent": lambda im: saved(
        transparent(im).convert("P", palette=Image.Palette.ADAPTIVE), "PNG"
    ),
    "png-1": lambda im: saved(im.convert("1"), "PNG"),
    "png-I;16": lambda im: saved(grey16(im), "PNG"),
    "png-LA": lambda im: saved(transparent(im).convert("LA"), "PNG"),
    "png-RGBA": lambda im: saved(transparent(im), "PNG"),
    "jpeg-CMYK": lambda im: saved(im.convert("CMYK"), "JPEG"),
    "jpeg-L": lambda im: saved(im.convert("L"), "JPEG"),
    "mpo": mpo,
    # Not accepted from operators (TIFF), but the pipeline must not care which mode it gets.
    "tiff-I": lambda im: saved(grey16(im).convert("I"), "TIFF"),
    "tiff-F": lambda im: saved(im.convert("L").convert("F"), "TIFF"),
}


@pytest.fixture(scope="module")
def photos() -> dict[str, bytes]:
    base = scene()
    return {name: make(base) for name, make in MAKERS.items()}


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize("kind", list(MAKERS))
def test_every_mode_makes_every_derivative(photos: dict[str, bytes], kind: str) -> None:
    made = make_derivatives(photos[kind])
    assert sorted(made) == sorted(s.name for s in SIZES)
    web = opened(made["web"])
    assert web.mode == "RGB" and web.size == (1600, 1200)
    red = web.getpixel((40, 40))
    assert isinstance(red, tuple)
    if kind in ("png-I;16", "png-LA", "jpeg-L", "tiff-I", "tiff-F", "png-1"):
        assert 40 < red[0] < 180, red  # grey, neither clipped to white nor black
    else:
        assert red[0] > 150 and red[2] < 90, red
    if kind in ("png-P-transparent", "png-LA", "png-RGBA"):
        assert web.getpixel((1590, 1190)) == (255, 255, 255)  # alpha laid on white


@pytest.mark.parametrize("kind", ["png-I;16", "tiff-I"])
def test_sixteen_bit_grey_keeps_its_light(photos: dict[str, bytes], kind: str) -> None:
    """Pillow's own conversion clips 16-bit values to 255: the photo would come out white."""
    eight = ImageStat.Stat(scene().convert("L")).mean[0]
    assert abs(look_at(photos[kind]).brightness - eight) < 3
    web = opened(make_derivatives(photos[kind])["web"]).convert("L")
    assert abs(ImageStat.Stat(web).mean[0] - eight) < 5


def test_upload_copy_of_a_palette_png_is_rgb_on_white(
    photos: dict[str, bytes], tmp_path: Path
) -> None:
    store = MediaStore(tmp_path)
    stored = store.put(photos["png-P-transparent"], "image/png")
    copy = opened(store.upload_copy(stored.path))
    assert copy.mode == "RGB" and max(copy.size) == 2048
    assert copy.getpixel((copy.width - 3, copy.height - 3)) == (255, 255, 255)


def test_mpo_is_accepted_as_its_first_picture(photos: dict[str, bytes]) -> None:
    info = inspect_image(photos["mpo"], max_pixels=50_000_000)
    assert (info.mime, info.width, info.height) == ("image/jpeg", W, H)
    red = opened(make_derivatives(photos["mpo"])["web"]).getpixel((40, 40))
    assert isinstance(red, tuple) and red[0] > 150  # the first frame, not the flipped second


async def operator_and_editor(bot: Harness) -> tuple[TgUser, TgUser]:
    editor = await bot.join(bot.user("Rina", "Redaktur"), Role.EDITOR)
    await bot.newsroom(editor)
    operator = await bot.join(bot.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    return editor, operator


async def report_file(bot: Harness, operator: TgUser, data: bytes, name: str, mime: str) -> None:
    await bot.send(operator.document(data, mime=mime, name=name, caption=CAPTION))


async def approve(bot: Harness, editor: TgUser, operator: TgUser) -> None:
    await bot.send(operator.tap_button(bot.last_to(operator), "Kirim"))
    await bot.send(editor.tap_button(bot.card(), "Setujui"))
    await bot.settle()


FILES = {  # what an operator sends as a file: name and mime
    "png-P": ("poster.png", "image/png"),
    "png-P-transparent": ("logo-kegiatan.png", "image/png"),
    "png-1": ("scan.png", "image/png"),
    "png-I;16": ("scan-16bit.png", "image/png"),
    "png-LA": ("stempel.png", "image/png"),
    "jpeg-CMYK": ("cetak.jpg", "image/jpeg"),
    "mpo": ("DSC_0001.JPG", "image/jpeg"),
}


@pytest.mark.parametrize("kind", list(FILES))
async def test_the_upload_package_arrives_for_every_mode(
    bot: Harness, photos: dict[str, bytes], kind: str
) -> None:
    editor, operator = await operator_and_editor(bot)
    await report_file(bot, operator, photos[kind], *FILES[kind])
    await approve(bot, editor, operator)
    await bot.send(editor.tap_button(bot.card(), "Paket unggah"))
    await bot.settle()
    package = bot.newsroom_messages()[-1]
    assert package.kind == "document" and package.file_name == "paket-2026-0001.zip"
    with zipfile.ZipFile(io.BytesIO(bot.fake.files[package.file_id or ""])) as z:
        names = set(z.namelist())
        web = opened(z.read("foto-1/web.jpg"))
    assert names == {"caption.txt"} | {f"foto-1/{s.name}.jpg" for s in SIZES}
    assert web.mode == "RGB" and web.size == (1600, 1200)


async def test_an_mpo_photo_sent_as_a_file_reaches_the_preview(
    bot: Harness, photos: dict[str, bytes]
) -> None:
    _, operator = await operator_and_editor(bot)
    await report_file(bot, operator, photos["mpo"], "DSC_0001.JPG", "image/jpeg")
    preview = bot.last_to(operator)
    assert CAPTION in preview.text
    assert any("Kirim" in label for label, _ in preview.buttons)


async def test_a_package_that_cannot_be_built_is_told_to_the_editor(
    bot: Harness, photos: dict[str, bytes]
) -> None:
    editor, operator = await operator_and_editor(bot)
    await report_file(bot, operator, photos["png-P"], *FILES["png-P"])
    await approve(bot, editor, operator)
    # The disk lost the photos (a restore from an old backup, a full disk cleaned by hand).
    shutil.rmtree(bot.settings.media_dir / "derivatives")
    shutil.rmtree(bot.settings.media_dir / "originals")
    await bot.send(editor.tap_button(bot.card(), "Paket unggah"))
    await bot.settle()
    told = bot.newsroom_messages()[-1]
    assert told.kind == "text" and "paket unggah #2026-0001 gagal dibuat" in told.text

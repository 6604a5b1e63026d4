"""Checks that help the operator before the newsroom sees a photo; they warn, never refuse."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta

import pytest
from PIL import Image, ImageFilter

from storage.media import ImageProblem, inspect_image
from storage.models import Role
from storage.photo_checks import check_photo, hamming, look_at
from tests.harness import CAPTION, Harness, jpeg
from tests.test_bad_input import bomb_png


def encode(image: Image.Image, quality: int = 85) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def photo(color: tuple[int, int, int] = (40, 120, 200), **kwargs: object) -> Image.Image:
    return Image.open(io.BytesIO(jpeg(color=color, **kwargs)))  # type: ignore[arg-type]


def test_measurements() -> None:
    sharp = look_at(encode(photo()))
    assert sharp.sharpness > 100 and 60 < sharp.brightness < 200 and sharp.short_side == 900
    assert look_at(encode(photo().filter(ImageFilter.GaussianBlur(6)))).sharpness < 25
    assert look_at(encode(Image.eval(photo(), lambda v: v // 6))).brightness < 45


def test_copies_are_found_and_other_photos_are_not() -> None:
    original = photo()
    resized = original.resize((600, 450))
    recompressed = encode(resized, quality=40)
    base = look_at(encode(original)).dhash
    assert hamming(base, look_at(recompressed).dhash) <= 6
    assert hamming(base, look_at(encode(original.convert("L").convert("RGB"))).dhash) <= 6
    for other in [(200, 40, 40), (10, 200, 90), (250, 250, 10)]:
        assert hamming(base, look_at(encode(photo(other))).dhash) > 6, other


def phone_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways
    exif.get_ifd(0x8769)[0x9003] = "2026:11:30 08:15:00"
    exif[0x8825] = {1: "S", 2: (6.0, 35.0, 40.0), 3: "E", 4: (106.0, 47.0, 50.0)}
    return exif


def saved(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


INPUTS: dict[str, Callable[[], bytes]] = {
    "phone-jpeg": lambda: jpeg(1600, 1200, exif=phone_exif()),
    "png-16-bit": lambda: saved(
        photo().convert("I").point(lambda v: v * 200).convert("I;16"), "PNG"
    ),
    "png-palette": lambda: saved(photo().convert("P"), "PNG"),
    "gif": lambda: saved(photo(), "GIF"),
    "truncated": lambda: jpeg(1600, 1200)[:5000],
    "not-an-image": lambda: b"not an image at all",
    "bomb": bomb_png,
    "over-the-limit": lambda: jpeg(3000, 2000),  # 6 MP, the limit below is 5
}


def outcome(check: Callable[[], object]) -> object:
    try:
        return check()
    except ImageProblem as problem:
        return problem.code


@pytest.mark.parametrize("kind", list(INPUTS))
def test_one_decode_checks_as_inspect_and_look_did(kind: str) -> None:
    data = INPUTS[kind]()
    limit = 5_000_000
    both = outcome(lambda: (inspect_image(data, max_pixels=limit), look_at(data)))
    assert outcome(lambda: check_photo(data, max_pixels=limit)) == both
    if kind == "phone-jpeg":
        info, _look = check_photo(data, max_pixels=limit)
        assert (info.width, info.height) == (1200, 1600) and info.latitude is not None


async def setup(bot: Harness):
    editor = await bot.join(bot.user("Rina"), Role.EDITOR)
    await bot.newsroom(editor)
    ani = await bot.join(bot.user("Ani"), Role.OPERATOR, "Kecamatan A")
    budi = await bot.join(bot.user("Budi"), Role.OPERATOR, "Kecamatan B")
    return editor, ani, budi


async def test_dark_small_blurry_are_told_and_shown_on_the_card(bot: Harness) -> None:
    _editor, ani, _budi = await setup(bot)
    dark = Image.eval(photo(), lambda v: v // 6).resize((640, 480))
    await bot.send(ani.photo(encode(dark), caption=CAPTION))
    preview = bot.last_to(ani).text
    assert "Foto 1 terlalu gelap" in preview and "Foto 1 kecil (480 px" in preview
    assert "tetap bisa dikirim" in preview
    await bot.send(ani.tap_button(bot.last_to(ani), "Kirim"))
    assert "Foto 1 terlalu gelap" in bot.card().text


async def test_old_photo_is_told(bot: Harness) -> None:
    _editor, ani, _budi = await setup(bot)
    exif = Image.Exif()
    taken = (bot.clock() - timedelta(days=30) + timedelta(hours=7)).strftime("%Y:%m:%d %H:%M:%S")
    exif.get_ifd(0x8769)[0x9003] = taken  # DateTimeOriginal, local (WIB) camera time
    await bot.send(ani.document(jpeg(exif=exif), mime="image/jpeg", name="IMG_1.JPG"))
    await bot.send(ani.text(CAPTION))
    await bot.send(ani.tap_button(bot.last_to(ani), "Informasi"))
    assert "Foto 1 diambil 30 hari lalu" in bot.last_to(ani).text


async def test_photo_used_before_is_flagged_with_the_earlier_number(bot: Harness) -> None:
    _editor, ani, budi = await setup(bot)
    original = jpeg(color=(90, 30, 160))
    await bot.send(ani.photo(original, caption=CAPTION))
    await bot.send(ani.tap_button(bot.last_to(ani), "Kirim"))
    copy = encode(Image.open(io.BytesIO(original)).resize((1000, 750)), quality=50)
    await bot.send(budi.photo(copy, caption=CAPTION))
    assert "Foto 1 pernah dipakai di laporan #2026-0001" in bot.last_to(budi).text
    await bot.send(budi.tap_button(bot.last_to(budi), "Kirim"))
    assert "pernah dipakai di laporan #2026-0001" in bot.card().text
    await bot.send(ani.photo(jpeg(color=(5, 200, 5)), caption=CAPTION))
    assert "pernah dipakai" not in bot.last_to(ani).text


async def test_a_revision_keeping_its_photos_is_not_a_duplicate_of_itself(bot: Harness) -> None:
    editor, ani, _budi = await setup(bot)
    await bot.send(ani.photo(jpeg(), caption=CAPTION))
    await bot.send(ani.tap_button(bot.last_to(ani), "Kirim"))
    await bot.send(editor.tap_button(bot.card(), "revisi"))
    await bot.send(editor.tap_button(bot.card(), "Keterangan kurang"))
    await bot.send(ani.tap_button(bot.last_to(ani), "Kirim revisi"))
    await bot.send(ani.text(CAPTION + " Bersama Lurah Cibuluh."))
    assert "pernah dipakai" not in bot.last_to(ani).text

"""Bad input gets a clear Indonesian message, and nothing already in the draft is lost."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

from storage.models import Role
from storage.reports import Reports
from tests.harness import CAPTION, Harness, jpeg
from tests.telegram_users import NEWSROOM_CHAT


async def operator_with_one_photo(bot: Harness):
    operator = await bot.join(bot.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    await bot.send(operator.photo(jpeg()))
    return operator


async def draft_photo_count(bot: Harness) -> int:
    async with bot.w.sessionmaker() as session:
        return len(await Reports(session).photos(1))


def bomb_png(width: int = 40_000, height: int = 40_000) -> bytes:
    """A tiny PNG whose header claims 1.6 gigapixels."""
    out = io.BytesIO()
    Image.new("L", (1, 1)).save(out, "PNG")
    data = bytearray(out.getvalue())
    ihdr = data[12:29]  # type + 13 bytes of IHDR
    ihdr[4:12] = struct.pack(">II", width, height)
    data[12:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(ihdr)))
    return bytes(data)


async def test_pdf_where_a_photo_is_expected(bot: Harness) -> None:
    operator = await operator_with_one_photo(bot)
    await bot.send(operator.document(b"%PDF-1.4 ...", mime="application/pdf", name="surat.pdf"))
    assert "bukan foto" in bot.last_to(operator).text
    assert await draft_photo_count(bot) == 1


async def test_video_where_a_photo_is_expected(bot: Harness) -> None:
    operator = await operator_with_one_photo(bot)
    await bot.send(operator.video())
    assert "Video belum bisa" in bot.last_to(operator).text
    assert await draft_photo_count(bot) == 1


async def test_corrupt_jpeg(bot: Harness) -> None:
    operator = await operator_with_one_photo(bot)
    broken = jpeg(1600, 1200)[:5000]
    await bot.send(operator.document(broken, mime="image/jpeg", name="rusak.jpg"))
    assert "rusak" in bot.last_to(operator).text
    await bot.send(operator.document(b"not an image at all", mime="image/jpeg", name="x.jpg"))
    assert "tidak bisa dibaca" in bot.last_to(operator).text
    assert await draft_photo_count(bot) == 1


async def test_image_over_the_size_limit_is_not_even_downloaded(bot: Harness) -> None:
    operator = await operator_with_one_photo(bot)
    downloads = len(bot.fake.calls_of("getFile"))
    await bot.send(
        operator.document(jpeg(), mime="image/jpeg", name="besar.jpg", size=25 * 1024 * 1024)
    )
    assert "terlalu besar (25.0 MB; batas 20.0 MB)" in bot.last_to(operator).text
    assert len(bot.fake.calls_of("getFile")) == downloads


async def test_decompression_bomb(bot: Harness) -> None:
    operator = await operator_with_one_photo(bot)
    await bot.send(operator.document(bomb_png(), mime="image/png", name="bom.png"))
    assert "Resolusi foto itu terlalu besar" in bot.last_to(operator).text
    assert await draft_photo_count(bot) == 1


async def test_heic_from_an_iphone_is_taken_and_a_broken_one_explained(bot: Harness) -> None:
    operator = await operator_with_one_photo(bot)
    await bot.send(operator.document(heic(), mime="image/heic", name="IMG_1.HEIC"))
    await bot.settle()
    assert await draft_photo_count(bot) == 2
    await bot.send(operator.document(b"....ftypheic", mime="image/heic", name="IMG_2.HEIC"))
    assert "tidak bisa dibaca sebagai foto" in bot.last_to(operator).text
    assert await draft_photo_count(bot) == 2


def heic() -> bytes:
    from PIL import Image
    from pillow_heif import register_heif_opener

    register_heif_opener()  # to write one: Warta's register_heif only reads, on demand
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (10, 120, 60)).save(out, "HEIF", quality=80)
    return out.getvalue()


async def test_empty_and_short_captions(bot: Harness) -> None:
    operator = await operator_with_one_photo(bot)
    await bot.send(operator.text("   "))
    assert "Keterangan belum ada" in bot.last_to(operator).text
    await bot.send(operator.text("Rapat RT"))
    assert "terlalu singkat (minimal 20 huruf)" in bot.last_to(operator).text
    assert "di mana" in bot.last_to(operator).text


async def test_long_caption_is_kept_whole_and_cut_on_the_photo(bot: Harness) -> None:
    editor = await bot.join(bot.user("Rina"), Role.EDITOR)
    await bot.newsroom(editor)
    operator = await bot.join(bot.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    long_caption = (CAPTION + " ") * 40  # about 4,700 characters
    await bot.send(operator.photo(jpeg()))
    await bot.send(operator.text(long_caption))
    assert "dipotong sampai 1024" in bot.last_to(operator).text
    await bot.send(operator.tap_button(bot.last_to(operator), "Informasi"))
    await bot.send(operator.tap_button(bot.last_to(operator), "Kirim"))
    card = bot.card()  # the photo, captioned with the card: the caption cut to fit 1024
    assert card.kind == "photo" and len(card.text) <= 1024 and card.text.endswith("…")
    async with bot.w.sessionmaker() as session:
        assert (await Reports(session).get(1)).caption == long_caption.strip()


async def test_unregistered_people(bot: Harness) -> None:
    stranger = bot.user("Orang", "Asing")
    await bot.send(stranger.text("halo"))
    assert "hanya untuk admin" in bot.last_to(stranger).text
    await bot.send(stranger.photo(jpeg(), caption=CAPTION))
    assert "hanya untuk admin" in bot.last_to(stranger).text
    assert bot.fake.calls_of("getFile") == []  # a stranger's photo is never downloaded
    await bot.send(stranger.text("halo semua", chat=NEWSROOM_CHAT))
    assert bot.newsroom_messages() == []  # silence in groups


async def test_stale_and_forged_buttons(bot: Harness) -> None:
    editor = await bot.join(bot.user("Rina"), Role.EDITOR)
    await bot.newsroom(editor)
    operator = await bot.join(bot.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    await bot.send(operator.photo(jpeg(), caption=CAPTION))
    preview = bot.last_to(operator)
    other = await bot.join(bot.user("Sari"), Role.OPERATOR, "Kecamatan Tanah Sareal")
    for who, data in [
        (operator, "zz:1"),
        (operator, "ap:abc"),
        (editor, "ap:999"),
        (other, "dk:1"),
        (operator, "dk:1:2:3:x"),
        (editor, "rr:1:9:0"),
        (operator, "x" * 64),
    ]:
        update = await bot.send(who.tap(preview, data))
        answer = bot.fake.answers[update["callback_query"]["id"]]
        assert answer["show_alert"], data
        assert "tidak berlaku" in answer["text"] or "Hanya redaktur" in answer["text"], data
    await bot.send(operator.tap_button(preview, "Kirim"))  # the real draft is untouched
    assert "#2026-0001" in bot.last_to(operator).text


async def test_button_on_a_report_already_decided(bot: Harness) -> None:
    editor = await bot.join(bot.user("Rina"), Role.EDITOR)
    await bot.newsroom(editor)
    operator = await bot.join(bot.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    await bot.send(operator.photo(jpeg(), caption=CAPTION))
    await bot.send(operator.tap_button(bot.last_to(operator), "Kirim"))
    card = bot.card()
    await bot.send(editor.tap_button(card, "Setujui"))
    late = await bot.send(editor.tap(card, "rj:1"))
    answer = bot.fake.answers[late["callback_query"]["id"]]
    assert answer["show_alert"] and "sudah disetujui oleh Rina" in answer["text"]

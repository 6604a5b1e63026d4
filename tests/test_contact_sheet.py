"""One newsroom message per report (issue 13): the card is a photo message, the report's photo or
a contact sheet of all its photos, numbered, a revision's new ones marked; "Lihat foto asli"
sends the photos whole to the tapping editor's private chat; albums count as the messages
they are in the rate limiter."""

from __future__ import annotations

import io
import json

from PIL import Image, ImageStat
from telegram.ext import AIORateLimiter

from bot.channels.telegram import AlbumRateLimiter
from storage.contact_sheet import NEW, WIDTH, columns
from storage.models import Role
from tests.harness import CAPTION, Harness, jpeg
from tests.telegram_users import NEWSROOM_CHAT, TgUser

SHOTS = [jpeg(color=(200, 30, 30)), jpeg(color=(30, 200, 30)), jpeg(color=(30, 30, 200))]


async def people(bot: Harness) -> tuple[TgUser, TgUser]:
    editor = await bot.join(bot.user("Rina", "Redaktur"), Role.EDITOR)
    await bot.newsroom(editor)
    operator = await bot.join(bot.user("Budi", "Santoso"), Role.OPERATOR, "Kecamatan Bogor Barat")
    return editor, operator


async def report(
    bot: Harness, operator: TgUser, shots: list[bytes], caption: str = CAPTION
) -> None:
    for i, data in enumerate(shots):
        await bot.send(
            operator.photo(
                data,
                media_group_id="a" if len(shots) > 1 else None,
                caption=caption if i == 0 else None,
            )
        )
    await bot.settle()
    await bot.send(operator.tap_button(bot.last_to(operator), "Kirim"))


def sheet_of(bot: Harness) -> Image.Image:
    data = bot.fake.files[bot.card().file_id or ""]
    return Image.open(io.BytesIO(data))


async def test_a_report_is_one_message_in_the_newsroom(bot: Harness) -> None:
    _, operator = await people(bot)
    before = len(bot.newsroom_messages())
    await report(bot, operator, SHOTS)
    [card] = bot.newsroom_messages()[before:]
    assert card.kind == "photo" and "📝 Laporan #2026-0001" in card.text and "Foto: 3" in card.text
    labels = [label for label, _ in card.buttons]
    assert (
        labels[:3] == ["✅ Setujui", "🔁 Minta revisi", "⛔ Tolak"]
        and "🖼️ Lihat foto asli" in labels
    )
    sheet = sheet_of(bot)
    tile_w = (WIDTH - 8 * (columns(3) + 1)) // columns(3)
    assert (
        sheet.format == "JPEG"
        and sheet.width == WIDTH
        and sheet.height == round(tile_w * 3 / 4) + 16
    )
    assert not sheet.getexif()  # made here: no camera data, no GPS
    # Tiles in order: the first is mostly red, the third mostly blue.
    tile_h = round(tile_w * 3 / 4)
    first = ImageStat.Stat(sheet.crop((8, 8, 8 + tile_w, 8 + tile_h))).mean
    third = ImageStat.Stat(sheet.crop((WIDTH - 8 - tile_w, 8, WIDTH - 8, 8 + tile_h))).mean
    assert first[0] > first[2] and third[2] > third[0]


async def test_a_one_photo_report_is_that_photo_resent_by_its_id(bot: Harness) -> None:
    _, operator = await people(bot)
    update = operator.photo(SHOTS[0], caption=CAPTION)
    await bot.send(update)
    await bot.send(operator.tap_button(bot.last_to(operator), "Kirim"))
    card = bot.card()
    assert card.file_id == update["message"]["photo"][-1]["file_id"]  # no upload
    assert "Lihat foto asli" not in str(card.buttons)  # tapping the photo opens it whole


async def test_the_originals_go_to_the_editor_in_private(bot: Harness) -> None:
    editor, operator = await people(bot)
    await report(bot, operator, SHOTS)
    in_newsroom = len(bot.newsroom_messages())
    await bot.send(editor.tap_button(bot.card(), "Lihat foto asli"))
    album = [m for m in bot.fake.messages_to(editor.id) if m.media_group_id]
    assert len(album) == 3 and "Foto asli laporan #2026-0001 (3 foto)" in album[0].text
    assert len(bot.newsroom_messages()) == in_newsroom  # the group's budget is not spent
    answer = list(bot.fake.answers.values())[-1]
    assert "obrolan pribadi" in (answer["text"] or "")
    await bot.send(operator.tap(bot.card(), "fo:1"))  # not an editor: refused, nothing sent
    assert not [m for m in bot.fake.messages_to(operator.id) if m.media_group_id]


async def test_a_decision_edits_the_caption_of_the_card(bot: Harness) -> None:
    editor, operator = await people(bot)
    await report(bot, operator, SHOTS)
    await bot.send(editor.tap_button(bot.card(), "Setujui"))
    card = bot.card()
    assert "Disetujui oleh Rina Redaktur" in card.text and card.kind == "photo"
    assert bot.fake.calls_of("editMessageCaption")
    assert [label for label, _ in card.buttons] == ["📦 Paket unggah", "🖼️ Lihat foto asli"]


async def test_a_revision_marks_its_new_photo_on_the_sheet(bot: Harness) -> None:
    editor, operator = await people(bot)
    await report(bot, operator, SHOTS)
    await bot.send(editor.tap_button(bot.card(), "revisi"))
    await bot.send(editor.tap_button(bot.card(), "Foto buram"))
    await bot.send(operator.tap_button(bot.last_to(operator), "Kirim revisi"))
    before = len(bot.newsroom_messages())
    await report(bot, operator, [SHOTS[0], SHOTS[1], jpeg(color=(220, 220, 20))])
    [card] = bot.newsroom_messages()[before:]
    assert "Revisi ke-2" in card.text and "1 baru, 1 dihapus, 2 sama" in card.text
    assert "di atas" not in card.text  # every photo is on this sheet
    sheet = sheet_of(bot).convert("RGB")
    tile_w = (WIDTH - 8 * 4) // 3
    new_badge = sheet.getpixel((WIDTH - 8 - 4, 8 + 4))  # the third tile's top right corner
    kept_corner = sheet.getpixel((8 + tile_w - 4, 8 + 4))  # the first tile's: no badge
    assert _near(new_badge, NEW) and not _near(kept_corner, NEW)


async def test_a_card_sent_as_text_is_still_edited(bot: Harness) -> None:
    """A card posted before the sheet (or with newsroom_photos=album) takes a decision too."""
    editor, operator = await people(bot)
    bot.w.core.newsroom_sheet = False
    await report(bot, operator, SHOTS)
    assert bot.card().kind == "text"
    bot.w.core.newsroom_sheet = True
    await bot.send(editor.tap_button(bot.card(), "Setujui"))
    assert "Disetujui" in bot.card().text


async def test_an_album_counts_as_its_photos_in_the_rate_limiter() -> None:
    limiter = AlbumRateLimiter(
        overall_max_rate=1000, overall_time_period=1, group_max_rate=10, group_time_period=60
    )
    await limiter.initialize()
    group = int(NEWSROOM_CHAT["id"])

    async def sent(**_: object) -> bool:
        return True

    media = [{"type": "photo", "media": f"F{i}"} for i in range(4)]
    data = {"chat_id": group, "media": media}
    await limiter.process_request(sent, (), {}, "sendMediaGroup", data, None)
    bucket = limiter._get_group_limiter(group)
    assert bucket.has_capacity(6) and not bucket.has_capacity(7)
    plain = AIORateLimiter(group_max_rate=10, group_time_period=60)
    await plain.process_request(sent, (), {}, "sendMediaGroup", data, None)
    assert plain._get_group_limiter(group).has_capacity(9)
    assert json.dumps(media)  # the payload PTB passes is a list of the album's items


def _near(pixel: object, colour: tuple[int, int, int], slack: int = 40) -> bool:
    assert isinstance(pixel, tuple)
    return all(abs(int(a) - b) <= slack for a, b in zip(pixel, colour, strict=False))

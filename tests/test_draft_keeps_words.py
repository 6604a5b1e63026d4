"""The draft never loses what the operator wrote: what reaches the newsroom is exactly what
they last saw in a preview (issue 10)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from storage.models import Report, ReportStatus, Role
from storage.reports import Reports
from tests.channels import CHANNELS, Person, join
from tests.harness import CAPTION, Clock, Harness, jpeg
from tests.telegram_users import TgUser

NEW_CAPTION = (
    "Posyandu Mawar di Kelurahan Cibuluh melayani 40 balita, Senin pagi, "
    "bersama kader dan bidan desa."
)


async def operator_on(h: Harness, channel: str) -> Person:
    await join(h, channel, "Rina Redaktur", Role.EDITOR)
    return await join(h, channel, "Budi Santoso", Role.OPERATOR, "Kecamatan Bogor Barat")


async def report(h: Harness, report_id: int = 1) -> Report:
    async with h.w.sessionmaker() as session:
        found = await Reports(session).get(report_id)
        assert found is not None
        return found


@pytest.mark.parametrize("channel", CHANNELS)
async def test_chat_lines_at_the_preview_never_erase_the_caption(
    both: Harness, channel: str
) -> None:
    operator = await operator_on(both, channel)
    await operator.photo(jpeg(), caption=CAPTION)
    for line in ("ok", "sip", "terima kasih", "\u200b\u200b", "👍"):
        await operator.say(line)
        assert "tidak berubah" in operator.last_text(), line
    await operator.tap("Kirim")
    sent = await report(both)
    assert sent.status == ReportStatus.PENDING and sent.caption == CAPTION


@pytest.mark.parametrize("channel", CHANNELS)
async def test_longer_text_at_the_preview_is_asked_about_and_old_previews_refuse(
    both: Harness, channel: str
) -> None:
    operator = await operator_on(both, channel)
    await operator.photo(jpeg(), caption=CAPTION)
    old_preview = operator.with_button("Kirim")
    await operator.say(NEW_CAPTION)
    assert "Ganti keterangan dengan teks ini?" in operator.last_text()
    assert (await report(both)).caption == CAPTION  # nothing changed before the answer
    await operator.tap("Ya, ganti")
    assert NEW_CAPTION in operator.last_text() and "Pratinjau" in operator.last_text()
    await operator.tap("Kirim", on=old_preview)  # the older preview cannot send
    assert (await report(both)).status == ReportStatus.DRAFT
    assert "pratinjau terbaru" in operator.last_text().lower()
    await operator.tap("Kirim")
    sent = await report(both)
    assert sent.status == ReportStatus.PENDING and sent.caption == NEW_CAPTION


@pytest.mark.parametrize("channel", CHANNELS)
async def test_keeping_the_caption_and_a_caption_before_the_photos(
    both: Harness, channel: str
) -> None:
    operator = await operator_on(both, channel)
    await operator.say(CAPTION)  # typed first, no /lapor: kept for the report
    assert "Keterangan disimpan" in operator.last_text()
    await operator.photo(jpeg())
    await both.settle()
    assert "Pratinjau" in operator.last_text() and CAPTION in operator.last_text()
    await operator.say(NEW_CAPTION)
    await operator.tap("Tidak")
    assert (await report(both)).caption == CAPTION
    await operator.tap("Kirim")
    assert (await report(both)).caption == CAPTION


@pytest.mark.parametrize("channel", CHANNELS)
async def test_invisible_captions_are_empty(both: Harness, channel: str) -> None:
    operator = await operator_on(both, channel)
    await operator.photo(jpeg(), caption="\u200b\u2060\u3164 \ufeff")
    await both.settle()
    assert "Keterangan belum ada" in operator.last_text() or "tulis" in operator.last_text()
    await operator.say("\u2800\u200d")
    assert "Keterangan belum ada" in operator.last_text()
    assert (await report(both)).caption == ""


@pytest.mark.parametrize("channel", CHANNELS)
async def test_one_step_report_shows_the_pillar_one_tap_away(both: Harness, channel: str) -> None:
    operator = await operator_on(both, channel)
    await operator.photo(jpeg(), caption=CAPTION)
    assert "pilar hari ini" in operator.last_text().lower()
    await operator.tap("Ganti pilar")
    await operator.tap("UMKM")
    assert "Pilar: UMKM" in operator.last_text()
    await operator.tap("Kirim")
    assert (await report(both)).pillar_key == "umkm"


def other_message(user: TgUser, **fields: Any) -> dict[str, Any]:
    return user._message(None, **fields)


async def telegram_operator(bot: Harness) -> TgUser:
    await bot.join(bot.user("Rina"), Role.EDITOR)
    return await bot.join(bot.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")


async def test_location_contact_sticker_dice_never_erase_the_caption(bot: Harness) -> None:
    operator = await telegram_operator(bot)
    await bot.send(operator.photo(jpeg(), caption=CAPTION))
    others = [
        {"location": {"latitude": -6.59, "longitude": 106.79}},
        {"contact": {"phone_number": "+628123", "first_name": "Pak Lurah"}},
        {"dice": {"emoji": "🎲", "value": 4}},
        {
            "sticker": {
                "file_id": "S1",
                "file_unique_id": "US1",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        },
    ]
    for fields in others:
        await bot.send(other_message(operator, **fields))
        assert "Pratinjau" not in bot.last_to(operator).text
    assert "Lokasi" in bot.fake.texts_to(operator.id)[-4]
    await bot.send(operator.tap_button(bot.fake.messages_to(operator.id)[-5], "Kirim"))
    assert (await report(bot)).caption == CAPTION


@pytest.mark.parametrize("channel", CHANNELS)
async def test_an_edited_caption_message_gives_a_fresh_preview(both: Harness, channel: str) -> None:
    operator = await operator_on(both, channel)
    await operator.command("lapor")
    await operator.say(CAPTION)
    typed = operator.last_sent()
    await operator.photo(jpeg())
    await both.settle()
    assert CAPTION in operator.last_text()
    await operator.edit(typed, NEW_CAPTION)
    assert NEW_CAPTION in operator.last_text() and "sunting" in operator.last_text()
    await operator.edit(typed, NEW_CAPTION)  # the same words again: nothing new to show
    await operator.tap("Kirim")
    assert (await report(both)).caption == NEW_CAPTION
    await operator.edit(typed, CAPTION + " Ralat.")  # after Kirim
    assert "tidak sampai ke redaksi" in operator.last_text()
    assert (await report(both)).caption == NEW_CAPTION


@pytest.mark.parametrize("channel", CHANNELS)
async def test_an_edited_photo_caption_in_the_draft_is_the_new_caption(
    both: Harness, channel: str
) -> None:
    operator = await operator_on(both, channel)
    await operator.photo(jpeg(), caption=CAPTION)
    await operator.edit(operator.last_sent(), NEW_CAPTION)
    assert NEW_CAPTION in operator.last_text()
    await operator.tap("Kirim")
    assert (await report(both)).caption == NEW_CAPTION


async def test_nul_and_control_characters_are_dropped(bot: Harness) -> None:
    operator = await telegram_operator(bot)
    await bot.send(operator.photo(jpeg(), caption=CAPTION + "\x00\x07 Selesai."))
    await bot.send(operator.tap_button(bot.last_to(operator), "Kirim"))
    assert (await report(bot)).caption == CAPTION + " Selesai."


async def test_pillar_buttons_survive_a_schedule_reorder(bot: Harness) -> None:
    from handlers.schedule import Schedule

    operator = await telegram_operator(bot)
    await bot.send(operator.text("/lapor"))
    await bot.send(operator.photo(jpeg()))
    await bot.settle()
    await bot.send(operator.text(CAPTION))
    question = bot.last_to(operator)
    core = bot.w.engine.core
    schedule: Schedule = core.schedule
    core.schedule = dataclasses.replace(schedule, pillars=schedule.pillars[::-1])  # /jadwal
    await bot.send(operator.tap_button(question, "UMKM"))
    assert (await report(bot)).pillar_key == "umkm"


async def test_an_album_left_by_a_killed_process_is_answered_after_restart(
    bot: Harness, clock: Clock
) -> None:
    operator = await telegram_operator(bot)
    for i in range(3):
        await bot.send(operator.photo(jpeg(color=(i * 60, 90, 30)), media_group_id="A1"))
    assert "Pratinjau" not in bot.last_to(operator).text  # still waiting for more
    # kill -9: the in-memory album timer dies with the process; only the database remains.
    for timer in bot.w.engine._album_timers.values():
        timer.cancel()
    bot.w.engine._album_timers.clear()
    await bot.w.abandon()
    bot.warta = None
    await bot.start()
    await bot.tick()  # the wait has not passed yet: nothing is answered early
    assert "foto diterima" not in bot.last_to(operator).text
    clock.advance(seconds=bot.settings.album_wait_seconds + 1)
    await bot.tick()
    assert "3 foto diterima" in bot.last_to(operator).text
    await bot.tick()  # and only once
    assert sum("foto diterima" in t for t in bot.fake.texts_to(operator.id)) == 1

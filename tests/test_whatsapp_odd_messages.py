"""WhatsApp messages that are not text or a photo, and a stranger's first message."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from bot.channels.whatsapp import WhatsAppChannel
from handlers.events import InboundEvent
from storage.models import Report, ReportStatus, Role
from tests.harness import CAPTION, Harness, jpeg
from tests.test_whatsapp_adapter import PAYLOADS, offline_channel
from tests.whatsapp_users import WaUser


async def events(channel: WhatsAppChannel, body: dict) -> list[InboundEvent]:
    seen: list[InboundEvent] = []

    async def on_event(event: InboundEvent) -> None:
        seen.append(event)

    channel.on_event = on_event
    await channel.process(json.dumps(body).encode())
    return seen


async def test_the_adapter_names_what_a_message_is(tmp_path: Path) -> None:
    channel = offline_channel(tmp_path)
    try:
        reaction = json.loads((PAYLOADS / "reaction.json").read_text())
        assert await events(channel, reaction) == []  # Meta's own reaction body: nothing
        user = WaUser(None, "6281200000001", "Budi")  # type: ignore[arg-type]
        [location] = await events(channel, user.location())
        [contact] = await events(channel, user.contact())
        assert (location.kind, location.text, location.media) == ("location", "", [])
        assert (contact.kind, contact.text) == ("contact", "")
        [text] = await events(channel, user.text("halo"))
        assert text.kind == "text"
    finally:
        await channel.close()


async def operator(both: Harness) -> WaUser:
    return await both.wa_join(both.wa_user("Budi Santoso"), Role.OPERATOR, "Kecamatan Cibinong")


async def test_an_emoji_reaction_gets_no_answer(both: Harness) -> None:
    budi = await operator(both)
    before = len(budi.sent())
    await both.wa_post(budi.react(budi.last(), "🙏"))
    assert len(budi.sent()) == before
    stranger = both.wa_user("Tamu")
    sent_before = both.graph.sent[:] if both.graph else []
    await both.wa_post(stranger.react(budi.last()))
    assert both.graph is not None and both.graph.sent == sent_before


async def test_a_location_or_contact_is_answered_for_what_it_is(both: Harness) -> None:
    budi = await operator(both)
    await both.wa_post(budi.location())
    assert "Lokasi diterima" in budi.last().text
    await both.wa_post(budi.contact())
    assert "Kontak" in budi.last().text
    assert all("Untuk melapor" not in m.text for m in budi.sent()[-2:])


async def test_a_location_at_the_preview_keeps_the_caption(both: Harness) -> None:
    budi = await operator(both)
    await both.wa_post(budi.image(jpeg(), caption=CAPTION))
    preview = budi.last()
    assert "Pratinjau" in preview.text
    await both.wa_post(budi.location("Aula Kecamatan Cibinong"))
    await both.wa_post(budi.contact())
    assert "Lokasi diterima" in budi.sent()[-2].text
    await both.wa_post(budi.tap(preview, "Kirim"))
    async with both.w.sessionmaker() as session:
        [caption] = await session.scalars(
            select(Report.caption).where(Report.status == ReportStatus.PENDING)
        )
    assert caption == CAPTION


async def test_a_strangers_first_message_is_answered_normally(both: Harness) -> None:
    """Their message opened the 24-hour window: a paid template would be wasted on them."""
    stranger = both.wa_user("Tamu")
    await both.wa_post(stranger.text("halo, ini Warta?"))
    answer = stranger.last()
    assert answer.type == "text" and answer.template is None
    assert "undangan" in answer.text
    both.clock.advance(hours=25)  # a day later they write again: again a normal answer
    await both.wa_post(stranger.text("halo lagi"))
    assert stranger.last().type == "text"
    assert both.graph is not None and all(m.type != "template" for m in both.graph.sent)


async def test_a_sticker_is_not_a_photo_nor_a_caption(both: Harness) -> None:
    budi = await operator(both)
    await both.wa_post(budi.sticker())
    assert "bukan foto" in budi.last().text  # as on Telegram: a sticker is media, not a photo

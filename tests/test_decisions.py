"""Decisions without a chat event (the desk's way in): the same rules and the same effects as
a tap on the card, and whichever side acts first wins (issue 11)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from handlers import decisions
from handlers.context import Context
from handlers.messages import T
from storage.models import Member, ReportEvent, ReportStatus, Role
from tests.channels import CHANNELS, join
from tests.harness import CAPTION, Harness, jpeg


async def member_id(h: Harness, name: str) -> int:
    async with h.w.sessionmaker() as session:
        found = await session.scalar(select(Member.id).where(Member.name == name))
        assert found is not None
        return found


async def web_decide(
    h: Harness, name: str, to: ReportStatus, reason: str | None = None
) -> T | None:
    async def work(ctx: Context) -> T | None:
        return await decisions.decide(ctx, 1, to, reason)

    result = await h.w.engine.act(await member_id(h, name), work)
    await h.w.outbox.drain()
    return result


async def trail(h: Harness) -> list[tuple[str, str | None]]:
    async with h.w.sessionmaker() as session:
        rows = await session.execute(
            select(ReportEvent.to_status, ReportEvent.via).order_by(ReportEvent.id)
        )
        return [(str(to), via) for to, via in rows]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_web_approval_updates_the_card_and_tells_the_operator(
    both: Harness, channel: str
) -> None:
    editor = await join(both, channel, "Rina Redaktur", Role.EDITOR)
    operator = await join(both, channel, "Budi Santoso", Role.OPERATOR, "Kecamatan Bogor Barat")
    await operator.photo(jpeg(), caption=CAPTION)
    await operator.tap("Kirim")
    assert await web_decide(both, "Rina Redaktur", ReportStatus.APPROVED) is None
    assert "disetujui" in operator.last_text().lower()
    assert "Disetujui oleh Rina Redaktur" in editor.with_button("Paket unggah").text.replace(
        "*", ""
    )
    assert await trail(both) == [("pending", channel), ("approved", "web")]
    # The chat card's old button, tapped later, is told who decided on the web.
    refusal = await web_decide(both, "Rina Redaktur", ReportStatus.REJECTED, "Foto buram")
    assert refusal is not None and refusal.key == "review.already_decided"
    assert refusal.params["name"] == "Rina Redaktur"


async def test_refusals_are_the_chat_rules(bot: Harness) -> None:
    await bot.join(bot.user("Rina", "Redaktur"), Role.EDITOR)
    await bot.newsroom()
    operator = await bot.join(bot.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    await bot.send(operator.photo(jpeg(), caption=CAPTION))
    refusal = await web_decide(bot, "Budi", ReportStatus.APPROVED)  # an operator
    assert refusal is not None and refusal.key == "review.not_editor"
    refusal = await web_decide(bot, "Rina Redaktur", ReportStatus.APPROVED)  # still a draft
    assert refusal is not None and refusal.key == "tap.stale"
    await bot.send(operator.tap_button(bot.last_to(operator), "Kirim"))
    refusal = await web_decide(bot, "Rina Redaktur", ReportStatus.REJECTED, "  ")
    assert refusal is not None and refusal.key == "review.reason_missing"
    assert await web_decide(bot, "Rina Redaktur", ReportStatus.REVISION, "Tambah lokasi") is None
    assert "Tambah lokasi" in bot.last_to(operator).text


async def test_a_tap_and_a_web_decision_at_once_decide_once(bot: Harness) -> None:
    editor = await bot.join(bot.user("Rina", "Redaktur"), Role.EDITOR)
    await bot.newsroom()
    operator = await bot.join(bot.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    await bot.send(operator.photo(jpeg(), caption=CAPTION))
    await bot.send(operator.tap_button(bot.last_to(operator), "Kirim"))
    tap = bot.fake.push(editor.tap_button(bot.card(), "Setujui"))
    bot.fake.updates.remove(tap)
    web = web_decide(bot, "Rina Redaktur", ReportStatus.REJECTED, "Foto buram")
    await asyncio.gather(bot.w.process(tap), web)
    await bot.w.outbox.drain()
    decided = [to for to, _ in await trail(bot) if to != "pending"]
    assert len(decided) == 1
    told = [m for m in bot.fake.texts_to(operator.id) if "disetujui redaksi" in m or "dimuat" in m]
    assert len(told) == 1

"""An editor fixes a pending report's caption before deciding (issue 11): from the chat card
("Ubah keterangan", answered by a reply) on both channels, and as the desk's use case. The fix
is kept with the old and new text, every card shows the new caption, the operator is told what
changed, and the report keeps its number and version."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from handlers import caption_fix, decisions
from handlers.context import Context
from handlers.messages import T
from storage.models import Member, ReportStatus, Role
from storage.report_list import ReportFilter, ReportList
from storage.reports import Reports
from tests.channels import CHANNELS, Person, join
from tests.harness import CAPTION, Harness, jpeg

NEW = CAPTION.replace("Senin pagi,", "Senin pagi, 23 November,")


async def ask_to_fix(editor: Person, channel: str) -> None:
    """ "Ubah keterangan": on the Telegram card; on WhatsApp (three buttons a card) among the
    revision choices."""
    if channel == "whatsapp":
        await editor.tap("Minta revisi")
    await editor.tap("Ubah keterangan")


async def people(h: Harness, channel: str) -> tuple[Person, Person]:
    editor = await join(h, channel, "Rina Redaktur", Role.EDITOR)
    operator = await join(h, channel, "Budi Santoso", Role.OPERATOR, "Kecamatan Bogor Barat")
    await operator.photo(jpeg(), caption=CAPTION)
    await operator.tap("Kirim")
    return editor, operator


async def fixes(h: Harness) -> list[tuple[str, str, str | None]]:
    async with h.w.sessionmaker() as session:
        return [(f.before, f.after, f.via) for f in await Reports(session).caption_fixes([1])]


async def caption_of(h: Harness, report_id: int = 1) -> tuple[str, ReportStatus]:
    async with h.w.sessionmaker() as session:
        report = await Reports(session).get(report_id)
        assert report is not None
        return report.caption, report.status


async def act(h: Harness, name: str, work: Any) -> Any:
    async with h.w.sessionmaker() as session:
        member_id = await session.scalar(select(Member.id).where(Member.name == name))
    assert member_id is not None
    result = await h.w.engine.act(member_id, work)
    await h.w.outbox.drain()
    return result


def web_fix(caption: str, shown: str | None = None) -> Any:
    async def work(ctx: Context) -> T | None:
        return await caption_fix.fix_caption(ctx, 1, caption, shown=shown)

    return work


def card_text(h: Harness, editor: Person, channel: str) -> str:
    """The card as the editor sees it now: edited in place on Telegram, sent anew on WhatsApp."""
    text = h.card().text if channel == "telegram" else editor.with_button("Setujui").text
    return text.replace("*", "")


@pytest.mark.parametrize("channel", CHANNELS)
async def test_fix_from_the_chat_card_then_approve(both: Harness, channel: str) -> None:
    editor, operator = await people(both, channel)
    if channel == "telegram":  # a row of its own under the decisions
        assert both.card().buttons[-1] == ("✏️ Ubah keterangan", "uk:1")
    await ask_to_fix(editor, channel)
    question = editor.last_text() if channel == "whatsapp" else both.newsroom_messages()[-1].text
    assert "tulis keterangan baru untuk #2026-0001" in question and CAPTION in question
    await editor.answer_question(NEW)
    card = card_text(both, editor, channel)
    assert NEW in card and "Keterangan diperbaiki oleh Rina Redaktur" in card
    told = operator.last_text()
    assert "#2026-0001 diperbaiki redaksi (Rina Redaktur)" in told.replace("*", "")
    assert "Ditambah: 23 November," in told and NEW in told
    await editor.tap("Setujui")
    assert "disetujui" in operator.last_text()
    assert await caption_of(both) == (NEW, ReportStatus.APPROVED)
    assert await fixes(both) == [(CAPTION, NEW, channel)]
    approved = card_text(both, editor, channel) if channel == "telegram" else editor.last_text()
    assert "Disetujui oleh Rina Redaktur" in approved.replace("*", "") and NEW in approved


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_caption_too_short_is_asked_for_again(both: Harness, channel: str) -> None:
    editor, _operator = await people(both, channel)
    await ask_to_fix(editor, channel)
    await editor.answer_question("Oke.")
    again = editor.last_text() if channel == "whatsapp" else both.newsroom_messages()[-1].text
    assert "terlalu singkat" in again and "Balas pesan ini dengan keterangan baru" in again
    assert await fixes(both) == []
    await editor.answer_question(NEW)  # the question is still open
    assert await caption_of(both) == (NEW, ReportStatus.PENDING)


async def test_only_an_editor_and_only_while_pending(both: Harness) -> None:
    editor, _operator = await people(both, "telegram")
    intruder = await join(both, "telegram", "Tono", Role.OPERATOR, "Kecamatan Lain")
    await intruder.tap("Ubah keterangan", on=editor.with_button("Ubah keterangan"))
    answer = list(both.fake.answers.values())[-1]
    assert answer["show_alert"] and "Hanya redaktur dan koordinator" in answer["text"]
    refusal = await act(both, "Budi Santoso", web_fix(NEW))
    assert refusal is not None and refusal.key == "review.not_editor"
    await editor.tap("Ubah keterangan")
    await editor.tap("Setujui")  # decided before the reply came
    await editor.answer_question(NEW)
    said = both.newsroom_messages()[-1].text
    assert "Laporan #2026-0001 sudah disetujui oleh Rina Redaktur." in said
    assert await caption_of(both) == (CAPTION, ReportStatus.APPROVED) and await fixes(both) == []
    refusal = await act(both, "Rina Redaktur", web_fix(NEW))
    assert refusal is not None and refusal.key == "review.already_decided"


async def test_the_report_keeps_its_number_and_versions(both: Harness) -> None:
    editor, operator = await people(both, "whatsapp")
    assert await act(both, "Rina Redaktur", web_fix(NEW)) is None
    await editor.tap("revisi")
    await editor.tap("Foto buram")
    await operator.tap("Kirim revisi")
    assert NEW in operator.last_text()  # the revision starts from the fixed caption
    await operator.tap("Kirim")
    async with both.w.sessionmaker() as session:
        versions = await Reports(session).versions(1, "2026-0001")
        listed = (await ReportList(session).page(1, ReportFilter())).rows
    assert [(v.version, v.caption) for v in versions] == [(1, NEW), (2, NEW)]
    assert [(r.number, r.version, r.status) for r in listed] == [
        ("2026-0001", 2, ReportStatus.PENDING)
    ]
    assert "Revisi ke-2" in editor.with_button("Setujui").text


async def test_two_fixes_at_once_one_wins(both: Harness) -> None:
    """Both transactions read the same caption: the conditional update lets one through (on
    PostgreSQL they truly overlap; SQLite runs one after the other)."""
    await people(both, "telegram")
    sessions = [both.w.sessionmaker() for _ in range(2)]
    try:
        rows = []
        for session in sessions:
            async with session.begin():
                row = await Reports(session).get(1)
                assert row is not None
                rows.append(row)

        async def fix(session: Any, row: Any, caption: str) -> bool:
            async with session.begin():
                return await Reports(session).fix_caption(
                    row, caption, editor_id=1, now=both.clock()
                )

        won = await asyncio.gather(
            fix(sessions[0], rows[0], NEW), fix(sessions[1], rows[1], CAPTION + " Lagi.")
        )
    finally:
        for session in sessions:
            await session.close()
    assert sorted(won) == [False, True]
    assert len(await fixes(both)) == 1


async def test_a_fix_and_a_decision_at_once(both: Harness) -> None:
    await people(both, "telegram")
    shown = caption_fix.caption_hash(CAPTION)

    async def approve(ctx: Context) -> T | None:
        return await decisions.decide(ctx, 1, ReportStatus.APPROVED, None)

    fixed, approved = await asyncio.gather(
        act(both, "Rina Redaktur", web_fix(NEW, shown)), act(both, "Rina Redaktur", approve)
    )
    assert approved is None
    caption, status = await caption_of(both)
    assert status == ReportStatus.APPROVED
    if fixed is None:  # the fix came first: it is what was approved
        assert caption == NEW and len(await fixes(both)) == 1
    else:
        assert fixed.key == "review.already_decided" and caption == CAPTION
        assert await fixes(both) == []

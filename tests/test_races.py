"""Two Warta processes on one database stay correct (issue 10). Each guard has a test that
fails without it on PostgreSQL (SQLite runs its transactions one at a time anyway)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bot.app import Warta
from storage.db import make_engine, make_sessionmaker, upgrade
from storage.models import Photo, Report, ReportStatus, Role
from storage.reports import Reports
from tests.harness import CAPTION, Harness, jpeg


async def second_process(h: Harness) -> Warta:
    """Another `warta run` on the same database and the same (fake) Telegram."""
    other = Warta(
        h.settings,
        httpx_kwargs={"transport": httpx.ASGITransport(app=h.fake.app)},
        clock=h.clock,
    )
    await other.start(background=False)
    return other


async def count(h: Harness, model: Any, *where: Any) -> int:
    async with h.w.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)))


async def test_two_taps_on_one_kirim_in_two_processes_submit_once(bot: Harness) -> None:
    await bot.join(bot.user("Rina"), Role.EDITOR)
    await bot.newsroom()
    operator = await bot.join(bot.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    await bot.send(operator.photo(jpeg(), caption=CAPTION))
    preview = bot.last_to(operator)
    other = await second_process(bot)
    try:
        taps = [bot.fake.push(operator.tap_button(preview, "Kirim")) for _ in range(2)]
        for tap in taps:
            bot.fake.updates.remove(tap)
        await asyncio.gather(bot.w.process(taps[0]), other.process(taps[1]))
        await bot.w.outbox.drain()
    finally:
        await other.stop()
    assert await count(bot, Report, Report.status == ReportStatus.PENDING) == 1
    assert len([m for m in bot.newsroom_messages() if "Laporan #" in m.text]) == 1


async def test_submit_is_conditional(bot: Harness) -> None:
    """Two transactions that both read the draft: only one turns it into a report."""
    operator = await bot.join(bot.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    await bot.send(operator.photo(jpeg(), caption=CAPTION))
    sessions = [bot.w.sessionmaker() for _ in range(2)]
    try:
        drafts = []
        for session in sessions:
            async with session.begin():
                draft = await Reports(session).get(1)
                assert draft is not None and draft.status == ReportStatus.DRAFT
                drafts.append(draft)

        async def submit(session: Any, draft: Report) -> bool:
            async with session.begin():
                return await Reports(session).submit(
                    draft, actor_id=draft.member_id, now=bot.clock()
                )

        won = await asyncio.gather(*(submit(s, d) for s, d in zip(sessions, drafts, strict=True)))
    finally:
        for session in sessions:
            await session.close()
    assert sorted(won) == [False, True]


async def test_album_items_in_two_processes_make_one_draft(bot: Harness) -> None:
    operator = await bot.join(bot.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    other = await second_process(bot)
    try:
        items = [
            bot.fake.push(operator.photo(jpeg(color=(c, 80, 80)), media_group_id="G2"))
            for c in (10, 200)
        ]
        for item in items:
            bot.fake.updates.remove(item)
        await asyncio.gather(bot.w.process(items[0]), other.process(items[1]))
    finally:
        await other.stop()
    assert await count(bot, Report, Report.status == ReportStatus.DRAFT) == 1
    assert await count(bot, Photo) == 2


async def test_a_submitted_number_cannot_be_given_twice(bot: Harness) -> None:
    operator = await bot.join(bot.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    await bot.send(operator.photo(jpeg(), caption=CAPTION))
    await bot.send(operator.tap_button(bot.last_to(operator), "Kirim"))
    async with bot.w.sessionmaker() as session:
        first = await Reports(session).get(1)
        assert first is not None and first.number
        copy = Report(
            org_id=first.org_id,
            member_id=first.member_id,
            channel=first.channel,
            status=ReportStatus.PENDING,
            number=first.number,
            version=first.version,
        )
        session.add(copy)
        with pytest.raises(IntegrityError):
            await session.commit()


async def test_two_processes_migrating_at_once(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite migrates under its own write lock")
    engines = [make_engine(database_url) for _ in range(2)]
    try:
        await asyncio.gather(*(upgrade(engine) for engine in engines))
        async with make_sessionmaker(engines[0])() as session:
            assert await session.scalar(select(func.count()).select_from(Report)) == 0
    finally:
        for engine in engines:
            await engine.dispose()

"""The desk's report list: one row per report (its newest sent version), filters, keyset pages
and exports over the same query (issue 11)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.report_list import seed
from storage.db import make_engine, make_sessionmaker, upgrade
from storage.models import Report, ReportStatus, Unit
from storage.report_list import ReportFilter, ReportList, decode_cursor

REPORTS = 200  # 220 rows: every tenth report has a revision


@pytest.fixture
async def listed(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(database_url)
    await upgrade(engine)
    sm = make_sessionmaker(engine)
    await seed(sm, REPORTS)
    yield sm
    await engine.dispose()


async def everything(sm: async_sessionmaker[AsyncSession], wanted: ReportFilter) -> list:
    async with sm() as session:
        return [
            row async for chunk in ReportList(session).walk(1, wanted, chunk=37) for row in chunk
        ]


async def test_one_row_per_report_newest_version_first(
    listed: async_sessionmaker[AsyncSession],
) -> None:
    rows = await everything(listed, ReportFilter())
    assert len(rows) == REPORTS == len({r.number for r in rows})
    assert [r.version for r in rows if r.number.endswith("000010")] == [2]
    stamps = [(r.submitted_at, r.id) for r in rows]
    assert stamps == sorted(stamps, reverse=True)
    assert all(r.photos == 3 and r.first_photo_id for r in rows)


async def test_pages_follow_each_other_without_gaps(
    listed: async_sessionmaker[AsyncSession],
) -> None:
    seen, cursor = [], None
    async with listed() as session:
        while True:
            page = await ReportList(session).page(1, ReportFilter(), cursor=cursor, size=30)
            seen += [r.id for r in page.rows]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    assert len(seen) == len(set(seen)) == REPORTS
    assert decode_cursor("not-a-cursor") is None and decode_cursor("") is None


async def test_filters(listed: async_sessionmaker[AsyncSession]) -> None:
    async with listed() as session:
        pending = await ReportList(session).count(1, ReportFilter(statuses=(ReportStatus.PENDING,)))
        one = await session.get(Report, 5)
        assert one is not None
    rows = await everything(listed, ReportFilter(statuses=(ReportStatus.PENDING,)))
    assert rows and len(rows) == pending and {r.status for r in rows} == {ReportStatus.PENDING}
    rows = await everything(listed, ReportFilter(unit_id=one.unit_id))
    name = await unit_name(listed, one.unit_id)
    assert rows and all(r.unit_name == name for r in rows)
    rows = await everything(listed, ReportFilter(pillar_key="umkm"))
    assert rows and {r.pillar_name for r in rows} == {"Umkm"}
    since = datetime(2025, 1, 1, tzinfo=UTC)
    rows = await everything(listed, ReportFilter(since=since, until=since + timedelta(days=60)))
    assert rows and all(since <= r.submitted_at < since + timedelta(days=60) for r in rows)
    rows = await everything(listed, ReportFilter(text="BANJIR"))
    assert rows and all("banjir" in r.caption for r in rows)
    assert await everything(listed, ReportFilter(text="100%_")) == []  # wildcards are literal
    rows = await everything(listed, ReportFilter(with_warnings=True))
    assert rows and all(r.warned for r in rows)
    assert len(rows) < REPORTS
    rows = await everything(listed, ReportFilter(unit_kind="opd"))
    assert rows and all((r.unit_name or "").startswith("Dinas") for r in rows)


async def unit_name(sm: async_sessionmaker[AsyncSession], unit_id: int | None) -> str:
    async with sm() as session:
        unit = await session.get(Unit, unit_id)
        assert unit is not None
        return unit.name

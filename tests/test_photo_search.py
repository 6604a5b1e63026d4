"""The duplicate-photo search: every earlier photo within max_bits is found, none past it, and
the migration to its index keeps the photos that were indexed."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from typing import Any

import pytest
from alembic import command
from sqlalchemy import insert, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from storage.db import alembic_config, make_engine, make_sessionmaker, upgrade
from storage.models import Member, Organization, Photo, PhotoHashBand, Report, ReportStatus, Role
from storage.photo_search import BANDS, band_rows, radii, similar_to_each
from storage.reports import Reports

BASE = "9c3a5f0e7d21b486"


def flipped(dhash: str, bits: list[int]) -> str:
    value = int(dhash, 16)
    for b in bits:
        value ^= 1 << b
    return f"{value:016x}"


def worst_flips(max_bits: int, extra: int = 0) -> list[int]:
    """max_bits + extra flipped bits placed as the bands' radii allow least: each band gets
    one more than its radius while bits last, so only the band left within its radius can
    find the photo."""
    counts = [0] * BANDS
    left, band = max_bits + extra, 0
    for j, r in enumerate(radii(max_bits)):
        take = min(left, r + 1)
        counts[j], left = take, left - take
    while left:  # more than the radii's sum: spread the rest
        counts[band % BANDS] += 1
        left, band = left - 1, band + 1
    return [j + BANDS * i for j in range(BANDS) for i in range(counts[j])]


def photo_row(report_id: int, n: int, dhash: str | None) -> dict[str, Any]:
    return {
        "report_id": report_id,
        "sha256": f"{n:064x}",
        "path": f"ab/{n}.jpg",
        "mime": "image/jpeg",
        "size_bytes": 1000,
        "width": 1280,
        "height": 960,
        "source_channel": "telegram",
        "source_ref": f"f{n}",
        "source_unique_id": f"u{n}",
        "source_kind": "photo",
        "dhash": dhash,
    }


async def add_report(
    session: AsyncSession, org_id: int, number: str | None, status: ReportStatus
) -> Report:
    member = Member(org_id=org_id, role=Role.OPERATOR, name="Admin")
    session.add(member)
    await session.flush()
    report = Report(
        org_id=org_id, member_id=member.id, channel="telegram", number=number, status=status
    )
    session.add(report)
    await session.flush()
    return report


@pytest.fixture
async def sm(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(database_url)
    await upgrade(engine)
    yield make_sessionmaker(engine)
    await engine.dispose()


async def sent_photo(
    sm: async_sessionmaker[AsyncSession],
    dhash: str,
    *,
    number: str | None = "2026-0001",
    status: ReportStatus = ReportStatus.APPROVED,
    org_name: str = "Kota A",
) -> int:
    async with sm() as session, session.begin():
        org_id = await session.scalar(select(Organization.id).where(Organization.name == org_name))
        if org_id is None:
            org = Organization(name=org_name)
            session.add(org)
            await session.flush()
            org_id = org.id
        report = await add_report(session, org_id, number, status)
        await Reports(session).add_photo(
            Photo(**photo_row(report.id, random.getrandbits(60), dhash))
        )
        return org_id


async def search(
    sm: async_sessionmaker[AsyncSession], org_id: int, dhash: str, **kw: Any
) -> list[str]:
    async with sm() as session:
        kw = {"max_bits": 6, "other_than": None} | kw
        return await Reports(session).similar_photos(org_id, dhash, **kw)


async def test_found_at_exactly_max_bits_and_not_one_past(
    sm: async_sessionmaker[AsyncSession],
) -> None:
    org_id = await sent_photo(sm, BASE)
    for max_bits in range(17):  # every value the setting allows
        at = flipped(BASE, worst_flips(max_bits))
        past = flipped(BASE, worst_flips(max_bits, extra=1))
        assert await search(sm, org_id, at, max_bits=max_bits) == ["2026-0001"], max_bits
        assert await search(sm, org_id, past, max_bits=max_bits) == [], max_bits
    rng = random.Random(13)
    for _ in range(200):  # and bits anywhere
        bits = rng.sample(range(64), 7)
        assert await search(sm, org_id, flipped(BASE, bits[:6])) == ["2026-0001"], bits
        assert await search(sm, org_id, flipped(BASE, bits)) == [], bits


async def test_only_sent_reports_of_the_org_nearest_first(
    sm: async_sessionmaker[AsyncSession],
) -> None:
    org_id = await sent_photo(sm, flipped(BASE, [0, 1, 2]), number="2026-0002")
    await sent_photo(sm, flipped(BASE, [5]), number="2026-0003", status=ReportStatus.PENDING)
    await sent_photo(sm, BASE, number=None, status=ReportStatus.DRAFT)
    await sent_photo(sm, BASE, number="2026-0004", status=ReportStatus.CANCELLED)
    await sent_photo(sm, BASE, number="2026-0001", org_name="Kota B")
    assert await search(sm, org_id, BASE) == ["2026-0003", "2026-0002"]
    assert await search(sm, org_id, BASE, other_than="2026-0003") == ["2026-0002"]
    assert await search(sm, org_id, BASE, max_bits=2) == ["2026-0003"]


def _to(revision: str) -> Any:
    def run(conn: Connection) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        if revision.startswith("down:"):
            command.downgrade(cfg, revision.removeprefix("down:"))
        else:
            command.upgrade(cfg, revision)

    return run


async def test_migration_backfills_the_bands_from_photos(database_url: str) -> None:
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_to("0012"))
        async with engine.begin() as conn:
            indexed, copied = BASE, flipped(BASE, [63])
            org_id = (
                await conn.execute(insert(Organization).values(name="Kota A"))
            ).inserted_primary_key[0]
            member_id = (
                await conn.execute(
                    insert(Member).values(org_id=org_id, role=Role.OPERATOR, name="Admin")
                )
            ).inserted_primary_key[0]
            report = {"org_id": org_id, "member_id": member_id, "channel": "telegram"}
            sent = (
                await conn.execute(
                    insert(Report).values(
                        **report, number="2026-0001", status=ReportStatus.APPROVED
                    )
                )
            ).inserted_primary_key[0]
            photos = [
                photo_row(sent, 1, indexed),
                photo_row(sent, 2, copied),
                photo_row(sent, 3, None),
            ]
            for row in photos:
                await conn.execute(insert(Photo).values(**row))
            # 0005's band rows: the hash's 8 bytes, for the first photo only (a revision's
            # copied photo had none, a photo without a hash neither).
            for i in range(8):
                await conn.execute(
                    text("INSERT INTO photo_hash_bands (photo_id, band, value) VALUES (1, :b, :v)"),
                    {"b": i, "v": int(indexed[2 * i : 2 * i + 2], 16)},
                )
        await upgrade(engine)
        async with engine.connect() as conn:
            rows = [dict(r._mapping) for r in await conn.execute(select(PhotoHashBand))]
        assert sorted(rows, key=lambda r: r["band"]) == band_rows(1, org_id, indexed)
        sm = make_sessionmaker(engine)
        assert await search(sm, org_id, flipped(BASE, [1, 30, 50])) == ["2026-0001"]
        async with engine.begin() as conn:
            await conn.run_sync(_to("down:0012"))
        async with engine.connect() as conn:
            old = await conn.execute(text("SELECT photo_id, band, value FROM photo_hash_bands"))
            assert sorted(old) == [(1, i, int(indexed[2 * i : 2 * i + 2], 16)) for i in range(8)]
    finally:
        await engine.dispose()


async def test_an_album_of_ten_at_a_wide_threshold_fits_the_database_limits(
    sm: async_sessionmaker[AsyncSession],
) -> None:
    """Ten photos at 11 bits are ~49,000 band values: more than one statement may bind
    (asyncpg 32,767); they are looked up in several, each photo still finding its own."""
    rng = random.Random(5)
    stored = [f"{rng.getrandbits(64):016x}" for _ in range(10)]
    org_id = 0
    for i, dhash in enumerate(stored):
        org_id = await sent_photo(sm, dhash, number=f"2026-{i + 1:04d}")
    asked = [flipped(d, worst_flips(11)) for d in stored]
    async with sm() as session:
        found = await similar_to_each(session, org_id, asked, max_bits=11)
    for i, numbers in enumerate(found):
        assert f"2026-{i + 1:04d}" in numbers, i

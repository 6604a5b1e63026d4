"""The desk's report list with 100,000 reports and 300,000 photos in the database.

For each filter a newsroom uses, the p95 time of one list page (50 rows, through
storage.report_list, as the desk builds it) against the bare SQL query of the same rows in
the same run: one hand-written statement, fetched raw through the driver. Printed: both p95s
and their ratio (aim: at most 3).

    python -m bench.report_list [--reports 100000] [--runs 30] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import make_engine, make_sessionmaker, upgrade
from storage.models import Member, Organization, Photo, Report, ReportStatus, Role, Unit
from storage.report_list import ReportFilter, ReportList
from tests.databases import fresh_database

UNITS, PILLARS = 60, ["informasi", "umkm", "kesehatan", "pendidikan", "lingkungan"]
START = datetime(2024, 1, 1, tzinfo=UTC)
WORDS = [
    "posyandu",
    "balita",
    "warga",
    "kader",
    "bidan",
    "jalan",
    "pasar",
    "sekolah",
    "banjir",
    "sampah",
    "rapat",
    "camat",
]
STATUS_MIX = [ReportStatus.APPROVED] * 7 + [ReportStatus.REJECTED, ReportStatus.PENDING]


async def seed(sm: async_sessionmaker[AsyncSession], reports: int) -> None:
    """Reports over three years, every tenth one revised once (two versions), 3 photos each."""
    rng = random.Random(7)
    async with sm() as session, session.begin():
        org = Organization(name="Kota Bench", timezone="Asia/Jakarta")
        session.add(org)
        await session.flush()
        units = [Unit(org_id=org.id, name=f"Kecamatan {i}", kind="kecamatan") for i in range(UNITS)]
        units += [Unit(org_id=org.id, name=f"Dinas {i}", kind="opd") for i in range(UNITS // 3)]
        session.add_all(units)
        await session.flush()
        members = [
            Member(org_id=org.id, unit_id=u.id, role=Role.OPERATOR, name=f"Admin {u.name}")
            for u in units
        ]
        session.add_all(members)
        await session.flush()
    step = timedelta(days=3 * 365) / reports
    rows: list[dict[str, Any]] = []
    for i in range(reports):
        member = members[rng.randrange(len(members))]
        at = START + step * i
        status = ReportStatus.PENDING if i > reports - 300 else rng.choice(STATUS_MIX)
        base = {
            "org_id": org.id,
            "unit_id": member.unit_id,
            "member_id": member.id,
            "channel": "telegram",
            "number": f"{at.year}-{i:06d}",
            "caption": " ".join(rng.choices(WORDS, k=24)),
            "pillar_key": PILLARS[i % len(PILLARS)],
            "pillar_name": PILLARS[i % len(PILLARS)].title(),
            "created_at": at,
            "updated_at": at,
        }
        if i % 10 == 0:  # sent back once, then revised
            rows.append({**base, "version": 1, "status": ReportStatus.REVISION, "submitted_at": at})
            at += timedelta(hours=2)
        rows.append({**base, "version": 2 if i % 10 == 0 else 1, "status": status})
        rows[-1]["submitted_at"] = at
    await _insert(sm, Report, rows)
    await _photos(sm, rng)


async def _photos(sm: async_sessionmaker[AsyncSession], rng: random.Random) -> None:
    async with sm() as session:
        ids = list(await session.scalars(text("SELECT id FROM reports ORDER BY id")))
    rows = []
    for rid in ids:
        for position in range(3):
            warned = rng.random() < 0.05
            rows.append(
                {
                    "report_id": rid,
                    "position": position,
                    "sha256": f"{rid:032x}{position:032x}",
                    "path": f"ab/{rid}-{position}.jpg",
                    "mime": "image/jpeg",
                    "size_bytes": 350_000,
                    "width": 1280,
                    "height": 960,
                    "source_channel": "telegram",
                    "source_ref": f"f{rid}-{position}",
                    "source_unique_id": f"u{rid}-{position}",
                    "source_kind": "photo",
                    "warnings": [{"code": "dark"}] if warned else [],
                }
            )
    await _insert(sm, Photo, rows)


async def _insert(
    sm: async_sessionmaker[AsyncSession], model: Any, rows: list[dict[str, Any]]
) -> None:
    for start in range(0, len(rows), 5000):
        async with sm() as session, session.begin():
            await session.execute(insert(model), rows[start : start + 5000])


# The bare statement of one page: the same rows the desk shows, written by hand.
BARE = """
SELECT r.id, r.number, r.version, r.status, r.caption, r.pillar_name, r.submitted_at,
       u.name, m.name,
       (SELECT count(p.id) FROM photos p WHERE p.report_id = r.id),
       (SELECT min(p.id) FROM photos p WHERE p.report_id = r.id),
       EXISTS (SELECT 1 FROM photos p WHERE p.report_id = r.id
               AND coalesce(CAST(p.warnings AS TEXT), '[]') NOT IN ('[]', 'null'))
FROM reports r JOIN members m ON m.id = r.member_id LEFT JOIN units u ON u.id = r.unit_id
WHERE r.org_id = :org AND r.submitted_at IS NOT NULL {statuses}
  AND NOT EXISTS (SELECT 1 FROM reports n WHERE n.org_id = r.org_id AND n.number = r.number
                  AND n.version > r.version AND n.status NOT IN ('draft', 'cancelled'))
  {extra}
ORDER BY r.submitted_at DESC, r.id DESC LIMIT 51
"""
CASES: dict[str, tuple[ReportFilter, str, str]] = {
    "all, newest": (ReportFilter(), "", ""),
    "pending": (ReportFilter(statuses=(ReportStatus.PENDING,)), "AND r.status = 'pending'", ""),
    "one unit": (ReportFilter(unit_id=7), "", "AND r.unit_id = 7"),
    "pillar + month": (
        ReportFilter(
            pillar_key="umkm",
            since=datetime(2025, 3, 1, tzinfo=UTC),
            until=datetime(2025, 4, 1, tzinfo=UTC),
        ),
        "",
        "AND r.pillar_key = 'umkm' AND r.submitted_at >= :since AND r.submitted_at < :until",
    ),
    "text 'banjir pasar'": (
        ReportFilter(text="banjir pasar"),
        "",
        "AND (lower(r.caption) LIKE '%banjir pasar%' OR lower(r.number) LIKE '%banjir pasar%')",
    ),
}


async def p95(work: Callable[[], Awaitable[object]], runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        await work()
        times.append(time.perf_counter() - began)
    return statistics.quantiles(times, n=20)[-1] if runs >= 20 else max(times)


async def measure(engine: AsyncEngine, sm: async_sessionmaker[AsyncSession], runs: int) -> None:
    async with sm() as session:
        org_id = int(await session.scalar(text("SELECT min(id) FROM organizations")) or 0)
    window = {"since": datetime(2025, 3, 1, tzinfo=UTC), "until": datetime(2025, 4, 1, tzinfo=UTC)}
    print(f"{'filter':<22} {'page p95':>10} {'bare p95':>10} {'ratio':>6}")
    for name, (wanted, statuses, extra) in CASES.items():

        async def page(wanted: ReportFilter = wanted) -> object:
            async with sm() as session:
                return await ReportList(session).page(org_id, wanted)

        sql = BARE.format(statuses=statuses, extra=extra)
        params = {"org": org_id, **(window if ":since" in sql else {})}

        async def bare(sql: str = sql, params: dict[str, Any] = params) -> object:
            async with engine.connect() as conn:
                return (await conn.execute(text(sql), params)).all()

        await page(), await bare()  # warm caches and statement caches alike
        ours, floor = await p95(page, runs), await p95(bare, runs)
        print(f"{name:<22} {ours * 1000:>8.1f}ms {floor * 1000:>8.1f}ms {ours / floor:>6.2f}")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="warta-list-"))
    engine = make_engine(await fresh_database(args.database_url, folder))
    await upgrade(engine)
    sm = make_sessionmaker(engine)
    began = time.perf_counter()
    await seed(sm, args.reports)
    seconds = time.perf_counter() - began
    print(f"{engine.dialect.name}: seeded {args.reports} reports in {seconds:.0f} s")
    try:
        await measure(engine, sm, args.runs)
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())

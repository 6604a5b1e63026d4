"""The desk's report list with 100,000 reports and 300,000 photos in the database.

For each filter a newsroom uses, the p95 time of one page of rows (as many as /laporan shows)
two ways, against the bare SQL query of the same rows in the same run (one hand-written
statement, fetched raw through the driver):
- list: storage.report_list's query alone;
- page: the real /laporan page, server time (from the request reaching the ASGI app to the
  last byte of the answer) over httpx's ASGITransport, signed in as an editor with the same
  filters in the URL: session check, the query, the unit list, rendering.
The three are timed in turns, so a busy moment of the machine hits them alike. Printed: the
p95s, their ratios to the bare SQL (aim: at most 3) and the page's weight (HTML bytes).

    python -m bench.report_list [--reports 100000] [--runs 100] [--database-url URL]
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

import httpx
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.app import build_core
from bot.desk import Desk
from bot.desk.guard import SESSION_COOKIE
from bot.desk.reports import PAGE_SIZE
from bot.settings import Settings
from handlers.engine import Engine
from storage.db import make_engine, make_sessionmaker, upgrade
from storage.desk import Logins
from storage.models import (
    Member,
    Organization,
    Photo,
    Report,
    ReportStatus,
    Role,
    Unit,
    utcnow,
)
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
ORDER BY r.submitted_at DESC, r.id DESC LIMIT {limit}
"""
# 1-31 March 2025 in WIB, as the page's dari/sampai fields mean it: UTC bounds 7 hours earlier.
SINCE, UNTIL = datetime(2025, 2, 28, 17, tzinfo=UTC), datetime(2025, 3, 31, 17, tzinfo=UTC)
# Case-insensitive matching as each database is asked for it (SQLAlchemy's ilike): on
# PostgreSQL, lower() LIKE with a literal misleads the planner into a full scan (200 ms).
LIKE = {
    "postgresql": "r.caption ILIKE '%banjir pasar%' OR r.number ILIKE '%banjir pasar%'",
    "sqlite": "lower(r.caption) LIKE '%banjir pasar%' OR lower(r.number) LIKE '%banjir pasar%'",
}
# name: (the storage filter, the page's URL query, the bare SQL's status and other conditions)
CASES: dict[str, tuple[ReportFilter, str, str, str]] = {
    "all, newest": (ReportFilter(), "", "", ""),
    "pending": (
        ReportFilter(statuses=(ReportStatus.PENDING,)),
        "status=menunggu",
        "AND r.status = 'pending'",
        "",
    ),
    "one unit": (ReportFilter(unit_id=7), "unit=7", "", "AND r.unit_id = 7"),
    "pillar + month": (
        ReportFilter(pillar_key="umkm", since=SINCE, until=UNTIL),
        "pilar=umkm&dari=2025-03-01&sampai=2025-03-31",
        "",
        "AND r.pillar_key = 'umkm' AND r.submitted_at >= :since AND r.submitted_at < :until",
    ),
    "text 'banjir pasar'": (
        ReportFilter(text="banjir pasar"),
        "q=banjir+pasar",
        "",
        "AND ({like})",
    ),
}


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1] if len(times) >= 20 else max(times)


class ServerTime:
    """ASGI middleware: how long the app took, from the request to the answer's last byte."""

    def __init__(self, app: ASGIApp) -> None:
        self.app, self.last = app, 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        began = time.perf_counter()

        async def timed(message: Message) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                self.last = time.perf_counter() - began

        await self.app(scope, receive, timed)


async def desk_client(
    sm: async_sessionmaker[AsyncSession], org_id: int, folder: Path
) -> tuple[httpx.AsyncClient, ServerTime]:
    """The desk's own app, as Warta mounts it, and a browser signed in as an editor."""
    public_url = "https://warta.example.go.id"
    settings = Settings(_env_file=None, media_dir=folder / "media", org_name="Kota Bench")
    desk = Desk(Engine(sm, build_core(settings), {}), public_url=public_url)
    async with sm() as session, session.begin():
        editor = Member(org_id=org_id, role=Role.EDITOR, name="Redaktur Bench")
        session.add(editor)
        await session.flush()
        token = await Logins(session).open_session(editor.id, utcnow())
    timer = ServerTime(Starlette(routes=desk.routes()))
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=timer),
        base_url=public_url,
        cookies={SESSION_COOKIE: token},
    )
    return client, timer


async def measure(
    engine: AsyncEngine, sm: async_sessionmaker[AsyncSession], runs: int, folder: Path
) -> None:
    async with sm() as session:
        org_id = int(await session.scalar(text("SELECT min(id) FROM organizations")) or 0)
    client, timer = await desk_client(sm, org_id, folder)
    window = {"since": SINCE, "until": UNTIL}
    print(f"{PAGE_SIZE} rows a page")
    print(
        f"{'filter':<22} {'bare p95':>9} {'list p95':>9} {'page p95':>9} "
        f"{'list/bare':>9} {'page/bare':>9} {'HTML':>8}"
    )
    async with client:
        for name, (wanted, query, statuses, extra) in CASES.items():
            extra = extra.format(like=LIKE[engine.dialect.name])
            sql = BARE.format(statuses=statuses, extra=extra, limit=PAGE_SIZE + 1)
            params = {"org": org_id, **(window if ":since" in sql else {})}

            async def bare(sql: str = sql, params: dict[str, Any] = params) -> list[Any]:
                async with engine.connect() as conn:
                    return list((await conn.execute(text(sql), params)).all())

            async def listed(wanted: ReportFilter = wanted) -> object:
                async with sm() as session:
                    return await ReportList(session).page(org_id, wanted, size=PAGE_SIZE)

            path = f"/laporan?{query}" if query else "/laporan"
            html = await check_page(client, path, await bare())
            await listed()  # warm caches and statement caches alike

            async def page(path: str = path) -> float:
                await client.get(path)
                return timer.last

            floor, ours, served = await interleaved(bare, listed, page, runs)
            print(
                f"{name:<22} {floor * 1000:>7.1f}ms {ours * 1000:>7.1f}ms "
                f"{served * 1000:>7.1f}ms {ours / floor:>9.2f} {served / floor:>9.2f} {html:>8,}"
            )


async def interleaved(
    bare: Callable[[], Awaitable[object]],
    listed: Callable[[], Awaitable[object]],
    page: Callable[[], Awaitable[float]],
    runs: int,
) -> tuple[float, float, float]:
    """p95s of the three, taken in turns: a busy moment of the machine hits all three alike."""
    times: tuple[list[float], list[float], list[float]] = ([], [], [])
    for _ in range(runs):
        for work, into in ((bare, times[0]), (listed, times[1])):
            began = time.perf_counter()
            await work()
            into.append(time.perf_counter() - began)
        times[2].append(await page())  # server time, measured inside the app
    bare_p95, list_p95, page_p95 = (_p95(t) for t in times)
    return bare_p95, list_p95, page_p95


async def check_page(client: httpx.AsyncClient, path: str, rows: list[Any]) -> int:
    """The page is the real one (signed in, 200) and shows the bare query's rows; its size."""
    answer = await client.get(path)
    assert answer.status_code == 200, (path, answer.status_code)
    shown = [row[1] for row in rows[:PAGE_SIZE]]
    assert all(f'href="/laporan/{number}"' in answer.text for number in shown), path
    return len(answer.content)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=100)
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
    if engine.dialect.name == "postgresql":
        # What autovacuum does after a bulk load: without statistics PostgreSQL guesses a
        # few hundred rows and plans a nested loop over the whole table (1.4 s a page).
        async with engine.connect() as conn:
            await conn.execute(text("ANALYZE"))
            await conn.commit()
    try:
        await measure(engine, sm, args.runs, folder)
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())

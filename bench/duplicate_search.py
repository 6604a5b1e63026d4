"""The duplicate-photo search with 300,000 photos in one organization's sent reports.

The hashes come from drawn scenes put through storage.photo_checks.difference_hash, because
real difference hashes are far from uniform: a sky, a wall or a floor is flat, so whole rows
of the 8 x 8 grid come out alike (byte 00 or ff), and the edges of people and buildings make
runs of set bits (18, 30, 0c). Among 20,000 of these scenes the commonest first byte (00) is
19 times as likely as under uniform bytes, and 3.6 % have a neighbour within 6 bits (similar
halls and podiums), as a newsroom's photos do. 5 % of the photos reuse an earlier one
(retouched, re-encoded: near-duplicate pairs); another organization and drafts, cancelled
reports of this one hold more photos, which the search must not report.

Lookups, half of them hits (a retouched stored photo, some of them in the other organization
or in a draft, and stored hashes with exactly max_bits flipped) and half misses (new scenes),
are timed in turns: the search before this change (the same code, against a copy of its
8-byte band table) and Reports.similar_photos. Both must return exactly what a brute-force
scan of every sent photo returns.

    python -m bench.duplicate_search [--photos 300000] [--queries 400] [--database-url URL]

A PostgreSQL database given with --database-url is WIPED first.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFilter
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bench.duplicate_legacy import LEGACY, legacy_rows, legacy_similar_photos
from handlers.config import Limits
from storage.db import make_engine, make_sessionmaker, upgrade
from storage.models import Member, Organization, Photo, PhotoHashBand, Report, ReportStatus, Role
from storage.photo_checks import difference_hash
from storage.photo_search import band_rows
from storage.reports import Reports
from tests.databases import fresh_database

W, H = 36, 32  # difference_hash shrinks to 9 x 8: a small scene hashes like a large one
_DOWN = Image.linear_gradient("L").resize((W, H))
_SIDE = Image.linear_gradient("L").transpose(Image.Transpose.ROTATE_90).resize((W, H))
# A uniform random byte u becomes this standard normal value: per pixel noise in one lookup.
_NORMAL = [statistics.NormalDist().inv_cdf((u + 0.5) / 256) for u in range(256)]
SENT = [ReportStatus.APPROVED] * 6 + [ReportStatus.PENDING, ReportStatus.REJECTED]
SENT += [ReportStatus.REVISION, ReportStatus.WITHDRAWN]
UNSENT = (ReportStatus.DRAFT, ReportStatus.CANCELLED)
REUSED = 0.05
CHUNK = 5000  # rows per INSERT transaction while building
WARMUP = 10  # lookups per search before the timed ones: the first pay for cold pages

Search = Callable[[AsyncSession, int, str, int], Awaitable[list[str]]]
Place = tuple[str, ReportStatus, str | None]


def scene(seed: int) -> Image.Image:
    """Sky (or a ceiling) over ground, faint clouds, people and buildings, side light, grain."""
    rng = random.Random(seed)
    horizon = rng.randint(0, 24)  # 0: indoors
    sky, ground = rng.randint(110, 250), rng.randint(20, 170)
    im = _DOWN.point(lambda v: sky - (sky - ground) * v // 255)
    draw = ImageDraw.Draw(im)
    for _ in range(rng.randint(0, 4) if horizon else 0):
        x, y = rng.randint(-6, W), rng.randint(0, horizon)
        cloud = (x, y, x + rng.randint(4, 16), y + rng.randint(2, 6))
        draw.ellipse(cloud, fill=min(255, sky + rng.randint(-25, 25)))
    for _ in range(rng.randint(3, 14)):
        x0, y0 = rng.randint(-8, W), rng.randint(max(0, horizon - 14), H)
        box = (x0, y0, x0 + rng.randint(2, 18), y0 + rng.randint(2, 24))
        shape = draw.rectangle if rng.random() < 0.6 else draw.ellipse
        shape(box, fill=rng.randint(0, 255))
    light = _SIDE if rng.random() < 0.5 else _SIDE.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    im = Image.blend(im, light, rng.random() * 0.25)
    noise = grain(rng, rng.uniform(20, 80))
    return Image.blend(im, noise, rng.uniform(0.1, 0.4))


def grain(rng: random.Random, sigma: float) -> Image.Image:
    """Gaussian noise around grey 128, as Image.effect_noise draws it but from rng: the same
    seed must give the same scene, or a reused photo would not be near its original."""
    table = [min(255, max(0, round(128 + sigma * z))) for z in _NORMAL]
    return Image.frombytes("L", (W, H), rng.randbytes(W * H)).point(table)


def retouched(seed: int, how: int) -> str:
    """The hash of scene(seed) brightened, softened, cropped or re-grained: a reused photo."""
    rng = random.Random(how)
    im = scene(seed)
    gain, shift = rng.uniform(0.8, 1.2), rng.randint(-20, 20)
    edits: list[Callable[[Image.Image], Image.Image]] = [
        lambda i: i.point(lambda v: min(255, int(v * gain) + shift)),
        lambda i: i.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.8))),
        lambda i: i.crop((1, 1, W - rng.randint(0, 2), H - 1)).resize((W, H)),
        lambda i: Image.blend(i, grain(rng, 40), rng.uniform(0.03, 0.1)),
    ]
    for edit in rng.sample(edits, rng.randint(1, 2)):
        im = edit(im)
    return difference_hash(im)


def sources(count: int) -> list[tuple[int, bool]]:
    """(scene seed, reused?) per photo: a reused photo retouches an earlier photo's scene."""
    rng, found = random.Random(11), list[tuple[int, bool]]()
    for i in range(count):
        reuse = i > 100 and rng.random() < REUSED
        found.append((found[rng.randrange(i)][0], True) if reuse else (i, False))
    return found


def hashes(count: int) -> list[str]:
    """Photo i's hash; cached in the temp folder, the drawing takes a minute or two."""
    cache = Path(tempfile.gettempdir()) / f"warta-duplicate-search-v3-{count}.txt"
    if cache.exists():
        return cache.read_text().split()
    found = [
        retouched(seed, i) if reuse else difference_hash(scene(seed))
        for i, (seed, reuse) in enumerate(sources(count))
    ]
    cache.write_text("\n".join(found))
    return found


def layout(photos: int) -> list[Place]:
    """(organization, status, number) per photo: 3 photos a report."""
    rng = random.Random(5)
    extra = photos // 10  # the other org's sent photos, and this org's unsent
    places: list[Place] = []
    for i in range(0, photos + 2 * extra, 3):
        place: Place
        if i < photos:
            place = ("a", rng.choice(SENT), f"A-{i // 3:06d}")
        elif i < photos + extra:
            place = ("b", rng.choice(SENT), f"B-{i // 3:06d}")
        elif rng.random() < 0.5:
            place = ("a", ReportStatus.DRAFT, None)
        else:
            place = ("a", ReportStatus.CANCELLED, f"C-{i // 3:06d}")
        places += [place] * 3
    return places


async def build(url: str, photos: int) -> tuple[AsyncEngine, int, list[dict[str, Any]]]:
    """The database at head, the legacy table beside it; (engine, org a's id, photo rows)."""
    places = layout(photos)
    all_hashes = hashes(len(places))
    engine = make_engine(url)
    await upgrade(engine)
    async with engine.begin() as conn:
        await conn.run_sync(LEGACY.create_all)
    sm = make_sessionmaker(engine)
    orgs, members = await _owners(sm)
    reports = [
        _report(i // 3 + 1, orgs[org], members[org], status, number)
        for i, (org, status, number) in enumerate(places)
        if i % 3 == 0
    ]
    rows = [_photo(i + 1, i // 3 + 1, h) for i, h in enumerate(all_hashes)]
    await _insert(sm, Report.__table__, reports)
    await _insert(sm, Photo.__table__, rows)
    org_of = {r["id"]: r["org_id"] for r in reports}
    bands = [b for p in rows for b in band_rows(p["id"], org_of[p["report_id"]], p["dhash"])]
    await _insert(sm, PhotoHashBand.__table__, bands)
    legacy = [b for p in rows for b in legacy_rows(p["id"], p["dhash"])]
    await _insert(sm, LEGACY.tables["legacy_hash_bands"], legacy)
    for p, (org, status, number), (seed, _) in zip(rows, places, sources(len(rows)), strict=True):
        p.update(org=org, sent=status not in UNSENT, number=number, seed=seed)
    return engine, orgs["a"], rows


async def _owners(sm: async_sessionmaker[AsyncSession]) -> tuple[dict[str, int], dict[str, int]]:
    """Organizations a and b, an operator in each: their ids."""
    async with sm() as session, session.begin():
        orgs = {k: Organization(name=f"Kota {k}") for k in "ab"}
        session.add_all(orgs.values())
        await session.flush()
        members = {
            k: Member(org_id=o.id, role=Role.OPERATOR, name="Admin") for k, o in orgs.items()
        }
        session.add_all(members.values())
        await session.flush()
        return {k: o.id for k, o in orgs.items()}, {k: m.id for k, m in members.items()}


def _report(
    report_id: int, org_id: int, member_id: int, status: ReportStatus, number: str | None
) -> dict[str, Any]:
    return {
        "id": report_id,
        "org_id": org_id,
        "member_id": member_id,
        "channel": "telegram",
        "status": status,
        "number": number,
    }


def _photo(photo_id: int, report_id: int, dhash: str) -> dict[str, Any]:
    return {
        "id": photo_id,
        "report_id": report_id,
        "sha256": f"{photo_id:064x}",
        "path": f"ab/{photo_id}.jpg",
        "mime": "image/jpeg",
        "size_bytes": 350_000,
        "width": 1280,
        "height": 960,
        "source_channel": "telegram",
        "source_ref": f"f{photo_id}",
        "source_unique_id": f"u{photo_id}",
        "source_kind": "photo",
        "dhash": dhash,
    }


async def _insert(sm: async_sessionmaker[AsyncSession], table: Any, rows: list[Any]) -> None:
    for start in range(0, len(rows), CHUNK):
        async with sm() as session, session.begin():
            await session.execute(table.insert(), rows[start : start + CHUNK])


async def settle(engine: AsyncEngine) -> None:
    """PostgreSQL: statistics and the visibility map, as autovacuum leaves them after a bulk
    load (index-only scans need the latter). SQLite is left as Warta leaves it: no ANALYZE."""
    if engine.dialect.name != "postgresql":
        return
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.exec_driver_sql("VACUUM ANALYZE")


def queries(rows: list[dict[str, Any]], count: int, max_bits: int) -> list[tuple[str, str]]:
    """(kind, dhash): retouched stored photos, stored hashes max_bits away, new scenes."""
    rng = random.Random(23)
    found: list[tuple[str, str]] = []
    for q in range(count):
        picked = rows[rng.randrange(len(rows))]
        if q % 2:
            found.append(("miss", difference_hash(scene(10_000_000 + q))))
        elif q % 8 == 0:  # the edge of the threshold
            value = int(picked["dhash"], 16)
            for b in rng.sample(range(64), max_bits):
                value ^= 1 << b
            found.append(("edge", f"{value:016x}"))
        else:
            found.append(("retouched", retouched(picked["seed"], 7 * q + 1)))
    return found


def brute_force(sent: list[tuple[int, str]], dhash: str, max_bits: int) -> list[str]:
    """Every sent photo of org a within max_bits, as similar_photos orders the numbers."""
    q, best = int(dhash, 16), dict[str, int]()
    for value, number in sent:
        d = (q ^ value).bit_count()
        if d <= max_bits and d < best.get(number, max_bits + 1):
            best[number] = d
    return sorted(best, key=lambda n: (best[n], n))


async def legacy(s: AsyncSession, org_id: int, dhash: str, max_bits: int) -> list[str]:
    return await legacy_similar_photos(s, org_id, dhash, max_bits=max_bits, other_than=None)


async def current(s: AsyncSession, org_id: int, dhash: str, max_bits: int) -> list[str]:
    return await Reports(s).similar_photos(org_id, dhash, max_bits=max_bits, other_than=None)


async def lookup(
    sm: async_sessionmaker[AsyncSession], search: Search, org_id: int, dhash: str, max_bits: int
) -> tuple[list[str], float]:
    """One search in a session of its own, as a handler runs it: (numbers, seconds)."""
    start = time.perf_counter()
    async with sm() as s:
        found = await search(s, org_id, dhash, max_bits)
    return found, time.perf_counter() - start


async def race(
    sm: async_sessionmaker[AsyncSession],
    org_id: int,
    asked: list[tuple[str, str]],
    truth: list[list[str]],
    max_bits: int,
) -> dict[str, dict[str, Any]]:
    """Both searches in turns, query by query, so that neither gets a warmer cache or a quieter
    machine; per search its lookup times and how many answers differ from the brute force."""
    searches: dict[str, Search] = {"legacy": legacy, "new": current}
    results: dict[str, dict[str, Any]] = {k: {"times": [], "wrong": []} for k in searches}
    for _, dhash in asked[:WARMUP]:
        for search in searches.values():
            await lookup(sm, search, org_id, dhash, max_bits)
    for i, (_, dhash) in enumerate(asked):
        order = list(searches.items()) if i % 2 == 0 else list(searches.items())[::-1]
        for name, search in order:
            found, seconds = await lookup(sm, search, org_id, dhash, max_bits)
            results[name]["times"].append(seconds)
            if found != truth[i]:
                results[name]["wrong"].append((dhash, found, truth[i]))
    return results


async def index_sizes(engine: AsyncEngine) -> list[tuple[str, int]] | None:
    """(table or index, bytes) of both band tables; None where SQLite lacks dbstat."""
    names = "('photo_hash_bands', 'legacy_hash_bands')"
    if engine.dialect.name == "postgresql":
        sql = (
            f"SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c WHERE c.relname IN {names}"
            " OR c.oid IN (SELECT indexrelid FROM pg_index x JOIN pg_class t"
            f" ON t.oid = x.indrelid WHERE t.relname IN {names}) ORDER BY 1"
        )
    else:
        sql = (
            "SELECT d.name, SUM(d.pgsize) FROM dbstat d JOIN sqlite_master m ON m.name = d.name"
            f" WHERE m.tbl_name IN {names} GROUP BY d.name ORDER BY 1"
        )
    try:
        async with engine.connect() as conn:
            return [(str(name), int(size)) for name, size in await conn.execute(text(sql))]
    except DBAPIError:  # no such table: dbstat, a compile-time option of SQLite
        return None


def summary(name: str, result: dict[str, Any]) -> float:
    """Print the search's line; its mean lookup in ms."""
    ms = [t * 1000 for t in result["times"]]
    p95 = statistics.quantiles(ms, n=20)[18]
    mean = statistics.fmean(ms)
    print(
        f"{name:<7} p50 {statistics.median(ms):8.2f} ms   p95 {p95:8.2f} ms   "
        f"mean {mean:8.2f} ms   {len(result['wrong'])} of {len(ms)} differ from brute force"
    )
    return mean


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=300_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="warta-dup-") as folder:  # SQLite: ~370 MB
        wrong = await run(args, Path(folder))
    for dhash, found, want in wrong[:5]:
        print(f"new search wrong for {dhash}: {found} instead of {want}", file=sys.stderr)
    if wrong:
        sys.exit(1)


async def run(args: argparse.Namespace, folder: Path) -> list[Any]:
    """Build, race, print; the new search's wrong answers."""
    max_bits = Limits().duplicate_bits
    load = _load()
    start = time.perf_counter()
    engine, org_id, rows = await build(await fresh_database(args.database_url, folder), args.photos)
    await settle(engine)
    built = time.perf_counter() - start
    asked = queries(rows, args.queries, max_bits)
    sent = [(int(p["dhash"], 16), p["number"]) for p in rows if p["org"] == "a" and p["sent"]]
    truth = [brute_force(sent, dhash, max_bits) for _, dhash in asked]
    results = await race(make_sessionmaker(engine), org_id, asked, truth, max_bits)
    sizes = await index_sizes(engine)
    await engine.dispose()
    where = args.database_url or "SQLite file"
    report(where, built, len(rows), len(sent), asked, truth, results)
    for name, size in sizes or []:
        print(f"  size of {name}: {size / 2**20:.1f} MiB")
    print(f"load average (1, 5, 15 min): {load} at the start, {_load()} at the end")
    wrong: list[Any] = results["new"]["wrong"]
    return wrong


def _load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def report(
    where: str,
    built: float,
    photos: int,
    sent: int,
    asked: list[tuple[str, str]],
    truth: list[list[str]],
    results: dict[str, dict[str, Any]],
) -> None:
    kinds = Counter(kind for kind, _ in asked)
    hits = Counter(kind for (kind, _), want in zip(asked, truth, strict=True) if want)
    print(
        f"{photos} photos ({sent} in org a's sent reports, the search's scope); database: {where}"
    )
    print(f"built in {built:.0f} s; max_bits {Limits().duplicate_bits} (Limits.duplicate_bits)")
    print(
        f"{len(asked)} lookups; with reports found by brute force: "
        + ", ".join(f"{kind} {hits[kind]}/{n}" for kind, n in kinds.items())
        + f"; {sum(map(len, truth))} report numbers in all, at most {max(map(len, truth))} at once"
    )
    old, new = summary("legacy", results["legacy"]), summary("new", results["new"])
    print(f"ratio legacy/new mean lookup: {old / new:.1f}")


if __name__ == "__main__":
    asyncio.run(main())

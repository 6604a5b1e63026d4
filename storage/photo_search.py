"""Earlier photos whose perceptual hash is near a new one, by an index that stays small.

The 64-bit difference hash is split into three bands: every third bit (band j holds bits
j, j+3, ... counted from the hash's low end; 22, 21 and 21 bits). Neighbouring cells of the
hash's 8 x 8 grid, left-right and up-down, fall into different bands, so the flat rows of a
sky or a wall, which make whole bytes alike across photos, do not make bands alike.

The guarantee, by the pigeonhole principle: if two hashes differ in at most k bits and each
band j is searched within r_j bits of the new photo's band, with sum(r_j + 1) >= k + 1, then
some band differs by at most its r_j (otherwise they would differ in k + 1 bits or more). So
every photo within max_bits is among the candidates; the exact Hamming distance then keeps
only those. For the default 6 bits the radii are 2, 1, 1: 298 band values looked up.
"""

from __future__ import annotations

from functools import cache
from itertools import combinations
from typing import Any

from sqlalchemy import Select, insert, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Photo, PhotoHashBand, Report, ReportStatus
from storage.photo_checks import hamming

BANDS = 3
_BAND_BITS = [list(range(j, 64, BANDS)) for j in range(BANDS)]
# Past this many looked-up values (max_bits 12 and up) the org's rows are read instead:
# still exact, and the database's limit on bound values is far.
MAX_PROBES = 5000
_UNSENT = [ReportStatus.DRAFT, ReportStatus.CANCELLED]


def band_values(dhash: str) -> list[int]:
    """The hash's bands, each packed into an integer (band j's value < 2 ** 22)."""
    bits = int(dhash, 16)
    return [
        sum(((bits >> b) & 1) << i for i, b in enumerate(positions)) for positions in _BAND_BITS
    ]


def band_rows(photo_id: int, org_id: int, dhash: str) -> list[dict[str, Any]]:
    """The photo's rows of photo_hash_bands, for one multi-row INSERT."""
    return [
        {"photo_id": photo_id, "org_id": org_id, "band": j, "value": v, "dhash": dhash}
        for j, v in enumerate(band_values(dhash))
    ]


async def index_photos(s: AsyncSession, photos: list[Photo]) -> None:
    """Index photos just flushed, those with a hash: one multi-row INSERT for them all."""
    rows = []
    for photo in photos:
        if photo.dhash:
            report = await s.get_one(Report, photo.report_id)  # in the session already: no query
            rows += band_rows(photo.id, report.org_id, photo.dhash)
    if rows:
        await s.execute(insert(PhotoHashBand).values(rows))


def radii(max_bits: int) -> list[int]:
    """Smallest radius per band with sum(r + 1) >= max_bits + 1; -1 means not looked up.

    The larger radius goes to band 0, the widest (22 bits), where a value is rarest."""
    base, extra = divmod(max_bits + 1, BANDS)
    return [base - 1 + (j < extra) for j in range(BANDS)]


@cache
def _masks(width: int, radius: int) -> tuple[int, ...]:
    """Every mask of at most radius set bits among width: the band values to look up."""
    return tuple(
        sum(1 << b for b in flipped)
        for r in range(radius + 1)
        for flipped in combinations(range(width), r)
    )


def probes(dhash: str, max_bits: int) -> list[list[int]] | None:
    """Per band, the values that a photo within max_bits may have there (None: too many)."""
    found = [
        [value ^ m for m in _masks(len(positions), r)] if r >= 0 else []
        for positions, value, r in zip(_BAND_BITS, band_values(dhash), radii(max_bits), strict=True)
    ]
    return found if sum(map(len, found)) <= MAX_PROBES else None


async def similar_photos(
    s: AsyncSession, org_id: int, dhash: str, *, max_bits: int, other_than: str | None
) -> list[str]:
    """Numbers of sent reports with a photo within max_bits of this hash, nearest first."""
    [found] = await similar_to_each(s, org_id, [dhash], max_bits=max_bits)
    return [number for number in found if number != other_than]


async def similar_to_each(
    s: AsyncSession, org_id: int, hashes: list[str], *, max_bits: int
) -> list[list[str]]:
    """similar_photos for several hashes (an album's) in two statements whatever their count."""
    if not hashes:
        return []
    near = await _near_photos(s, org_id, hashes, max_bits)
    wanted = set().union(*(n.keys() for n in near))
    if not wanted:
        return [[] for _ in hashes]
    # Neither the org (the band rows were the org's) nor "has a number" is asked here: with
    # them SQLite, which Warta never ANALYZEs, starts from the org's reports and tests the
    # id list once a report (24 s at 300,000 photos); without, it starts from the photos.
    numbers = dict(
        (
            await s.execute(
                select(Photo.id, Report.number)
                .join(Report, Report.id == Photo.report_id)
                .where(Photo.id.in_(wanted), Report.status.not_in(_UNSENT))
            )
        ).all()
    )
    return [_nearest_reports(each, numbers, max_bits) for each in near]


def _nearest_reports(
    near: dict[int, int], numbers: dict[int, str | None], max_bits: int
) -> list[str]:
    found: dict[str, int] = {}
    for photo_id, distance in near.items():
        number = numbers.get(photo_id)
        if number is not None and distance < found.get(number, max_bits + 1):
            found[number] = distance
    return sorted(found, key=lambda n: (found[n], n))


async def _near_photos(
    s: AsyncSession, org_id: int, hashes: list[str], max_bits: int
) -> list[dict[int, int]]:
    """Per hash, photo id -> distance of the org's photos within max_bits, read from the
    index alone: one SELECT per hash and band, in one UNION ALL. Each carries the org, so
    SQLite looks each band up in the index instead of reading all of the org's rows."""
    candidates: list[tuple[int, str]] = []
    for parts in _statements([w for d in hashes for w in _wanted(d, max_bits)]):
        lookups = [_band_lookup(org_id, j, values) for j, values in parts]
        statement = lookups[0] if len(lookups) == 1 else union_all(*lookups)
        candidates += [(row[0], row[1]) for row in await s.execute(statement)]
    return [
        {pid: d for pid, other in candidates if (d := hamming(dhash, other)) <= max_bits}
        for dhash in hashes
    ]


# Per statement: asyncpg takes at most 32,767 bound values and SQLite 32,766; SQLite joins at
# most 500 SELECTs in one compound. An album at the default 6 bits is 30 lookups, ~3,000 values.
MAX_VALUES, MAX_LOOKUPS = 30_000, 400


def _statements(
    wanted: list[tuple[int, list[int] | None]],
) -> list[list[tuple[int, list[int] | None]]]:
    """The band lookups in groups that each fit in one statement."""
    groups: list[list[tuple[int, list[int] | None]]] = [[]]
    size = 0
    for lookup in wanted:
        cost = 2 + len(lookup[1] or [])  # the org, the band, the values
        if groups[-1] and (size + cost > MAX_VALUES or len(groups[-1]) >= MAX_LOOKUPS):
            groups.append([])
            size = 0
        groups[-1].append(lookup)
        size += cost
    return groups


def _wanted(dhash: str, max_bits: int) -> list[tuple[int, list[int] | None]]:
    """(band, values to look up) for a hash; (0, None): every row of band 0 (too many)."""
    wanted = probes(dhash, max_bits)
    if wanted is None:  # every photo has one band-0 row
        return [(0, None)]
    return [(j, values) for j, values in enumerate(wanted) if values]


def _band_lookup(org_id: int, band: int, values: list[int] | None) -> Select[int, str]:
    query = select(PhotoHashBand.photo_id, PhotoHashBand.dhash).where(
        PhotoHashBand.org_id == org_id, PhotoHashBand.band == band
    )
    return query if values is None else query.where(PhotoHashBand.value.in_(values))

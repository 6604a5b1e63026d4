"""The duplicate-photo search as it was before storage/photo_search.py, for the benchmark's
baseline: the hash's 8 bytes as bands (index (band, value)), joined to photos and reports.
The query is Reports.similar_photos of commit 3891a23, against a table of its own."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Integer, MetaData, Table, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Photo, Report, ReportStatus
from storage.photo_checks import hamming

LEGACY = MetaData()
BANDS = Table(
    "legacy_hash_bands",
    LEGACY,
    Column("id", Integer, primary_key=True),
    Column("photo_id", Integer, ForeignKey(Photo.id), nullable=False, index=True),
    Column("band", Integer, nullable=False),
    Column("value", Integer, nullable=False),
    Index("ix_legacy_hash_bands_lookup", "band", "value"),
)


def byte_bands(dhash: str) -> list[int]:
    return [int(dhash[i : i + 2], 16) for i in range(0, 16, 2)]


def legacy_rows(photo_id: int, dhash: str) -> list[dict[str, Any]]:
    return [{"photo_id": photo_id, "band": i, "value": v} for i, v in enumerate(byte_bands(dhash))]


async def legacy_similar_photos(
    s: AsyncSession, org_id: int, dhash: str, *, max_bits: int, other_than: str | None
) -> list[str]:
    near_band = or_(
        *(and_(BANDS.c.band == i, BANDS.c.value == v) for i, v in enumerate(byte_bands(dhash)))
    )
    query = (
        select(Photo.dhash, Report.number)
        .join(BANDS, BANDS.c.photo_id == Photo.id)
        .join(Report, Report.id == Photo.report_id)
        .where(
            near_band,
            Report.org_id == org_id,
            Report.number.is_not(None),
            Report.status.not_in([ReportStatus.DRAFT, ReportStatus.CANCELLED]),
        )
        .distinct()
    )
    if other_than is not None:
        query = query.where(Report.number != other_than)
    found: dict[str, int] = {}
    for other, number in await s.execute(query):
        if other is None or number is None:
            continue
        distance = hamming(dhash, other)
        if distance <= max_bits and distance < found.get(number, max_bits + 1):
            found[number] = distance
    return sorted(found, key=lambda n: (found[n], n))

"""The desk's report list: one row per report (its newest submitted version), filtered.

Pages are keyset pages (newest first, by submitted_at then id), so page 500 costs what page 1
costs; the cursor is a plain string that sits in the URL, like the filters. Exports walk the
same query in chunks, never holding the whole set.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Exists, Select, Text, and_, cast, exists, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import SUBMITTED_ONLY, Member, Photo, Report, ReportStatus, Unit

COUNT_CAP = 1000  # "1000+" is enough to know; an exact count of 100,000 rows costs a scan


@dataclass(frozen=True)
class ReportFilter:
    """What the person asked for; every field is optional and sits in the URL."""

    statuses: tuple[ReportStatus, ...] = ()
    unit_id: int | None = None
    unit_kind: str | None = None  # "kecamatan" or "opd"
    pillar_key: str | None = None
    since: datetime | None = None  # submitted at or after (UTC)
    until: datetime | None = None  # submitted before (UTC)
    text: str = ""  # in the caption or the number
    with_warnings: bool = False
    member_id: int | None = None  # an operator sees only their own unit; see unit_id


@dataclass
class ListedReport:
    id: int
    number: str
    version: int
    status: ReportStatus
    caption: str
    pillar_name: str | None
    submitted_at: datetime
    unit_name: str | None
    member_name: str
    photos: int
    first_photo_id: int | None
    warned: bool


@dataclass
class Page:
    rows: list[ListedReport]
    next_cursor: str | None  # None: this is the last page


def newest_versions(org_id: int, wanted: ReportFilter) -> Select[Any]:
    """Ids of the rows to list: the newest submitted version of each report, filtered."""
    newer = aliased(Report)
    query = select(Report.id).where(
        Report.org_id == org_id,
        Report.submitted_at.is_not(None),  # sent: drafts (and drafts cancelled) have none
        # Written as the unique partial index's own condition, so both databases seek it.
        ~exists()
        .where(
            newer.org_id == Report.org_id,
            newer.number == Report.number,
            newer.version > Report.version,
        )
        .where(text(SUBMITTED_ONLY)),
    )
    return _filtered(query, wanted)


def _filtered(query: Select[Any], wanted: ReportFilter) -> Select[Any]:
    if wanted.statuses:
        query = query.where(Report.status.in_(wanted.statuses))
    if wanted.unit_id is not None:
        query = query.where(Report.unit_id == wanted.unit_id)
    if wanted.unit_kind:
        query = query.where(
            Report.unit_id.in_(select(Unit.id).where(Unit.kind == wanted.unit_kind))
        )
    if wanted.pillar_key:
        query = query.where(Report.pillar_key == wanted.pillar_key)
    if wanted.since is not None:
        query = query.where(Report.submitted_at >= wanted.since)
    if wanted.until is not None:
        query = query.where(Report.submitted_at < wanted.until)
    if wanted.member_id is not None:
        query = query.where(Report.member_id == wanted.member_id)
    if wanted.text.strip():
        like = f"%{_escape_like(wanted.text.strip())}%"
        query = query.where(
            or_(Report.caption.ilike(like, escape="\\"), Report.number.ilike(like, escape="\\"))
        )
    if wanted.with_warnings:
        query = query.where(_has_warnings())
    return query


def _has_warnings() -> Exists:
    # Warnings are a JSON list; "[]" and JSON null both mean none.
    shown = func.coalesce(cast(Photo.warnings, Text), "[]")
    return exists().where(Photo.report_id == Report.id, shown.not_in(["[]", "null"]))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def encode_cursor(at: datetime, report_id: int) -> str:
    return f"{at.strftime('%Y%m%d%H%M%S%f')}-{report_id}"


def decode_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    """None for no cursor or one that is not ours (a hand-edited URL starts over)."""
    if not cursor:
        return None
    stamp, _, rid = cursor.partition("-")
    try:
        return datetime.strptime(stamp, "%Y%m%d%H%M%S%f").replace(tzinfo=UTC), int(rid)
    except ValueError:
        return None


class ReportList:
    """Repository for the desk's lists and exports."""

    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def page(
        self, org_id: int, wanted: ReportFilter, *, cursor: str | None = None, size: int = 50
    ) -> Page:
        rows = await self._rows(org_id, wanted, cursor, size + 1)
        more = len(rows) > size
        rows = rows[:size]
        next_cursor = encode_cursor(rows[-1].submitted_at, rows[-1].id) if more else None
        return Page(rows, next_cursor)

    async def count(self, org_id: int, wanted: ReportFilter) -> int:
        """How many match, up to COUNT_CAP + 1. A page asks for it separately (it may scan
        the whole filtered set), so the rows never wait for it."""
        capped = newest_versions(org_id, wanted).limit(COUNT_CAP + 1).subquery()
        return int(await self.s.scalar(select(func.count()).select_from(capped)) or 0)

    async def walk(
        self, org_id: int, wanted: ReportFilter, *, chunk: int = 500
    ) -> AsyncIterator[list[ListedReport]]:
        """The whole filtered set, newest first, a chunk at a time (exports)."""
        cursor: str | None = None
        while True:
            rows = await self._rows(org_id, wanted, cursor, chunk)
            if rows:
                yield rows
            if len(rows) < chunk:
                return
            cursor = encode_cursor(rows[-1].submitted_at, rows[-1].id)

    async def photo_ids(self, report_ids: Sequence[int]) -> dict[int, list[int]]:
        """Every photo of these reports in order (the gallery, the photo export)."""
        found: dict[int, list[int]] = {rid: [] for rid in report_ids}
        rows = await self.s.execute(
            select(Photo.report_id, Photo.id)
            .where(Photo.report_id.in_(report_ids))
            .order_by(Photo.report_id, Photo.position, Photo.id)
        )
        for report_id, photo_id in rows:
            found[report_id].append(photo_id)
        return found

    async def _rows(
        self, org_id: int, wanted: ReportFilter, cursor: str | None, limit: int
    ) -> list[ListedReport]:
        """One keyset page, newest first, after the cursor's row: one statement, with the
        photo count, first photo and warnings of each row as indexed subqueries."""
        query = newest_versions(org_id, wanted)
        after = decode_cursor(cursor)
        if after is not None:
            at, rid = after
            query = query.where(
                or_(Report.submitted_at < at, and_(Report.submitted_at == at, Report.id < rid))
            )
        of_report = Photo.report_id == Report.id
        query = (
            query.add_columns(
                Report.number,
                Report.version,
                Report.status,
                Report.caption,
                Report.pillar_name,
                Report.submitted_at,
                Unit.name,
                Member.name,
                select(func.count(Photo.id)).where(of_report).scalar_subquery(),
                select(func.min(Photo.id)).where(of_report).scalar_subquery(),
                _has_warnings(),
            )
            .join(Member, Member.id == Report.member_id)
            .outerjoin(Unit, Unit.id == Report.unit_id)
            .order_by(Report.submitted_at.desc(), Report.id.desc())
            .limit(limit)
        )
        return [ListedReport(*row) for row in await self.s.execute(query)]

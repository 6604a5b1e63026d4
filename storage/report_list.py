"""The desk's report list: one row per report (its newest submitted version), filtered.

Pages are keyset pages (newest first, by submitted_at then id), so page 500 costs what page 1
costs; the cursor is a plain string that sits in the URL, like the filters. Exports walk the
same query in chunks, never holding the whole set.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Exists,
    Integer,
    Select,
    String,
    Text,
    and_,
    bindparam,
    cast,
    exists,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from storage.models import SUBMITTED_ONLY, Member, Photo, Report, ReportStatus, Unit

COUNT_CAP = 1000  # "1000+" is enough to know; an exact count of 100,000 rows costs a scan
# One alias for every statement: making one proxies each column of reports anew, and a long
# export would leave thousands of them behind for the garbage collector.
NEWER = aliased(Report)


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
class ListedPhoto:
    id: int
    report_id: int
    position: int
    path: str  # relative to the media folder
    mime: str
    sha256: str


@dataclass
class Page:
    rows: list[ListedReport]
    next_cursor: str | None  # None: this is the last page


@dataclass(frozen=True)
class _Shape:
    """Which filters a view uses. Each shape's statement is built once, with bound values,
    and reused: building one costs about as much as running it on a small database."""

    statuses: bool
    unit: bool
    kind: bool
    pillar: bool
    since: bool
    until: bool
    member: bool
    text: bool
    warned: bool

    @classmethod
    def of(cls, w: ReportFilter) -> _Shape:
        return cls(
            bool(w.statuses),
            w.unit_id is not None,
            bool(w.unit_kind),
            bool(w.pillar_key),
            w.since is not None,
            w.until is not None,
            w.member_id is not None,
            bool(w.text.strip()),
            w.with_warnings,
        )


def _params(org_id: int, w: ReportFilter) -> dict[str, Any]:
    """The bound values of the filter's shape."""
    values: dict[str, Any] = {"org_id": org_id}
    optional = {
        "statuses": list(w.statuses),
        "unit_id": w.unit_id,
        "unit_kind": w.unit_kind or None,
        "pillar_key": w.pillar_key or None,
        "since": w.since,
        "until": w.until,
        "member_id": w.member_id,
        "like": f"%{_escape_like(w.text.strip())}%" if w.text.strip() else None,
    }
    values.update((name, value) for name, value in optional.items() if value not in (None, []))
    return values


@functools.cache
def newest_versions(shape: _Shape) -> Select[Any]:
    """Ids of the rows to list: the newest submitted version of each report, filtered."""
    newer = NEWER
    query = select(Report.id).where(
        Report.org_id == bindparam("org_id"),
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
    return _filtered(query, shape)


def _filtered(query: Select[Any], shape: _Shape) -> Select[Any]:
    if shape.statuses:
        query = query.where(Report.status.in_(bindparam("statuses", expanding=True)))
    if shape.unit:
        query = query.where(Report.unit_id == bindparam("unit_id"))
    if shape.kind:
        kind = select(Unit.id).where(Unit.kind == bindparam("unit_kind"))
        query = query.where(Report.unit_id.in_(kind))
    if shape.pillar:
        query = query.where(Report.pillar_key == bindparam("pillar_key"))
    if shape.since:
        query = query.where(Report.submitted_at >= bindparam("since"))
    if shape.until:
        query = query.where(Report.submitted_at < bindparam("until"))
    if shape.member:
        query = query.where(Report.member_id == bindparam("member_id"))
    if shape.text:
        like = bindparam("like", type_=String)
        query = query.where(
            or_(Report.caption.ilike(like, escape="\\"), Report.number.ilike(like, escape="\\"))
        )
    if shape.warned:
        query = query.where(_has_warnings())
    return query


@functools.cache
def _listing(shape: _Shape, after: bool) -> Select[Any]:
    """One keyset page, newest first, after the cursor's row (when `after`): one statement,
    with the photo count, first photo and warnings of each row as indexed subqueries."""
    query = newest_versions(shape)
    if after:
        at, rid = (
            bindparam("after_at", type_=Report.submitted_at.type),
            bindparam("after_id", type_=Integer),
        )
        query = query.where(
            or_(Report.submitted_at < at, and_(Report.submitted_at == at, Report.id < rid))
        )
    of_report = Photo.report_id == Report.id
    return (
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
        .limit(bindparam("limit", type_=Integer))
    )


@functools.cache
def _counting(shape: _Shape) -> Select[Any]:
    capped = newest_versions(shape).limit(COUNT_CAP + 1).subquery()
    return select(func.count()).select_from(capped)


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
        counted = _counting(_Shape.of(wanted))
        return int(await self.s.scalar(counted, _params(org_id, wanted)) or 0)

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

    async def photos_of(self, report_ids: Sequence[int]) -> dict[int, list[ListedPhoto]]:
        """Every photo of these reports in order, with its file (the photo export)."""
        found: dict[int, list[ListedPhoto]] = {rid: [] for rid in report_ids}
        rows = await self.s.execute(
            select(Photo.id, Photo.report_id, Photo.position, Photo.path, Photo.mime, Photo.sha256)
            .where(Photo.report_id.in_(report_ids))
            .order_by(Photo.report_id, Photo.position, Photo.id)
        )
        for row in rows:
            found[row.report_id].append(ListedPhoto(*row))
        return found

    async def _rows(
        self, org_id: int, wanted: ReportFilter, cursor: str | None, limit: int
    ) -> list[ListedReport]:
        params = {**_params(org_id, wanted), "limit": limit}
        after = decode_cursor(cursor)
        if after is not None:
            params["after_at"], params["after_id"] = after
        query = _listing(_Shape.of(wanted), after is not None)
        return [ListedReport(*row) for row in await self.s.execute(query, params)]


async def walk_apart(
    sessionmaker: async_sessionmaker[AsyncSession],
    org_id: int,
    wanted: ReportFilter,
    *,
    chunk: int = 500,
) -> AsyncIterator[list[ListedReport]]:
    """ReportList.walk with a session per chunk: an export streams for minutes to a slow
    browser and must not hold a connection meanwhile (SQLite has only one)."""
    cursor: str | None = None
    while True:
        async with sessionmaker() as session:
            page = await ReportList(session).page(org_id, wanted, cursor=cursor, size=chunk)
        if page.rows:
            yield page.rows
        if page.next_cursor is None:
            return
        cursor = page.next_cursor

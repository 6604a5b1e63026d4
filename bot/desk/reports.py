"""Laporan (/laporan): every sent report, newest version, filtered by what sits in the URL.

A table (or a gallery of photos), keyset pages (?setelah=), the count asked for separately so
the rows never wait for it, exports of the whole filtered set (exports.py), photos by an
authenticated route (photos.py), and bulk approval for editors and coordinators, each report
decided on its own through handlers/decisions, as a tap on its card would be.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.desk import exports, photos
from bot.desk.guard import Refused, form_of, local_path, require
from bot.desk.report_query import DECIDERS, KINDS, STATUS_LABELS, STATUSES, ListQuery
from handlers import decisions
from handlers.context import Context
from handlers.messages import T, t
from handlers.timefmt import MONTHS, zone_label
from storage.models import Member, Report, ReportStatus, Unit
from storage.people import People
from storage.report_list import COUNT_CAP, ListedReport, ReportList

if TYPE_CHECKING:
    from bot.desk.site import Desk

PAGE_SIZE = 20  # rows a page: a phone's first load stays within 60 KB (tested)
CAPTION_CHARS = 72  # of a caption in the table; the detail page shows it whole
UNITS_KEPT = 30.0  # seconds the filter's unit list is reused (a new unit shows up after it)


def routes(desk: Desk) -> list[BaseRoute]:
    pages = ReportPages(desk)
    return [
        Route("/laporan", desk.page(pages.show), methods=["GET"]),
        Route("/laporan/jumlah", desk.page(pages.count), methods=["GET"]),
        Route("/laporan/setujui", desk.page(pages.approve), methods=["POST"]),
        *exports.routes(desk),
        *photos.routes(desk),
    ]


@dataclass(frozen=True)
class Row:
    """One report as the table shows it."""

    id: int
    number: str
    version: int
    status: str
    pending: bool
    sent: str
    unit: str
    pillar: str
    caption: str
    photos: int
    photo_id: int | None
    warned: bool


@dataclass(frozen=True)
class Outcome:
    number: str
    approved: bool
    text: str


class ReportPages:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.pillars = [(p.key, p.name) for p in desk.core.schedule.pillars]
        self._unit_cache: dict[int, tuple[float, list[tuple[int, str]]]] = {}

    def _query(self, request: Request) -> ListQuery:
        return ListQuery.parse(request.query_params, frozenset(k for k, _ in self.pillars))

    async def show(self, request: Request) -> Response:
        viewer = await require(request)
        query = self._query(request)
        if parse_qsl(request.url.query, keep_blank_values=True) != query.pairs():
            # The form sends its empty fields too: a shared link should say only what applies.
            return RedirectResponse(query.url(), status_code=303)
        decider = viewer.role in DECIDERS
        async with self.desk.sessionmaker() as session:
            listing = ReportList(session)
            page = await listing.page(
                viewer.org_id,
                query.filter(self.desk.tz, viewer),
                cursor=query.cursor,
                size=PAGE_SIZE,
            )
            ids = [r.id for r in page.rows]
            gallery = await listing.photo_ids(ids) if query.gallery and ids else {}
            units = await self._units(session, viewer.org_id) if decider else []
            own = None if decider else await People(session).unit(viewer.unit_id)
        rows = [self._row(r) for r in page.rows]
        return self.desk.pages.render(
            request,
            "reports.html",
            query=query,
            rows=rows,
            gallery=gallery,
            decider=decider,
            bulk=decider and any(r.pending for r in rows),
            units=units,
            own_unit=own.name if own else None,
            pillars=self.pillars,
            statuses=[(key, label) for key, (_, label) in STATUSES.items()],
            kinds=KINDS,
            zone=zone_label(self.desk.clock().astimezone(self.desk.tz)),
            next_url=query.url(cursor=page.next_cursor) if page.next_cursor else None,
            first_url=query.url(cursor=None) if query.cursor else None,
            count_url=query.url("/laporan/jumlah", cursor=None, gallery=False),
            export=query.url("", cursor=None, gallery=False),
            back=query.url(),
        )

    async def _units(self, session: AsyncSession, org_id: int) -> list[tuple[int, str]]:
        """The filter's unit choices (archived ones too: their reports stay), kept a short
        while: every list view would ask, and units change a few times a year."""
        now = time.monotonic()
        kept = self._unit_cache.get(org_id)
        if kept is not None and now - kept[0] < UNITS_KEPT:
            return kept[1]
        rows = await session.execute(
            select(Unit.id, Unit.name).where(Unit.org_id == org_id).order_by(Unit.name)
        )
        units = [(uid, name) for uid, name in rows]
        self._unit_cache[org_id] = (now, units)
        return units

    def _row(self, r: ListedReport) -> Row:
        caption = r.caption if len(r.caption) <= CAPTION_CHARS else r.caption[:CAPTION_CHARS] + "…"
        return Row(
            id=r.id,
            number=r.number,
            version=r.version,
            status=STATUS_LABELS.get(r.status, str(r.status)),
            pending=r.status == ReportStatus.PENDING,
            sent=self._when(r.submitted_at),
            unit=r.unit_name or "-",
            pillar=r.pillar_name or "-",
            caption=caption,
            photos=r.photos,
            photo_id=r.first_photo_id,
            warned=r.warned,
        )

    def _when(self, at: datetime) -> str:
        d = at.astimezone(self.desk.tz)  # the zone is in the column's heading
        return f"{d.day} {MONTHS[d.month - 1]} {d.year} {d:%H.%M}"

    async def count(self, request: Request) -> Response:
        """How many match, as a small fragment the list loads after its rows."""
        try:
            viewer = await require(request)
        except Refused as refused:
            if not request.headers.get("hx-request"):
                raise
            # htmx swaps error answers too: a line in place of the count, not a whole page.
            return self.desk.pages.render(
                request, "report_count.html", block="gone", status=refused.response.status_code
            )
        query = self._query(request)
        async with self.desk.sessionmaker() as session:
            found = await ReportList(session).count(
                viewer.org_id, query.filter(self.desk.tz, viewer)
            )
        shown = f"{_thousands(COUNT_CAP)}+" if found > COUNT_CAP else _thousands(found)
        return self.desk.pages.render(
            request, "report_count.html", block="count", shown=shown, back=query.url()
        )

    async def approve(self, request: Request) -> Response:
        """Bulk approval: each chosen report is decided on its own (its own transaction, its
        cards and its operator told), and one decided meanwhile says who decided it."""
        viewer = await require(request, DECIDERS)
        form = await form_of(request)
        ids = [int(k[2:]) for k in form if k.startswith("r-") and k[2:].isdigit()][: PAGE_SIZE * 2]
        numbers = await self._numbers(viewer, ids)
        outcomes = [await self._approve_one(viewer, rid, numbers.get(rid)) for rid in ids]
        return self.desk.pages.render(
            request,
            "reports_approved.html",
            outcomes=outcomes,
            back=local_path(form.get("kembali")) or "/laporan",
        )

    async def _numbers(self, viewer: Member, ids: list[int]) -> dict[int, str]:
        if not ids:
            return {}
        async with self.desk.sessionmaker() as session:
            rows = await session.execute(
                select(Report.id, Report.number).where(
                    Report.id.in_(ids), Report.org_id == viewer.org_id, Report.number.is_not(None)
                )
            )
            return {rid: number for rid, number in rows if number is not None}

    async def _approve_one(self, viewer: Member, report_id: int, number: str | None) -> Outcome:
        if number is None:  # not one of ours: a hand-made form
            return Outcome("-", False, self._text(t("desk.list.unknown")))
        refusal = await self.desk.act(viewer, _approving(report_id))
        if refusal is None:
            return Outcome(number, True, self._text(t("desk.list.approved", number=number)))
        if refusal.key == "tap.stale":  # the chat's wording is about a button
            refusal = t("desk.list.not_open", number=number)
        return Outcome(number, False, self._text(refusal))

    def _text(self, piece: T) -> str:
        return self.desk.core.texts.render(piece)  # plain: *bold* marks dropped


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")  # 1.000, the Indonesian way


def _approving(report_id: int) -> Callable[[Context], Awaitable[T | None]]:
    async def work(ctx: Context) -> T | None:
        return await decisions.decide(ctx, report_id, ReportStatus.APPROVED, None)

    return work

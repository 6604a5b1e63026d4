"""Ringkasan (/dasbor): this week's figures, unit activity and the queue (handlers/overview)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.desk.guard import require
from handlers.overview import Overview, overview
from handlers.recap import duration_text
from handlers.timefmt import local, short_date, zone_label
from storage.models import Member, Role
from storage.people import People
from storage.reports import Reports

if TYPE_CHECKING:
    from bot.desk.site import Desk

KINDS = {"kecamatan": "Kecamatan", "opd": "OPD"}


def routes(desk: Desk) -> list[BaseRoute]:
    async def home(request: Request) -> Response:
        return await _page(desk, request, "main", fragment=False)

    async def units(request: Request) -> Response:
        """The unit activity alone, for the kind filter (htmx swaps it in place)."""
        return await _page(desk, request, "units", fragment=True)

    return [
        Route("/dasbor", desk.page(home), methods=["GET"]),
        Route("/dasbor/unit", desk.page(units), methods=["GET"]),
    ]


async def _page(desk: Desk, request: Request, block: str, *, fragment: bool) -> Response:
    member = await require(request)
    kind = request.query_params.get("jenis")
    kind = kind if kind in KINDS else None
    found = await _overview(desk, member, kind)
    ends = local(request.state.viewer.expires_at, desk.tz)
    return desk.pages.render(
        request,
        "summary.html",
        block=block,
        fragment=fragment,
        member=member,
        own_unit=member.role == Role.OPERATOR,
        until=f"{ends:%H.%M} {zone_label(ends)}",
        o=found,
        kind=kind,
        kinds=KINDS,
        when_day=lambda at: short_date(local(at, desk.tz).date()) if at else "belum pernah",
        waited=lambda report: duration_text(desk.clock() - report.submitted_at),
        duration=duration_text,
    )


async def _overview(desk: Desk, member: Member, kind: str | None) -> Overview:
    """Operators see their own unit; editors and coordinators the whole organization."""
    own = member.unit_id if member.role == Role.OPERATOR else None
    async with desk.sessionmaker() as session:
        return await overview(
            Reports(session),
            People(session),
            desk.core,
            member.org_id,
            desk.clock(),
            unit_id=own,
            unit_kind=kind,
        )

"""One member (/unit/anggota/<nomor>), coordinators only: their role (and unit), moving to a
new account (a transfer code, as /anggota pindah), deactivating and reactivating. The same
use cases as chat (handlers/members.py), run with desk.act."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.desk.guard import form_of, require
from bot.desk.pages import COORDINATORS
from bot.desk.people_reads import CHANNEL_LABELS, ROLES, member_rows, unit_rows
from bot.desk.said import said
from handlers import members as people_cases
from handlers.context import Context
from handlers.messages import t
from handlers.outcome import Outcome, refused
from handlers.timefmt import when
from storage.desk import HOME

if TYPE_CHECKING:
    from bot.desk.site import Desk


def routes(desk: Desk) -> list[BaseRoute]:
    view = MemberPage(desk)
    return [
        Route("/unit/anggota/{member_id:int}", desk.page(view.show), methods=["GET"]),
        Route("/unit/anggota/{member_id:int}/{action}", desk.page(view.act), methods=["POST"]),
    ]


class MemberPage:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    async def show(self, request: Request, outcome: Outcome | None = None) -> Response:
        viewer = await require(request, COORDINATORS)
        member_id = request.path_params["member_id"]
        async with self.desk.sessionmaker() as session:
            rows = await member_rows(session, viewer.org_id)
            units = [r.unit for r in await unit_rows(session, viewer.org_id)]
        row = next((r for r in rows if r.member.id == member_id), None)
        if row is None:
            return self.desk.pages.render(request, "admin_gone.html", status=404)
        member = row.member
        return self.desk.pages.render(
            request,
            "member.html",
            block="reply",
            said=said(self.desk.core.texts, outcome),
            row=row,
            me=member.id == viewer.id,
            roles=ROLES,
            units=[u for u in units if u.archived_at is None],
            channels=CHANNEL_LABELS,
            since=when(member.deactivated_at, self.desk.tz) if member.deactivated_at else None,
            joined=when(member.created_at, self.desk.tz),
        )

    async def act(self, request: Request) -> Response:
        viewer = await require(request, COORDINATORS)
        member_id, action = request.path_params["member_id"], request.path_params["action"]
        work = member_work(action, member_id, await form_of(request))
        if work is None:
            return self.desk.pages.render(request, "admin_gone.html", status=404)
        outcome = await self.desk.act(viewer, work)
        if outcome.done and member_id == viewer.id and action == "peran":
            return _away()  # no longer a coordinator: this page is not theirs any more
        return await self.show(request, outcome)


def member_work(
    action: str, member_id: int, form: dict[str, str]
) -> Callable[[Context], Awaitable[Outcome]] | None:
    """The use case behind /unit/anggota/<id>/<action>; None for one that does not exist."""
    if action == "peran":
        role = ROLES.get(form.get("peran", ""))
        unit = form.get("unit") or None
        if role is None:
            return _refusal(refused(t("units.pick_role")))
        return lambda ctx: people_cases.change_role(ctx, member_id, role, unit)
    actions: dict[str, Callable[[Context, int], Awaitable[Outcome]]] = {
        "nonaktifkan": people_cases.deactivate,
        "aktifkan": people_cases.reactivate,
        "pindah": people_cases.transfer,
    }
    chosen = actions.get(action)
    return None if chosen is None else lambda ctx: chosen(ctx, member_id)


def _away() -> Response:
    """To Ringkasan: a full page load (HX-Redirect) for htmx, a plain redirect otherwise."""
    return RedirectResponse(HOME, status_code=303, headers={"HX-Redirect": HOME})


def _refusal(outcome: Outcome) -> Callable[[Context], Awaitable[Outcome]]:
    async def work(_ctx: Context) -> Outcome:
        return outcome

    return work

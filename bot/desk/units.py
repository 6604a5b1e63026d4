"""Unit & anggota (/unit), coordinators only: units (add, rename, merge, archive, restore),
invites with a link and a QR code for each channel (Bimtek projectors), and the member list.

Changes go through the use cases chat uses (handlers/units.py, handlers/members.py) with
desk.act; reads query the tables directly. A form posts normally; with htmx the page's body
is swapped and what the use case said goes into the live region above it.
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import segno
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.desk import members
from bot.desk.guard import form_of, require
from bot.desk.pages import COORDINATORS
from bot.desk.people_reads import (
    CHANNEL_LABELS,
    KIND_LABELS,
    ROLES,
    member_rows,
    open_invites,
    unit_rows,
)
from bot.desk.said import said
from handlers import members as people_cases
from handlers import units as unit_cases
from handlers.context import Context
from handlers.join import ROLE_NAMES
from handlers.messages import t
from handlers.outcome import Outcome, done, refused
from handlers.timefmt import local, short_date, when
from storage.models import Invite, Member, Unit

if TYPE_CHECKING:
    from bot.desk.site import Desk

QR_SCALE = 8  # modules to pixels: a phone reads it off a projector across a hall


@dataclass(frozen=True)
class Way:
    """One way to use an invite: a channel, its link (or what to send), its QR code."""

    label: str
    link: str | None
    send: str
    qr: str | None


@dataclass(frozen=True)
class InviteView:
    invite: Invite
    unit: str | None
    until: str
    ways: list[Way]


def routes(desk: Desk) -> list[BaseRoute]:
    view = UnitsPage(desk)
    page = desk.page
    return [
        *members.routes(desk),  # /unit/anggota/<nomor>
        Route("/unit", page(view.index), methods=["GET"]),
        Route("/unit/tambah", page(view.add), methods=["POST"]),
        Route("/unit/undangan", page(view.invite), methods=["POST"]),
        Route("/unit/undangan/{code}", page(view.invite_page), methods=["GET"]),
        Route("/unit/undangan/{code}/qr-{channel}.svg", page(view.qr), methods=["GET"]),
        Route("/unit/undangan/{code}/cabut", page(view.revoke), methods=["POST"]),
        Route("/unit/{unit_id:int}", page(view.unit_page), methods=["GET"]),
        Route("/unit/{unit_id:int}/{action}", page(view.unit_action), methods=["POST"]),
    ]


class UnitsPage:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    # ---- the list -----------------------------------------------------------------------
    async def index(self, request: Request) -> Response:
        member = await require(request, COORDINATORS)
        return await self.render(request, member)

    async def render(
        self,
        request: Request,
        member: Member,
        outcome: Outcome | None = None,
        *,
        made: InviteView | None = None,
        form: dict[str, str] | None = None,
    ) -> Response:
        async with self.desk.sessionmaker() as session:
            units = await unit_rows(session, member.org_id)
            members = await member_rows(session, member.org_id)
            invites = await open_invites(session, member.org_id, self.desk.clock())
        names = {row.unit.id: row.unit.name for row in units}
        return self.desk.pages.render(
            request,
            "units.html",
            block="reply",
            said=said(self.desk.core.texts, outcome),
            active=[row for row in units if row.unit.archived_at is None],
            archived=[row for row in units if row.unit.archived_at is not None],
            members=members,
            invites=[self.invite_view(i, names.get(i.unit_id or 0)) for i in invites],
            made=made,
            form=form or {},
            kinds=KIND_LABELS,
            roles=ROLES,
            channels=CHANNEL_LABELS,
            day=self.day,
        )

    def day(self, at: datetime | None) -> str:
        return short_date(local(at, self.desk.tz).date()) if at else "belum pernah"

    # ---- units --------------------------------------------------------------------------
    async def add(self, request: Request) -> Response:
        member = await require(request, COORDINATORS)
        form = await form_of(request)
        name, kind, force = form.get("nama", ""), form.get("jenis") or None, "paksa" in form
        outcome = await self.desk.act(
            member, lambda ctx: unit_cases.add_unit(ctx, name, kind=kind, force=force)
        )
        similar = outcome.key == "units.similar"
        kept = {} if outcome.done else {**form, "mirip": "1" if similar else ""}
        return await self.render(request, member, outcome, form=kept)

    async def unit_page(self, request: Request, outcome: Outcome | None = None) -> Response:
        member = await require(request, COORDINATORS)
        unit_id = request.path_params["unit_id"]
        async with self.desk.sessionmaker() as session:
            unit = await session.get(Unit, unit_id)
            if unit is None or unit.org_id != member.org_id:
                return self.desk.pages.render(request, "admin_gone.html", status=404)
            rows = await unit_rows(session, member.org_id)
            row = next(r for r in rows if r.unit.id == unit_id)
            others = [r.unit for r in rows if r.unit.archived_at is None and r.unit.id != unit_id]
            people = [
                r for r in await member_rows(session, member.org_id) if r.member.unit_id == unit_id
            ]
        return self.desk.pages.render(
            request,
            "unit.html",
            block="reply",
            said=said(self.desk.core.texts, outcome),
            row=row,
            others=others,
            people=people,
            kinds=KIND_LABELS,
            day=self.day,
            merged_into=next((r.unit for r in rows if r.unit.id == unit.merged_into_id), None),
        )

    async def unit_action(self, request: Request) -> Response:
        member = await require(request, COORDINATORS)
        unit_id, action = request.path_params["unit_id"], request.path_params["action"]
        form = await form_of(request)
        work = unit_work(action, unit_id, form)
        if work is None:
            return self.desk.pages.render(request, "admin_gone.html", status=404)
        outcome = await self.desk.act(member, work)
        return await self.unit_page(request, outcome)

    # ---- invites ------------------------------------------------------------------------
    async def invite(self, request: Request) -> Response:
        member = await require(request, COORDINATORS)
        form = await form_of(request)
        role = ROLES.get(form.get("peran", ""))
        if role is None:
            return await self.render(request, member, refused(t("units.pick_role")), form=form)
        unit, uses = form.get("unit") or None, _count(form.get("jumlah"))
        made = await self.desk.act(
            member, lambda ctx: people_cases.create_invite(ctx, role, unit, uses)
        )
        if not isinstance(made, Invite):
            return await self.render(request, member, refused(made), form=form)
        async with self.desk.sessionmaker() as session:
            unit_row = await session.get(Unit, made.unit_id) if made.unit_id else None
        view = self.invite_view(made, unit_row.name if unit_row else None)
        outcome = done(t("units.invite_made", code=made.code, role=ROLE_NAMES[made.role]))
        return await self.render(request, member, outcome, made=view)

    async def invite_page(self, request: Request) -> Response:
        """One invite, large, for a projector at a Bimtek."""
        member = await require(request, COORDINATORS)
        found = await self.open_invite(member, request.path_params["code"])
        if found is None:
            return self.desk.pages.render(request, "admin_gone.html", status=404)
        return self.desk.pages.render(request, "invite.html", made=found)

    async def qr(self, request: Request) -> Response:
        """The QR code of an open invite's link on one channel, drawn here (SVG)."""
        member = await require(request, COORDINATORS)
        found = await self.open_invite(member, request.path_params["code"])
        channel = request.path_params["channel"]
        messenger = self.desk.engine.messengers.get(channel)
        link = messenger.invite_link(found.invite.code) if found and messenger else None
        if link is None:
            return Response("Tidak ditemukan", status_code=404, media_type="text/plain")
        return Response(qr_svg(link), media_type="image/svg+xml")

    async def revoke(self, request: Request) -> Response:
        member = await require(request, COORDINATORS)
        code = request.path_params["code"]
        outcome = await self.desk.act(member, lambda ctx: people_cases.revoke_invite(ctx, code))
        return await self.render(request, member, outcome)

    async def open_invite(self, member: Member, code: str) -> InviteView | None:
        async with self.desk.sessionmaker() as session:
            invites = await open_invites(session, member.org_id, self.desk.clock())
            found = next((i for i in invites if i.code == code.lower()), None)
            if found is None:
                return None
            unit = await session.get(Unit, found.unit_id) if found.unit_id else None
        return self.invite_view(found, unit.name if unit else None)

    def invite_view(self, invite: Invite, unit: str | None) -> InviteView:
        ways = []
        for channel, messenger in self.desk.engine.messengers.items():
            link = messenger.invite_link(invite.code)
            send = f"GABUNG {invite.code}" if channel == "whatsapp" else f"/start {invite.code}"
            qr = f"/unit/undangan/{invite.code}/qr-{channel}.svg" if link else None
            ways.append(Way(CHANNEL_LABELS.get(channel, channel), link, send, qr))
        return InviteView(invite, unit, when(invite.expires_at, self.desk.tz), ways)


def unit_work(
    action: str, unit_id: int, form: dict[str, str]
) -> Callable[[Context], Awaitable[Outcome]] | None:
    """The use case behind /unit/<id>/<action>, or None for an action that does not exist."""
    actions: dict[str, Callable[[Context], Awaitable[Outcome]]] = {
        "ganti": lambda ctx: unit_cases.rename_unit(ctx, unit_id, form.get("nama", "")),
        "gabung": lambda ctx: unit_cases.merge_unit(ctx, unit_id, form.get("tujuan", "")),
        "arsip": lambda ctx: unit_cases.archive_unit(ctx, unit_id),
        "pulihkan": lambda ctx: unit_cases.restore_unit(ctx, unit_id),
    }
    return actions.get(action)


def qr_svg(text: str) -> bytes:
    """A QR code as SVG with a viewBox (scales to any size), dark on white."""
    out = io.BytesIO()
    segno.make(text, error="m").save(
        out, kind="svg", scale=QR_SCALE, border=2, xmldecl=False, omitsize=True, light="#fff"
    )
    return out.getvalue()


def _count(value: str | None) -> int:
    try:
        return max(1, min(people_cases.MAX_INVITE_USES, int(value or "1")))
    except ValueError:
        return 1

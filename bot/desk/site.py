"""The desk's routes on Warta's web app: signing in by a chat link, signing out, the home page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.desk import deliveries, report_page, reports, schedule_page, summary, units
from bot.desk.guard import (
    SAFE_METHODS,
    SESSION_COOKIE,
    WANTED_COOKIE,
    Gate,
    Refused,
    form_of,
    landing,
    local_path,
)
from bot.desk.pages import STATIC, Pages
from handlers.context import Context
from handlers.engine import Engine
from storage.desk import Logins
from storage.models import Member

Endpoint = Callable[[Request], Awaitable[Response]]
R = TypeVar("R")
# Login codes sit in URLs: no Referer may carry them away, and nothing from elsewhere runs here.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
}
STATIC_CACHE = "public, max-age=31536000, immutable"  # file names (or ?v=) change with content


class Desk:
    """The web desk. WebApp mounts routes(); later pages add theirs the same way."""

    def __init__(self, engine: Engine, *, public_url: str) -> None:
        # The engine runs the use cases (the same ones chat handlers call) as the signed-in
        # member, and sends what they queue, as for a chat event.
        self.engine, self.core = engine, engine.core
        self.sessionmaker, self.clock, self.tz = engine.sessionmaker, engine.clock, engine.core.tz
        self.pages = Pages(engine.core.org_name)
        self.gate = Gate(self.sessionmaker, self.pages, public_url.rstrip("/"), self.clock)

    async def act(self, member: Member, work: Callable[[Context], Awaitable[R]]) -> R:
        """Run a use case as this signed-in member (one transaction; see Engine.act)."""
        return await self.engine.act(member.id, work)

    def routes(self) -> list[BaseRoute]:
        page = self.page
        return [
            Route("/masuk", page(self._sign_in_page), methods=["GET"]),
            Route("/masuk/{code}", page(self._confirm), methods=["GET"]),
            Route("/masuk/{code}", page(self._sign_in), methods=["POST"]),
            Route("/keluar", page(self._sign_out), methods=["POST"]),
            *summary.routes(self),
            *report_page.routes(self),  # /laporan/<number> only: a number convertor
            *reports.routes(self),  # /laporan, its count, exports, bulk approval; /foto/...
            *units.routes(self),  # /unit: units, invites and their QR codes, /unit/anggota/...
            *schedule_page.routes(self),  # /jadwal
            *deliveries.routes(self),  # /pengiriman
            Mount("/static", app=_Static(StaticFiles(directory=STATIC)), name="static"),
        ]

    def page(self, endpoint: Endpoint) -> Endpoint:
        """Every desk route is wrapped in this: the gate at hand (for require), forged
        requests refused before the route runs, a Refused turned into its page, headers set."""

        async def run(request: Request) -> Response:
            request.state.gate = self.gate
            try:
                if request.method not in SAFE_METHODS:
                    self.gate.check_origin(request)
                response = await endpoint(request)
            except Refused as refused:
                response = refused.response
            response.headers.update(SECURITY_HEADERS)
            # Pages are a person's own (and the confirm page's URL holds a code): never stored.
            response.headers.setdefault("Cache-Control", "no-store")
            return response

        return run

    # ---- signing in -------------------------------------------------------------------------
    async def _sign_in_page(self, request: Request) -> Response:
        signed_out = "keluar" in request.query_params
        return self.pages.render(request, "sign_in.html", signed_out=signed_out)

    async def _confirm(self, request: Request) -> Response:
        """Opening the link only asks: preview robots open it too, and must not spend it."""
        code = request.path_params["code"]
        async with self.sessionmaker() as session:
            member = await Logins(session).peek_link(code, self.clock())
        if member is None:
            return self.pages.render(request, "link_gone.html", status=404)
        wanted = local_path(request.query_params.get("next")) or ""
        return self.pages.render(
            request, "confirm.html", member=member, code=code, wanted=wanted, viewer=None
        )

    async def _sign_in(self, request: Request) -> Response:
        """The button: spends the code (once, whoever is first), opens a session, lands."""
        code = request.path_params["code"]
        form = await form_of(request)
        now = self.clock()
        async with self.sessionmaker() as session, session.begin():
            logins = Logins(session)
            spent = await logins.spend_link(code, now)
            if spent is None:
                return self.pages.render(request, "link_gone.html", status=404)
            old = request.cookies.get(SESSION_COOKIE)
            if old:  # this browser's earlier session ends: one session per sign-in
                await logins.end_session(old, now)
            token = await logins.open_session(spent.member_id, now)
        target = landing(form.get("next"), request.cookies.get(WANTED_COOKIE), spent.next_path)
        response = RedirectResponse(target, status_code=303)
        self.gate.sign_in(response, token)
        return response

    async def _sign_out(self, request: Request) -> Response:
        signed = await self.gate.signed_in(request)
        if signed is not None:  # signed out by its own page only (the CSRF token)
            self.gate.check_token(request, signed, await form_of(request))
            async with self.sessionmaker() as session, session.begin():
                await Logins(session).end_session(request.cookies[SESSION_COOKIE], self.clock())
        response = RedirectResponse("/masuk?keluar=1", status_code=303)
        self.gate.sign_out(response)
        return response


class _Static:
    """StaticFiles with long caching (versioned names) and the desk's security headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.update(SECURITY_HEADERS)
                if message["status"] in (200, 304):
                    headers["Cache-Control"] = STATIC_CACHE
            await send(message)

        await self.app(scope, receive, send_with_headers)

"""Who is signed in, what they may see, and refusing forged requests.

Every desk route runs through Desk's wrapper, which puts the Gate on request.state, refuses
cross-origin non-GET requests before the route runs, and turns a Refused into its page.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlsplit

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.desk.pages import Pages
from bot.web import read_capped
from storage.desk import HOME, RECENT, SESSION_LIFETIME, Logins, SignedIn
from storage.models import Member, Role

SESSION_COOKIE = "warta_sesi"
# Where someone wanted to go before they had signed in; the next login lands there.
WANTED_COOKIE = "warta_tujuan"
WANTED_SECONDS = 3600
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
EVERYONE: frozenset[Role] = frozenset(Role)
MAX_FORM = 64 * 1024  # the desk's forms are a few fields


class Refused(Exception):
    """Raised by require() and the checks: the route stops and this response goes out."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


@dataclass
class Gate:
    sessionmaker: async_sessionmaker[AsyncSession]
    pages: Pages
    public_url: str
    clock: Callable[[], datetime]

    @property
    def secure(self) -> bool:
        return self.public_url.startswith("https://")

    # ---- forged requests --------------------------------------------------------------------
    def check_origin(self, request: Request) -> None:
        """A state-changing request must come from our own pages (golang/go#73626's rule):
        Sec-Fetch-Site same-origin (or none: typed by the person), and an Origin, when sent,
        that is ours."""
        site = request.headers.get("sec-fetch-site")
        origin = request.headers.get("origin")
        if site not in (None, "same-origin", "none") or (
            origin is not None and _origin(origin) != _origin(self.public_url)
        ):
            raise Refused(self.pages.refused(request, "forged", status=403))

    def check_token(self, request: Request, signed: SignedIn, form: dict[str, str]) -> None:
        given = request.headers.get("x-csrf-token") or form.get("csrf") or ""
        if not hmac.compare_digest(given.encode(), signed.csrf_token.encode()):
            raise Refused(self.pages.refused(request, "forged", status=403))

    # ---- who is signed in -------------------------------------------------------------------
    async def signed_in(self, request: Request) -> SignedIn | None:
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            return None
        now = self.clock()
        viewing = request.method in SAFE_METHODS
        if viewing and (recent := RECENT.get(token, now)):
            return recent
        async with self.sessionmaker() as session:
            signed = await Logins(session).signed_in(token, now)
        if signed is not None:
            RECENT.put(token, signed)
        return signed

    async def require(self, request: Request, roles: Collection[Role]) -> Member:
        signed = await self.signed_in(request)
        if signed is None:
            raise Refused(self._sign_in_first(request))
        request.state.viewer = signed
        if signed.member.role not in roles:
            raise Refused(self.pages.refused(request, "role", status=403))
        if request.method not in SAFE_METHODS:
            self.check_token(request, signed, await form_of(request))
        return signed.member

    def _sign_in_first(self, request: Request) -> Response:
        """A page asked for: to the sign-in page, remembering it. Anything else: 401."""
        if request.method != "GET" or request.headers.get("hx-request"):
            return self.pages.render(request, "sign_in.html", status=401)
        response = RedirectResponse("/masuk", status_code=303)
        query = request.url.query
        wanted = local_path(request.url.path + (f"?{query}" if query else ""))
        if wanted:
            self.set_cookie(response, WANTED_COOKIE, wanted, WANTED_SECONDS)
        return response

    # ---- cookies ----------------------------------------------------------------------------
    def set_cookie(self, response: Response, name: str, value: str, max_age: int) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path="/",
            secure=self.secure,
            httponly=True,
            samesite="lax",
        )

    def sign_in(self, response: Response, token: str) -> None:
        self.set_cookie(response, SESSION_COOKIE, token, int(SESSION_LIFETIME.total_seconds()))
        response.delete_cookie(WANTED_COOKIE, path="/")

    def sign_out(self, response: Response) -> None:
        response.delete_cookie(
            SESSION_COOKIE, path="/", secure=self.secure, httponly=True, samesite="lax"
        )


async def require(request: Request, roles: Collection[Role] = EVERYONE) -> Member:
    """The signed-in member if their role is among roles; otherwise the route stops with the
    sign-in redirect (401 for htmx and forms) or a 403 page. Non-GET: the CSRF token, too."""
    gate: Gate = request.state.gate
    return await gate.require(request, roles)


async def form_of(request: Request) -> dict[str, str]:
    """The request's url-encoded form, read once (the body can be read only once): routes use
    this rather than request.form()."""
    cached: dict[str, str] | None = getattr(request.state, "form", None)
    if cached is not None:
        return cached
    fields: dict[str, str] = {}
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        body = await read_capped(request, MAX_FORM)
        if body is None:
            raise Refused(Response("Payload Too Large", status_code=413))
        pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        fields = dict(pairs[:100])
    request.state.form = fields
    return fields


def local_path(value: str | None) -> str | None:
    """value if it is a path on this site, else None: never a redirect to another site
    (//evil.example, /\\evil.example, https://..., control characters)."""
    if not value or len(value) > 300 or not value.startswith("/"):
        return None
    if value.startswith("//") or "\\" in value or any(ord(c) < 0x21 or c == "\x7f" for c in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    if parts.path.startswith(("/masuk", "/keluar", "/static")):
        return None  # nothing worth landing on after signing in
    return value


def landing(*candidates: str | None) -> str:
    """The first candidate that is a local path, else the desk's home."""
    return next((path for path in map(local_path, candidates) if path), HOME)


def _origin(url: str) -> str:
    parts = urlsplit(url.strip().lower())
    default = {"http": 80, "https": 443}.get(parts.scheme)
    try:
        port = parts.port
    except ValueError:
        return "invalid"
    host = parts.hostname or ""
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")

"""Server-rendered pages: Jinja2 templates, and single blocks of them for htmx swaps."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2_fragments import render_block
from starlette.requests import Request
from starlette.responses import HTMLResponse

from handlers.join import ROLE_NAMES
from storage.models import Role

HERE = Path(__file__).resolve().parent
TEMPLATES, STATIC = HERE / "templates", HERE / "static"
# From the npm package htmx.org 4.0.1 (dist/htmx.min.js, 0BSD: static/htmx.LICENSE).
HTMX = "htmx-4.0.1.min.js"
COORDINATORS = frozenset({Role.COORDINATOR})


@dataclass(frozen=True)
class NavItem:
    label: str
    path: str
    roles: frozenset[Role] = frozenset(Role)
    ready: bool = False  # a page still to come is shown, not linked


NAV = (
    NavItem("Ringkasan", "/dasbor", ready=True),
    NavItem("Laporan", "/laporan", ready=True),
    NavItem("Unit & anggota", "/unit", COORDINATORS, ready=True),
    NavItem("Jadwal", "/jadwal", COORDINATORS, ready=True),
    NavItem("Pengiriman", "/pengiriman", COORDINATORS, ready=True),
)

# Why a request was refused: (title, explanation) on the refusal page.
REFUSALS = {
    "forged": (
        "Permintaan ditolak",
        "Permintaan ini tidak datang dari halaman dasbor Warta, jadi tidak dijalankan. "
        "Muat ulang halaman dasbor, lalu coba lagi.",
    ),
    "role": (
        "Bukan untuk peranmu",
        "Halaman ini tidak tersedia untuk peranmu. Kembali ke Ringkasan.",
    ),
}


class Pages:
    def __init__(self, org_name: str) -> None:
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(
            org=org_name,
            role_names=ROLE_NAMES,
            css=f"/static/desk.css?v={_version(STATIC / 'desk.css')}",
            htmx=f"/static/{HTMX}",
        )

    def render(
        self,
        request: Request,
        name: str,
        *,
        status: int = 200,
        block: str | None = None,
        fragment: bool = False,
        **ctx: Any,
    ) -> HTMLResponse:
        """The whole page; only `block` when htmx swaps part of the page (jinja2-fragments),
        or always with fragment=True (a route that only ever answers htmx)."""
        ctx.setdefault("viewer", getattr(request.state, "viewer", None))
        ctx["nav"] = _nav(ctx["viewer"].member.role if ctx["viewer"] else None)
        ctx["here"] = request.url.path
        if block is not None and (fragment or _partial(request)):
            body = render_block(self.env, name, block, **ctx)
        else:
            body = self.env.get_template(name).render(**ctx)
        return HTMLResponse(body, status_code=status, headers={"Vary": "HX-Request"})

    def refused(self, request: Request, why: str, *, status: int) -> HTMLResponse:
        title, text = REFUSALS[why]
        return self.render(request, "refused.html", status=status, title=title, text=text)


def _nav(role: Role | None) -> list[NavItem]:
    return [item for item in NAV if role in item.roles] if role else []


def _partial(request: Request) -> bool:
    headers = request.headers
    return headers.get("hx-request") == "true" and headers.get("hx-request-type") == "partial"


def _version(path: Path) -> str:
    """Part of the stylesheet's URL: a new file is a new URL, so caching it long is safe."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]

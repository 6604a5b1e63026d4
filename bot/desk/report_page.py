"""Report detail (/laporan/<number>): photos, every version with its caption changes shown in
place, the audit trail, and the decisions (handlers/decisions, handlers/caption_fix).

Reads go straight to the repositories; every change goes through a use case run by desk.act,
the same functions a tap on the chat card runs. Operators see their own unit's reports,
read-only; another unit's is not found.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.desk.guard import form_of, require
from handlers import caption_fix, decisions
from handlers.cards import photo_changes
from handlers.context import DECIDERS
from handlers.messages import T, t
from handlers.schedule import Reason
from handlers.timefmt import when
from storage.models import CaptionFix, Member, Photo, Report, ReportEvent, ReportStatus, Role
from storage.people import People
from storage.reports import Reports

if TYPE_CHECKING:
    from bot.desk.site import Desk

Render = Callable[[T], str]
NUMBER = r"[0-9]{4}-[0-9]{4,6}"  # 2026-0001: storage.reports.next_number


class ReportNumber(Convertor[str]):
    regex = NUMBER

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("nomor", ReportNumber())

STATUS_LABELS = {
    ReportStatus.DRAFT: "Draf",
    ReportStatus.PENDING: "Menunggu keputusan",
    ReportStatus.APPROVED: "Disetujui",
    ReportStatus.REVISION: "Diminta revisi",
    ReportStatus.REJECTED: "Ditolak",
    ReportStatus.CANCELLED: "Dibatalkan",
    ReportStatus.WITHDRAWN: "Ditarik dari kanal",
}
VIA = {"telegram": "Telegram", "whatsapp": "WhatsApp", "web": "dasbor web"}
# The form's action: the decision, the reasons offered (cards.reason_buttons' rule).
ACTIONS = {
    "setujui": (ReportStatus.APPROVED, None),
    "revisi": (ReportStatus.REVISION, "revision"),
    "tolak": (ReportStatus.REJECTED, "rejection"),
    "tarik": (ReportStatus.WITHDRAWN, "any"),
}
DONE = {  # ?selesai= after a decision or a fix (the form posted without htmx)
    "setujui": "Laporan disetujui.",
    "revisi": "Revisi diminta.",
    "tolak": "Laporan ditolak.",
    "tarik": "Laporan ditarik dari kanal.",
    "keterangan": "Keterangan disimpan.",
}
TOLD = "Kartu di chat sudah diperbarui dan pengirim diberi tahu."


def routes(desk: Desk) -> list[BaseRoute]:
    page = ReportPage(desk)
    # {number:nomor} matches report numbers only (2026-0001), so the list's own paths
    # (/laporan/ekspor.csv, /laporan/jumlah, /laporan/foto.zip) never land here, whatever
    # the order of the routes.
    return [
        Route("/laporan/{number:nomor}", desk.page(page.show), methods=["GET"]),
        Route("/laporan/{number:nomor}/putusan", desk.page(page.decide), methods=["POST"]),
        Route("/laporan/{number:nomor}/keterangan", desk.page(page.fix), methods=["POST"]),
    ]


# ---- what the page shows --------------------------------------------------------------------
@dataclass
class CaptionStep:
    """One state of the caption: as a version was sent, or as an editor fixed it."""

    anchor: str
    title: str
    at: datetime
    caption: str
    diff: Markup | None  # against the step before; None for the first
    photos: str | None = None  # a version: what changed in its photos
    photo_ids: list[int] = field(default_factory=list)


@dataclass
class Step:
    """A line of the audit trail."""

    at: datetime
    who: str
    what: str
    reason: str | None
    via: str | None
    anchor: str | None = None  # the caption step it made


@dataclass
class Detail:
    number: str
    current: Report
    versions: list[Report]
    photos: list[Photo]
    names: dict[int, str]
    unit: str
    steps: list[CaptionStep]
    trail: list[Step]

    def name(self, member_id: int | None) -> str:
        return self.names.get(member_id or 0, "-")


async def load(session: AsyncSession, member: Member, number: str, render: Render) -> Detail | None:
    """The report as this member may see it; None when there is none for them."""
    reports, people = Reports(session), People(session)
    versions = await reports.versions(member.org_id, number)
    if not versions:
        return None
    current = versions[-1]
    if member.role == Role.OPERATOR and not _own(member, current):
        return None
    ids = [v.id for v in versions]
    photos = {v.id: await reports.photos(v.id) for v in versions}
    fixes = await reports.caption_fixes(ids)
    events = await reports.events_of(ids)
    names = {m.id: m.name for m in (await people.members_by_id(member.org_id)).values()}
    unit = await people.unit(current.unit_id)
    detail = Detail(
        number=number,
        current=current,
        versions=versions,
        photos=photos[current.id],
        names=names,
        unit=unit.name if unit else "-",
        steps=[],
        trail=[],
    )
    detail.steps = _caption_steps(detail, photos, fixes, render)
    detail.trail = _trail(detail, events, fixes)
    return detail


def _own(member: Member, report: Report) -> bool:
    """The list's rule for operators: their unit's reports; without a unit, their own."""
    if member.unit_id is not None:
        return report.unit_id == member.unit_id
    return report.member_id == member.id


def _caption_steps(
    detail: Detail, photos: dict[int, list[Photo]], fixes: list[CaptionFix], render: Render
) -> list[CaptionStep]:
    """Each version as sent, then each editor's fix of it, oldest first; each step's caption
    diffed against the step before (a revision starts from the caption the operator got)."""
    steps: list[CaptionStep] = []
    previous: list[Photo] | None = None
    for version in detail.versions:
        own = [f for f in fixes if f.report_id == version.id]
        sent_caption = own[0].before if own else version.caption
        sent = detail.name(version.member_id)
        shown = photos[version.id]
        steps.append(
            CaptionStep(
                anchor=f"versi-{version.version}",
                title=f"Versi {version.version}, dikirim {sent}",
                at=version.submitted_at or version.created_at,
                caption=sent_caption,
                diff=_diff_against(steps, sent_caption),
                photos=_photo_line(previous, shown, render),
                photo_ids=[p.id for p in shown],
            )
        )
        previous = shown
        for n, fix in enumerate(own, 1):
            steps.append(
                CaptionStep(
                    anchor=f"versi-{version.version}-perbaikan-{n}",
                    title=f"Versi {version.version}, keterangan diperbaiki "
                    f"{detail.name(fix.editor_id)}",
                    at=fix.at,
                    caption=fix.after,
                    diff=diff_html(fix.before, fix.after),
                )
            )
    return steps


def _diff_against(steps: list[CaptionStep], caption: str) -> Markup | None:
    return diff_html(steps[-1].caption, caption) if steps else None


def _photo_line(before: list[Photo] | None, after: list[Photo], render: Render) -> str:
    if before is None:
        return f"Foto: {len(after)}"
    return render(photo_changes([p.sha256 for p in before], [p.sha256 for p in after]))


def _trail(detail: Detail, events: list[ReportEvent], fixes: list[CaptionFix]) -> list[Step]:
    version_of = {v.id: v.version for v in detail.versions}
    trail = [
        Step(
            at=e.at,
            who=detail.name(e.actor_id),
            what=_event_text(e, version_of.get(e.report_id, 0)),
            reason=e.reason,
            via=VIA.get(e.via or ""),
        )
        for e in events
    ]
    counts: dict[int, int] = {}
    for fix in fixes:
        counts[fix.report_id] = n = counts.get(fix.report_id, 0) + 1
        version = version_of.get(fix.report_id, 0)
        trail.append(
            Step(
                at=fix.at,
                who=detail.name(fix.editor_id),
                what=f"Keterangan versi {version} diperbaiki",
                reason=None,
                via=VIA.get(fix.via or ""),
                anchor=f"versi-{version}-perbaikan-{n}",
            )
        )
    return sorted(trail, key=lambda s: s.at)


def _event_text(event: ReportEvent, version: int) -> str:
    was, to = ReportStatus(event.from_status), ReportStatus(event.to_status)
    if was == ReportStatus.DRAFT and to == ReportStatus.PENDING:
        return f"Versi {version} dikirim ke redaksi"
    if was == to:  # a note on the record (units merged), not a change of state
        return f"Catatan pada versi {version}"
    return f"Versi {version}: {STATUS_LABELS[was]} → {STATUS_LABELS[to]}"


# ---- the caption diff, in place --------------------------------------------------------------
# A word or a run of punctuation, with the space around it: "pagi," is "pagi" and ",".
_WORD = re.compile(r"\s*(?:\w+|[^\w\s]+)\s*")


def diff_segments(old: str, new: str) -> list[tuple[str, str]]:
    """(kind, text) pieces reading as the new caption with what was taken out in between:
    kind is "same", "del" or "ins". Compared word by word (difflib), whitespace ignored."""
    a, b = _WORD.findall(old), _WORD.findall(new)
    matcher = difflib.SequenceMatcher(
        a=[w.strip() for w in a], b=[w.strip() for w in b], autojunk=False
    )
    pieces: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(("same", "".join(b[j1:j2])))
            continue
        if op in ("replace", "delete"):
            pieces += _marked("del", "".join(a[i1:i2]))
        if op in ("replace", "insert"):
            pieces += _marked("ins", "".join(b[j1:j2]))
    return pieces


def _marked(kind: str, text: str) -> list[tuple[str, str]]:
    """The words marked, the space after them not (a struck-through space reads as noise)."""
    words = text.rstrip()
    rest = text[len(words) :]
    return [(kind, words), *([("same", rest)] if rest else [])]


LABELS = {"del": "dihapus", "ins": "ditambah"}


def diff_html(old: str, new: str) -> Markup:
    """<del>/<ins> over the caption, each with a label screen readers say (most do not
    announce del and ins by themselves) and sighted readers do not see."""
    html = Markup()
    for kind, text in diff_segments(old, new):
        if kind == "same":
            html += escape(text)
        else:
            html += Markup(
                '<{0}><span class="vh">[{1}: </span>{2}<span class="vh">]</span></{0}>'
            ).format(Markup(kind), LABELS[kind], text)
    return html


# ---- the routes -----------------------------------------------------------------------------
class ReportPage:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    async def show(self, request: Request) -> Response:
        member = await require(request)
        done = DONE.get(request.query_params.get("selesai", ""))
        message = f"{done} {TOLD}" if done else None
        return await self._render(request, member, message=message)

    async def decide(self, request: Request) -> Response:
        member = await require(request, DECIDERS)
        form = await form_of(request)
        detail = await self._detail(member, request.path_params["number"])
        action = ACTIONS.get(form.get("aksi", ""))
        report_id = _version_id(detail, form)
        if detail is None or action is None or report_id is None:
            return await self._render(request, member, status=404)
        to, _ = action
        reason = _reason(self.desk.core.reasons, form, action)
        refusal = await self.desk.act(
            member, lambda ctx: decisions.decide(ctx, report_id, to, reason)
        )
        return await self._after(request, member, form["aksi"], refusal)

    async def fix(self, request: Request) -> Response:
        member = await require(request, DECIDERS)
        form = await form_of(request)
        detail = await self._detail(member, request.path_params["number"])
        report_id = _version_id(detail, form)
        if detail is None or report_id is None:
            return await self._render(request, member, status=404)
        caption, shown = form.get("keterangan", ""), form.get("tampil") or ""
        refusal = await self.desk.act(
            member,
            lambda ctx: caption_fix.fix_caption(ctx, report_id, caption, shown=shown),
        )
        return await self._after(request, member, "keterangan", refusal, typed=caption)

    async def _after(
        self,
        request: Request,
        member: Member,
        done: str,
        refusal: T | None,
        typed: str | None = None,
    ) -> Response:
        """Refused: the page again, saying why (the typed caption kept). Done: the fresh
        page for htmx, else a redirect to it (reloading it posts nothing again)."""
        if refusal is not None:
            text = self.desk.core.texts.render(refusal)
            return await self._render(request, member, status=409, refusal=text, typed=typed)
        if request.headers.get("hx-request") == "true":
            return await self._render(request, member, message=f"{DONE[done]} {TOLD}")
        number = request.path_params["number"]
        return RedirectResponse(f"/laporan/{number}?selesai={done}", status_code=303)

    async def _detail(self, member: Member, number: str) -> Detail | None:
        async with self.desk.sessionmaker() as session:
            return await load(session, member, number, self.desk.core.texts.render)

    async def _render(
        self,
        request: Request,
        member: Member,
        *,
        status: int = 200,
        message: str | None = None,
        refusal: str | None = None,
        typed: str | None = None,
    ) -> Response:
        detail = await self._detail(member, request.path_params["number"])
        if detail is None:
            return self.desk.pages.render(request, "report_missing.html", status=404)
        return self.desk.pages.render(
            request,
            "report.html",
            status=status,
            block="report",
            d=detail,
            **self._context(member, detail),
            message=message,
            refusal=refusal,
            typed=typed,
        )

    def _context(self, member: Member, detail: Detail) -> dict[str, Any]:
        core, report = self.desk.core, detail.current
        decider = member.role in DECIDERS
        pending = report.status == ReportStatus.PENDING
        return {
            "labels": STATUS_LABELS,
            "when": lambda at: when(at, core.tz) if at else "-",
            "can_decide": decider and pending,
            "can_withdraw": decider
            and report.status == ReportStatus.APPROVED
            and report.published_at is not None,
            "reasons": {
                key: _offered(core.reasons, wanted) for key, (_, wanted) in ACTIONS.items()
            },
            "shown": caption_fix.caption_hash(report.caption),
            "warnings": lambda n, photo: _warnings(core.texts.render, n, photo),
            "osm": _osm,
            "max_caption": caption_fix.MAX_CAPTION_CHARS,
            "min_caption": core.limits.min_caption_chars,
        }


def _version_id(detail: Detail | None, form: dict[str, str]) -> int | None:
    """The version the form was about, if it is one of this report's."""
    given = form.get("versi", "")
    if detail is None or not given.isdigit():
        return None
    return next((v.id for v in detail.versions if v.id == int(given)), None)


def _offered(reasons: tuple[Reason, ...], wanted: str | None) -> list[Reason]:
    if wanted is None:
        return []
    return [r for r in reasons if wanted == "any" or wanted in r.actions]


def _reason(
    reasons: tuple[Reason, ...], form: dict[str, str], action: tuple[ReportStatus, str | None]
) -> str | None:
    """The typed reason, else the preset one chosen; None (asked again) when neither."""
    typed = form.get("alasan_lain", "").strip()
    if typed:
        return typed
    key = form.get("alasan", "")
    preset = next((r for r in _offered(reasons, action[1]) if r.key == key), None)
    return preset.text if preset else None


def _warnings(render: Render, n: int, photo: Photo) -> list[str]:
    """handlers/photo_warnings' lines for one photo, numbered as on the card."""
    found = []
    for warning in photo.warnings or []:
        params = {k: v for k, v in warning.items() if k != "code"}
        found.append(render(t(f"warn.{warning['code']}", n=n, **params)).removeprefix("⚠️ "))
    return found


def _osm(photo: Photo) -> str:
    lat, lon = f"{photo.latitude:.5f}", f"{photo.longitude:.5f}"
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"

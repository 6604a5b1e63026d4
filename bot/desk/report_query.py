"""The report list's filters as they sit in the URL, so a view can be shared as a link.

Parsing never fails: a value that is not ours (a hand-edited or outdated link) is dropped and
the rest still applies. Dates are the organization's local days; the database filters on UTC
bounds. Who looks decides what they may see: an operator only their own unit's reports.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement
from starlette.datastructures import QueryParams

from storage.models import Member, Report, ReportStatus, Role
from storage.report_list import ReportFilter

# Status words in the URL (Indonesian, like the rest of a shared link) and on the page.
STATUSES: dict[str, tuple[ReportStatus, str]] = {
    "menunggu": (ReportStatus.PENDING, "Menunggu"),
    "disetujui": (ReportStatus.APPROVED, "Disetujui"),
    "revisi": (ReportStatus.REVISION, "Diminta revisi"),
    "ditolak": (ReportStatus.REJECTED, "Ditolak"),
    "ditarik": (ReportStatus.WITHDRAWN, "Ditarik"),
}
STATUS_LABELS = {status: label for status, label in STATUSES.values()}
# Links written with the stored value (?status=pending) work too, and become the word.
STATUS_WORDS = {**{s.value: key for key, (s, _) in STATUSES.items()}, **{k: k for k in STATUSES}}
KINDS = {"kecamatan": "Kecamatan", "opd": "OPD"}
MAX_TEXT = 200
DECIDERS = frozenset({Role.EDITOR, Role.COORDINATOR})


@dataclass(frozen=True)
class ListQuery:
    """What the list's URL asks for, already checked."""

    statuses: tuple[str, ...] = ()  # keys of STATUSES
    unit_id: int | None = None
    kind: str | None = None
    pillar: str | None = None
    since: date | None = None  # local days, both included
    until: date | None = None
    text: str = ""
    warned: bool = False
    gallery: bool = False
    cursor: str | None = None

    @classmethod
    def parse(cls, params: QueryParams, pillars: frozenset[str]) -> ListQuery:
        unit = params.get("unit", "")
        kind = params.get("jenis")
        pillar = params.get("pilar")
        return cls(
            statuses=tuple(
                dict.fromkeys(
                    STATUS_WORDS[s] for s in params.getlist("status") if s in STATUS_WORDS
                )
            ),
            unit_id=int(unit) if unit.isdigit() and len(unit) < 10 else None,
            kind=kind if kind in KINDS else None,
            pillar=pillar if pillar in pillars else None,
            since=_day(params.get("dari")),
            until=_day(params.get("sampai")),
            text=" ".join(params.get("q", "").split())[:MAX_TEXT],
            warned=params.get("peringatan") == "1",
            gallery=params.get("tampilan") == "galeri",
            cursor=params.get("setelah") or None,
        )

    def filter(self, tz: ZoneInfo, viewer: Member) -> ReportFilter:
        """The storage filter for this viewer: an operator's is narrowed to their unit."""
        wanted = ReportFilter(
            statuses=tuple(STATUSES[s][0] for s in self.statuses),
            unit_id=self.unit_id,
            unit_kind=self.kind,
            pillar_key=self.pillar,
            since=_utc_start(self.since, tz),
            until=_utc_start(self.until + timedelta(days=1), tz) if self.until else None,
            text=self.text,
            with_warnings=self.warned,
        )
        return narrowed(wanted, viewer)

    def pairs(self) -> list[tuple[str, str]]:
        """The query string's fields in a fixed order (the same view, the same link)."""
        out = [("status", s) for s in self.statuses]
        optional = {
            "unit": str(self.unit_id) if self.unit_id is not None else "",
            "jenis": self.kind or "",
            "pilar": self.pillar or "",
            "dari": self.since.isoformat() if self.since else "",
            "sampai": self.until.isoformat() if self.until else "",
            "q": self.text,
            "peringatan": "1" if self.warned else "",
            "tampilan": "galeri" if self.gallery else "",
            "setelah": self.cursor or "",
        }
        return out + [(key, value) for key, value in optional.items() if value]

    def url(self, path: str = "/laporan", **changes: object) -> str:
        """This view's link at path, with some fields changed (a page, the gallery, a count)."""
        query = urlencode(replace(self, **changes).pairs())  # type: ignore[arg-type]
        return f"{path}?{query}" if query else path

    @property
    def filtered(self) -> bool:
        return self != ListQuery(gallery=self.gallery, cursor=self.cursor)


def narrowed(wanted: ReportFilter, viewer: Member) -> ReportFilter:
    """An operator sees their own unit's reports; one without a unit, their own."""
    if viewer.role in DECIDERS:
        return wanted
    if viewer.unit_id is not None:
        return replace(wanted, unit_id=viewer.unit_id)
    return replace(wanted, member_id=viewer.id)


def visible_to(viewer: Member) -> ColumnElement[bool]:
    """The same rule as narrowed(), as a condition on Report (a photo, a detail page)."""
    mine = Report.org_id == viewer.org_id
    if viewer.role in DECIDERS:
        return mine
    if viewer.unit_id is not None:
        return mine & (Report.unit_id == viewer.unit_id)
    return mine & (Report.member_id == viewer.id)


def _day(value: str | None) -> date | None:
    try:
        day = date.fromisoformat(value) if value and len(value) == 10 else None
    except ValueError:
        return None
    return day if day is not None and 2000 <= day.year < 2200 else None  # no overflow at ends


def _utc_start(day: date | None, tz: ZoneInfo) -> datetime | None:
    """Midnight of a local day, in UTC (the org's day, not the server's)."""
    return None if day is None else datetime.combine(day, time(), tz).astimezone(UTC)

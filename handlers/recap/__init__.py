"""The recap for the leaders: the figures of a period, computed once, rendered three ways."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from handlers.timefmt import MONTHS
from storage.models import Member, Report, ReportStatus, Unit

if TYPE_CHECKING:
    from handlers.config import Core
    from storage.people import People
    from storage.reports import Reports

STATUS_NAMES = {
    ReportStatus.PENDING: "Menunggu",
    ReportStatus.APPROVED: "Disetujui",
    ReportStatus.REVISION: "Perlu revisi",
    ReportStatus.REJECTED: "Ditolak",
    ReportStatus.CANCELLED: "Dibatalkan",
    ReportStatus.DRAFT: "Draf",
}
MONTH_NAMES = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


@dataclass(frozen=True)
class Period:
    """Local days [first, last], e.g. a Monday-to-Sunday week or a calendar month."""

    first: date
    last: date
    kind: str = "week"  # week | month

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        start = datetime.combine(self.first, time(0), tz)
        return start, datetime.combine(self.last + timedelta(days=1), time(0), tz)

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{MONTH_NAMES[self.first.month - 1]} {self.first.year}"
        a, b = self.first, self.last
        if a.month == b.month:
            return f"{a.day}–{b.day} {MONTHS[b.month - 1]} {b.year}"
        if a.year == b.year:
            return f"{a.day} {MONTHS[a.month - 1]} – {b.day} {MONTHS[b.month - 1]} {b.year}"
        return f"{a.day} {MONTHS[a.month - 1]} {a.year} – {b.day} {MONTHS[b.month - 1]} {b.year}"

    @property
    def key(self) -> str:
        return f"{self.first.isoformat()}/{self.last.isoformat()}"


def week_of(day: date, weeks_back: int = 0) -> Period:
    monday = day - timedelta(days=day.weekday() + 7 * weeks_back)
    return Period(monday, monday + timedelta(days=6))


def month_of(year: int, month: int) -> Period:
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return Period(first, following - timedelta(days=1), "month")


@dataclass(frozen=True)
class Row:
    """One version of a report, as the spreadsheet lists it."""

    number: str
    version: int
    unit: str
    operator: str
    pillar: str
    caption: str
    status: str
    decided_by: str
    submitted_at: datetime | None
    decided_at: datetime | None
    reason: str


@dataclass(frozen=True)
class UnitLine:
    name: str
    sent: int
    approved: int


@dataclass
class Recap:
    org: str
    period: Period
    tz: ZoneInfo
    rows: list[Row] = field(default_factory=list)
    units: list[UnitLine] = field(default_factory=list)  # sorted: most reports first
    pillars: list[tuple[str, int]] = field(default_factory=list)  # every pillar, busiest first
    silent_units: list[str] = field(default_factory=list)
    reports: int = 0
    approved: int = 0
    median_decision: timedelta | None = None

    @property
    def approval_rate(self) -> float | None:
        return self.approved / self.reports if self.reports else None

    @property
    def busiest_pillar(self) -> tuple[str, int] | None:
        return self.pillars[0] if self.pillars and self.pillars[0][1] else None


async def collect_recap(
    reports: Reports,
    people: People,
    core: Core,
    org_id: int,
    org_name: str,
    period: Period,
    *,
    unit_id: int | None = None,
    units: list[Unit] | None = None,
) -> Recap:
    """The recap of a period read from the database: the organization's, or one unit's.
    units: every unit, archived ones too (names of past reports), when the caller has them."""
    start, end = period.bounds(core.tz)
    versions = await reports.submitted_between(org_id, start, end)
    if units is None:
        units = await people.units(org_id, with_archived=True)
    if unit_id is not None:
        versions = [r for r in versions if r.unit_id == unit_id]
        units = [u for u in units if u.id == unit_id]
    members = await people.members_by_id(org_id)
    pillars = [p.name for p in core.schedule.pillars]
    return build_recap(org_name, period, core.tz, versions, units, members, pillars)


def build_recap(
    org: str,
    period: Period,
    tz: ZoneInfo,
    versions: list[Report],
    units: list[Unit],
    members: dict[int, Member],
    pillar_names: list[str],
) -> Recap:
    """Figures from every version submitted in the period; a report counts once by its number."""
    unit_names = {u.id: u.name for u in units}
    recap = Recap(org, period, tz)
    latest: dict[str, Report] = {}
    first: dict[str, Report] = {}
    for r in versions:
        key = r.number or f"id{r.id}"
        first.setdefault(key, r)
        if key not in latest or r.version >= latest[key].version:
            latest[key] = r
        recap.rows.append(_row(r, unit_names, members))
    recap.reports = len(first)
    recap.approved = sum(1 for r in latest.values() if r.status == ReportStatus.APPROVED)
    waits = [
        (r.decided_at - r.submitted_at).total_seconds()
        for r in versions
        if r.decided_at and r.submitted_at
    ]
    if waits:
        recap.median_decision = timedelta(seconds=statistics.median(waits))
    sent = Counter(first[k].unit_id for k in first)
    approved = Counter(
        first[k].unit_id for k, r in latest.items() if r.status == ReportStatus.APPROVED
    )
    recap.units = sorted(
        (UnitLine(_unit_name(unit_names, uid), n, approved[uid]) for uid, n in sent.items()),
        key=lambda u: (-u.sent, -u.approved, u.name),
    )
    # An archived unit no longer reports: it is never "belum melapor".
    recap.silent_units = sorted(u.name for u in units if u.id not in sent and u.archived_at is None)
    coverage = Counter(first[k].pillar_name or "Tanpa pilar" for k in first)
    names = list(dict.fromkeys([*pillar_names, *coverage]))
    recap.pillars = sorted(((n, coverage[n]) for n in names), key=lambda p: -p[1])
    return recap


def _unit_name(names: dict[int, str], unit_id: int | None) -> str:
    return names.get(unit_id, "Tanpa unit") if unit_id is not None else "Tanpa unit"


def _row(r: Report, unit_names: dict[int, str], members: dict[int, Member]) -> Row:
    operator = members.get(r.member_id)
    decider = members.get(r.decided_by) if r.decided_by else None
    return Row(
        number=r.number or "",
        version=r.version,
        unit=unit_names.get(r.unit_id or 0, ""),
        operator=operator.name if operator else "",
        pillar=r.pillar_name or "",
        caption=r.caption,
        status=STATUS_NAMES.get(r.status, str(r.status)),
        decided_by=decider.name if decider else "",
        submitted_at=r.submitted_at,
        decided_at=r.decided_at,
        reason=r.decision_reason or "",
    )


def duration_text(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} hari"] if days else []
    if hours:
        parts.append(f"{hours} jam")
    if minutes and not days:
        parts.append(f"{minutes} menit")
    return " ".join(parts) or "kurang dari 1 menit"

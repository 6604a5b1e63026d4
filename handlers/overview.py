"""The newsroom at a glance: this week's figures, which units report and which are silent,
and the queue waiting for a decision. Read-only; the desk's Ringkasan shows it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from handlers.config import Core
from handlers.recap import Recap, collect_recap, week_of
from storage.models import Report, Unit
from storage.people import People
from storage.reports import Reports

NEVER = datetime.min.replace(tzinfo=UTC)
ACTIVE_DAYS = 7  # a unit that sent nothing for a week is silent
QUEUE_SHOWN = 10


@dataclass(frozen=True)
class UnitActivity:
    unit: Unit
    last_report_at: datetime | None
    active: bool


@dataclass
class Overview:
    week: Recap
    units: list[UnitActivity] = field(default_factory=list)  # silent ones first
    pending: int = 0
    oldest_wait: timedelta | None = None
    queue: list[Report] = field(default_factory=list)  # oldest first
    unit_names: dict[int, str] = field(default_factory=dict)  # archived ones too (the queue)

    @property
    def silent(self) -> int:
        return sum(1 for u in self.units if not u.active)


async def overview(
    reports: Reports,
    people: People,
    core: Core,
    org_id: int,
    now: datetime,
    *,
    unit_id: int | None = None,
    unit_kind: str | None = None,
) -> Overview:
    """For the whole organization, or one unit (an operator sees their own)."""
    units = await people.units(org_id, with_archived=True)  # read once for all three parts
    week = week_of(now.astimezone(core.tz).date())
    found = Overview(
        await collect_recap(
            reports, people, core, org_id, core.org_name, week, unit_id=unit_id, units=units
        )
    )
    current = [u for u in units if u.archived_at is None]
    found.units = await _activity(reports, current, org_id, now, unit_id, unit_kind)
    found.unit_names = {u.id: u.name for u in units}
    waiting = [r for r in await reports.pending(org_id) if unit_id in (None, r.unit_id)]
    waiting.sort(key=lambda r: r.submitted_at or r.created_at)
    found.pending, found.queue = len(waiting), waiting[:QUEUE_SHOWN]
    if waiting:
        found.oldest_wait = now - (waiting[0].submitted_at or waiting[0].created_at)
    return found


async def _activity(
    reports: Reports,
    units: list[Unit],
    org_id: int,
    now: datetime,
    unit_id: int | None,
    unit_kind: str | None,
) -> list[UnitActivity]:
    last = await reports.last_submitted_by_unit(org_id)
    since = now - timedelta(days=ACTIVE_DAYS)
    lines = [
        UnitActivity(u, last.get(u.id), last.get(u.id, NEVER) >= since)
        for u in units
        if unit_id in (None, u.id) and unit_kind in (None, u.kind)
    ]
    return sorted(lines, key=_call_first)


def _call_first(line: UnitActivity) -> tuple[bool, datetime, str]:
    """The silent first, longest silent (or never reported) first: whom to call. Then the
    active ones by name."""
    if line.active:
        return True, NEVER, line.unit.name
    return False, line.last_report_at or NEVER, line.unit.name

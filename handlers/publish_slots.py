"""When each publishing target may post: local time slots from the schedule file.

    [publishing]
    instagram = ["11:00", "19:00"]
    facebook = ["10:00", "16:00"]

A target without slots posts as soon as a report is approved. A slot holds one report; an
approved report takes the next free one. Times are the organization's local times.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

TARGETS = ("website", "facebook", "instagram")
SLOT = re.compile(r"([01]?[0-9]|2[0-3])[:.]([0-5][0-9])")
LOOK_AHEAD_DAYS = 366  # a full queue further than this is a mistake, not a plan


class SlotError(ValueError):
    """A [publishing] section that cannot be used; the message says what to write."""


def parse_slots(raw: Any) -> dict[str, tuple[time, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise SlotError("bagian [publishing] tidak dikenali")
    slots: dict[str, tuple[time, ...]] = {}
    for target, value in raw.items():
        if target not in TARGETS:
            raise SlotError(
                f"publishing.{target}: tujuan tidak dikenal; pakai {', '.join(TARGETS)}"
            )
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise SlotError(f'publishing.{target} harus daftar jam, misalnya ["11:00", "19:00"]')
        slots[target] = tuple(sorted({_time(target, v) for v in value}))
    return slots


def _time(target: str, value: str) -> time:
    match = SLOT.fullmatch(value.strip())
    if match is None:
        raise SlotError(f"publishing.{target}: jam {value!r} tidak dikenali; tulis misalnya 11:00")
    return time(int(match[1]), int(match[2]))


def slot_times(day: date, slots: tuple[time, ...], tz: ZoneInfo) -> list[datetime]:
    return [datetime.combine(day, at, tz) for at in slots]


def next_free_slot(
    slots: tuple[time, ...], tz: ZoneInfo, after: datetime, taken: set[datetime]
) -> datetime:
    """The first slot at or after `after` that no other report holds; `after` itself when
    the target has no slots (it posts at once)."""
    if not slots:
        return after
    free = upcoming_slots(slots, tz, after, taken, 1)
    if not free:
        raise SlotError("antrean penuh setahun ke depan")
    return free[0]


def upcoming_slots(
    slots: tuple[time, ...], tz: ZoneInfo, after: datetime, taken: set[datetime], count: int
) -> list[datetime]:
    """The next `count` free slots at or after `after` (in UTC, as stored)."""
    held = {t.timestamp() for t in taken}
    found: list[datetime] = []
    day = after.astimezone(tz).date()
    for offset in range(LOOK_AHEAD_DAYS):
        for at in slot_times(day + timedelta(days=offset), slots, tz):
            if at >= after and at.timestamp() not in held:
                found.append(at.astimezone(after.tzinfo))
                if len(found) == count:
                    return found
    return found

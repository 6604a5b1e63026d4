"""Working days and hours: Indonesian national holidays, cuti bersama and the schedule's own."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from handlers.schedule import Schedule

OFFICE_START, OFFICE_END = time(8, 0), time(16, 0)


@lru_cache(maxsize=1)
def _national() -> holidays.HolidayBase:
    # Cuti bersama ("government") are days off for civil servants too, so count them.
    return holidays.country_holidays("ID", language="id", categories=("public", "government"))


def national_holiday(day: date) -> str | None:
    names = _national().get_list(day)
    return " / ".join(dict.fromkeys(names)) if names else None


class Workdays:
    def __init__(self, schedule: Schedule, tz: ZoneInfo) -> None:
        self.schedule, self.tz = schedule, tz

    def holiday(self, day: date) -> str | None:
        return self.schedule.days_off.get(day) or national_holiday(day)

    def is_working_day(self, day: date) -> bool:
        """Weekdays, and weekend days the schedule gives a pillar (Bogor's Saturday)."""
        if self.holiday(day):
            return False
        return day.weekday() < 5 or self.schedule.for_day(day) is not None

    def working_days_before(self, day: date, n: int) -> list[date]:
        """The n working days before `day`, newest first (a year back at most)."""
        found: list[date] = []
        cursor = day
        for _ in range(366):
            if len(found) == n:
                break
            cursor -= timedelta(days=1)
            if self.is_working_day(cursor):
                found.append(cursor)
        return found

    def working_seconds(self, start: datetime, end: datetime) -> float:
        """Office time (08.00–16.00 local on working days) between two instants."""
        total = 0.0
        day = start.astimezone(self.tz).date()
        last = end.astimezone(self.tz).date()
        while day <= last:
            if self.is_working_day(day):
                opens = datetime.combine(day, OFFICE_START, self.tz)
                closes = datetime.combine(day, OFFICE_END, self.tz)
                lo, hi = max(opens, start), min(closes, end)
                total += max(0.0, (hi - lo).total_seconds())
            day += timedelta(days=1)
        return total

"""Local times of day stored as minutes after 00:00 UTC (Indonesia has no daylight saving)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_TIME = re.compile(r"^(\d{1,2})(?:[.:](\d{2}))?$")


def parse_local_time(text: str) -> time | None:
    """'7', '07.00', '6:30' -> a time; None when it is not a time of day."""
    found = _TIME.match(text.strip())
    if not found:
        return None
    hour, minute = int(found[1]), int(found[2] or 0)
    return time(hour, minute) if hour < 24 and minute < 60 else None


def utc_minute(local: time, tz: ZoneInfo) -> int:
    moment = datetime.combine(date(2026, 1, 1), local, tz).astimezone(UTC)
    return moment.hour * 60 + moment.minute


def local_time(minute: int, tz: ZoneInfo) -> time:
    moment = datetime.combine(date(2026, 1, 1), time(0), UTC) + timedelta(minutes=minute)
    return moment.astimezone(tz).time()


def at_local(day: date, moment: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, moment, tz)


def hhmm(moment: time) -> str:
    return f"{moment:%H.%M}"

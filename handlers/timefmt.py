"""Dates and times the Indonesian way, in the organization's zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
ZONES = {7: "WIB", 8: "WITA", 9: "WIT"}


def zone_label(dt: datetime) -> str:
    offset = dt.utcoffset()
    hours = None if offset is None else offset.total_seconds() / 3600
    return (
        ZONES.get(int(hours), dt.tzname() or "")
        if hours is not None and hours.is_integer()
        else (dt.tzname() or "")
    )


def local(dt: datetime, tz: ZoneInfo) -> datetime:
    return dt.astimezone(tz)


def when(dt: datetime, tz: ZoneInfo) -> str:
    """'Senin, 23 Nov 2026 09.12 WIB'."""
    d = dt.astimezone(tz)
    return f"{DAYS[d.weekday()]}, {d.day} {MONTHS[d.month - 1]} {d.year} {d:%H.%M} {zone_label(d)}"


def day_name(dt: datetime) -> str:
    return DAYS[dt.weekday()]


def short_date(day: date) -> str:
    """'Senin 23 Nov'."""
    return f"{DAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


def long_date(day: date) -> str:
    """'Senin, 23 Nov 2026'."""
    return f"{DAYS[day.weekday()]}, {day.day} {MONTHS[day.month - 1]} {day.year}"

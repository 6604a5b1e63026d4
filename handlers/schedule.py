"""Pillar schedules and reason presets: data files in prompts/ that editors can change.

A broken file is refused with a message in Indonesian that names the line and the problem, so a
coordinator can fix it without a developer; the schedule in force stays until then.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any

from handlers.publish_slots import SlotError, parse_slots
from storage.media import write_atomically

# Keys go into button data (64 bytes with the ids): short, and never a ":".
BUTTON_KEY = re.compile(r"[a-z0-9_-]{1,32}")
WEEKDAYS = ("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu")
HOLIDAY_ACTIONS = ("remind", "skip")
DEFAULT_HOLIDAY_TEXT = "Hari ini libur: {holiday}. Selamat beristirahat!"


class ScheduleError(ValueError):
    """A schedule or reasons file that cannot be used; the message names the problem."""


@dataclass(frozen=True)
class Pillar:
    key: str
    name: str
    description: str = ""
    days: tuple[str, ...] = ()
    ideas: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    consent: str | None = None  # a question the operator must confirm (children's faces)

    def idea(self, day: date, salt: int = 0) -> str | None:
        """One idea, rotated by ISO week (and a per-group salt) so weeks do not repeat."""
        if not self.ideas:
            return None
        return self.ideas[(day.isocalendar().week + salt) % len(self.ideas)]


@dataclass(frozen=True)
class Schedule:
    name: str
    pillars: tuple[Pillar, ...]
    holiday_action: str = "remind"  # remind: send the holiday text; skip: stay silent
    holiday_text: str = DEFAULT_HOLIDAY_TEXT
    days_off: dict[date, str] = field(default_factory=dict)  # regional days off, by date
    source: Path | None = None
    link_template: str | None = None  # the website link of a report, e.g. ".../{number}"
    digest: str = ""  # sha256 of the text it was read from: which version is in force
    # Local posting times per publishing target ([publishing]); none: at once on approval.
    slots: dict[str, tuple[time, ...]] = field(default_factory=dict)

    @property
    def by_weekday(self) -> bool:
        """False for offices that use topic categories instead of weekday pillars (Wajo)."""
        return any(p.days for p in self.pillars)

    def for_day(self, day: date) -> Pillar | None:
        weekday = WEEKDAYS[day.weekday()]
        return next((p for p in self.pillars if weekday in p.days), None)

    def focus_for(self, day: date) -> Pillar | None:
        """The pillar to suggest on a day: the weekday's, or a category in turn."""
        if self.by_weekday:
            return self.for_day(day)
        return self.pillars[day.toordinal() % len(self.pillars)]

    def by_key(self, key: str | None) -> Pillar | None:
        return next((p for p in self.pillars if p.key == key), None)

    def index_of(self, key: str | None) -> int | None:
        return next((i for i, p in enumerate(self.pillars) if p.key == key), None)


def load_schedule(path: Path) -> Schedule:
    return parse_schedule(_read_text(path), path)


def parse_schedule(text: str, path: Path) -> Schedule:
    """The schedule written in `text`, checked as the file at `path` is at start (the same
    messages, naming that file and the line): the desk checks an edit with this."""
    data = _toml(text, path)
    where = _Locator(path, text)
    raw = data.get("pillars")
    if not isinstance(raw, list) or not raw:
        raise ScheduleError(f"{path.name}: belum ada pilar; tambahkan minimal satu [[pillars]]")
    pillars = tuple(_pillar(where, i, item) for i, item in enumerate(raw, 1))
    seen: set[str] = set()
    for i, pillar in enumerate(pillars, 1):
        if pillar.key in seen:
            raise where.error(i, "key", f"key {pillar.key!r} sudah dipakai pilar lain")
        seen.add(pillar.key)
    _no_day_twice(where, pillars)
    action, holiday_text, days_off = _holidays(where, data.get("holidays", {}))
    link = data.get("link_template")
    if link is not None and "{number}" not in str(link):
        raise where.plain("link_template harus memuat {number}", "link_template")
    try:
        slots = parse_slots(data.get("publishing"))
    except SlotError as exc:
        raise where.plain(str(exc), "publishing") from None
    return Schedule(
        str(data.get("name", path.stem)),
        pillars,
        action,
        holiday_text,
        days_off,
        path,
        str(link) if link else None,
        text_digest(text),
        slots,
    )


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def tidy_schedule_text(text: str) -> str:
    """A textarea sends CRLF line ends; the file keeps LF and ends with a newline."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if text.endswith("\n") else text + "\n"


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")  # not *.toml: never loaded as a schedule


def write_schedule_file(path: Path, text: str) -> None:
    """Replace the file atomically (a temporary file renamed over it, so a reader never sees
    half a schedule), keeping the previous version next to it as <name>.bak."""
    if path.exists():
        write_atomically(backup_path(path), path.read_bytes(), durable=True)
    write_atomically(path, text.encode("utf-8"), durable=True)


def _pillar(where: _Locator, n: int, item: Any) -> Pillar:
    if not isinstance(item, dict):
        raise where.error(n, None, "isi pilar tidak dikenali")
    for key in ("key", "name"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            raise where.error(n, None, f"{key} belum diisi")
    if not BUTTON_KEY.fullmatch(item["key"].strip()):
        raise where.error(
            n, "key", "key hanya huruf kecil, angka, - atau _ (paling banyak 32), misalnya umkm"
        )
    days = _strings(where, n, item, "days")
    unknown = [d for d in (d.lower() for d in days) if d not in WEEKDAYS]
    if unknown:
        raise where.error(
            n, "days", f"hari {unknown[0]!r} tidak dikenal; pakai {', '.join(WEEKDAYS)}"
        )
    return Pillar(
        key=item["key"].strip(),
        name=item["name"].strip(),
        description=str(item.get("description", "")),
        days=tuple(d.lower() for d in days),
        ideas=_strings(where, n, item, "ideas"),
        hashtags=_strings(where, n, item, "hashtags"),
        consent=str(item["consent"]).strip() or None if "consent" in item else None,
    )


def _strings(where: _Locator, n: int, item: dict[str, Any], key: str) -> tuple[str, ...]:
    value = item.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise where.error(n, key, f'{key} harus daftar teks, misalnya ["a", "b"]')
    return tuple(value)


def _no_day_twice(where: _Locator, pillars: tuple[Pillar, ...]) -> None:
    owner: dict[str, str] = {}
    for i, pillar in enumerate(pillars, 1):
        for day in pillar.days:
            if day in owner:
                raise where.error(i, "days", f"hari {day} sudah dipakai pilar {owner[day]!r}")
            owner[day] = pillar.name


def _holidays(where: _Locator, raw: Any) -> tuple[str, str, dict[date, str]]:
    if not isinstance(raw, dict):
        raise where.plain("bagian [holidays] tidak dikenali")
    action = raw.get("action", "remind")
    if action not in HOLIDAY_ACTIONS:
        raise where.plain(
            f'holidays.action {action!r} tidak dikenal: pakai "remind" atau "skip"', "action"
        )
    text = str(raw.get("text", DEFAULT_HOLIDAY_TEXT))
    if "{holiday}" not in text:
        raise where.plain("holidays.text harus memuat {holiday} (nama hari liburnya)", "text")
    days_off: dict[date, str] = {}
    for entry in raw.get("extra", []):
        try:
            days_off[date.fromisoformat(str(entry["date"]))] = str(entry["name"])
        except (KeyError, TypeError, ValueError):
            raise where.plain(
                f'holidays.extra: {entry!r} perlu date = "2026-06-03" dan name', "extra"
            ) from None
    return action, text, days_off


class _Locator:
    """Finds the line a problem is on, so the message can say "baris 12"."""

    def __init__(self, path: Path, text: str) -> None:
        self.path, self.lines = path, text.splitlines()

    def error(self, n: int, key: str | None, problem: str) -> ScheduleError:
        line = self._pillar_line(n, key)
        at = f" baris {line}" if line else ""
        return ScheduleError(f"{self.path.name}{at}, pilar ke-{n}: {problem}")

    def plain(self, problem: str, key: str | None = None) -> ScheduleError:
        line = self._find(0, key) if key else None
        at = f" baris {line}" if line else ""
        return ScheduleError(f"{self.path.name}{at}: {problem}")

    def _pillar_line(self, n: int, key: str | None) -> int | None:
        headers = [i for i, line in enumerate(self.lines) if line.strip() == "[[pillars]]"]
        if len(headers) < n:
            return None
        start = headers[n - 1]
        end = headers[n] if len(headers) > n else len(self.lines)
        found = self._find(start, key, end) if key else None
        return found or start + 1

    def _find(self, start: int, key: str | None, end: int | None = None) -> int | None:
        pattern = re.compile(rf"^\s*{re.escape(key or '')}\s*=")
        for i in range(start, end if end is not None else len(self.lines)):
            if pattern.match(self.lines[i]):
                return i + 1
        return None


@dataclass(frozen=True)
class Reason:
    key: str
    label: str  # short, fits a button
    text: str  # what the operator reads
    actions: tuple[str, ...] = field(default=("revision", "rejection"))


def load_reasons(path: Path) -> tuple[Reason, ...]:
    _, data = _read(path)
    try:
        reasons = tuple(
            Reason(
                str(r["key"]),
                str(r["label"]),
                str(r["text"]),
                tuple(r.get("actions", ("revision", "rejection"))),
            )
            for r in data["reasons"]
        )
    except (KeyError, TypeError) as exc:
        raise ScheduleError(
            f"{path.name}: every [[reasons]] needs key, label, text ({exc})"
        ) from None
    for reason in reasons:  # keys travel in button data
        if not BUTTON_KEY.fullmatch(reason.key):
            raise ScheduleError(f"{path.name}: key {reason.key!r}: use a-z, 0-9, - or _ (≤ 32)")
    return reasons


def _read(path: Path) -> tuple[str, dict[str, Any]]:
    text = _read_text(path)
    return text, _toml(text, path)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScheduleError(f"{path}: file tidak ditemukan") from None
    except UnicodeDecodeError:
        raise ScheduleError(f"{path.name}: simpan file sebagai UTF-8") from None


def _toml(text: str, path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+), column (\d+)", str(exc))
        at = f" baris {found[1]} kolom {found[2]}" if found else ""
        raise ScheduleError(f"{path.name}{at}: penulisan TOML salah ({exc})") from None

"""Pillar schedules and reason presets: data files in prompts/ that editors can change."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

WEEKDAYS = ("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu")


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


@dataclass(frozen=True)
class Schedule:
    name: str
    pillars: tuple[Pillar, ...]

    def for_day(self, day: date) -> Pillar | None:
        weekday = WEEKDAYS[day.weekday()]
        return next((p for p in self.pillars if weekday in p.days), None)

    def by_key(self, key: str | None) -> Pillar | None:
        return next((p for p in self.pillars if p.key == key), None)

    def index_of(self, key: str | None) -> int | None:
        return next((i for i, p in enumerate(self.pillars) if p.key == key), None)


def load_schedule(path: Path) -> Schedule:
    data = _read(path)
    raw = data.get("pillars")
    if not isinstance(raw, list) or not raw:
        raise ScheduleError(f"{path.name}: needs at least one [[pillars]] entry")
    pillars = tuple(_pillar(path, i, item) for i, item in enumerate(raw, 1))
    keys = [p.key for p in pillars]
    if len(set(keys)) != len(keys):
        raise ScheduleError(f"{path.name}: pillar keys must be unique")
    return Schedule(str(data.get("name", path.stem)), pillars)


def _pillar(path: Path, n: int, item: dict[str, object]) -> Pillar:
    try:
        days = tuple(str(d).lower() for d in item.get("days", []))  # type: ignore[attr-defined]
        unknown = [d for d in days if d not in WEEKDAYS]
        if unknown:
            raise ScheduleError(f"unknown day {unknown[0]!r}, use one of {', '.join(WEEKDAYS)}")
        return Pillar(
            key=str(item["key"]),
            name=str(item["name"]),
            description=str(item.get("description", "")),
            days=days,
            ideas=tuple(str(i) for i in item.get("ideas", [])),  # type: ignore[attr-defined]
            hashtags=tuple(str(h) for h in item.get("hashtags", [])),  # type: ignore[attr-defined]
        )
    except KeyError as exc:
        raise ScheduleError(f"{path.name}: pillar {n} has no {exc.args[0]!r}") from None
    except ScheduleError as exc:
        raise ScheduleError(f"{path.name}: pillar {n}: {exc}") from None


@dataclass(frozen=True)
class Reason:
    key: str
    label: str  # short, fits a button
    text: str  # what the operator reads
    actions: tuple[str, ...] = field(default=("revision", "rejection"))


def load_reasons(path: Path) -> tuple[Reason, ...]:
    data = _read(path)
    try:
        return tuple(
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


def _read(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise ScheduleError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScheduleError(f"{path.name}: {exc}") from None

"""Editing the pillar schedule from the desk, and every process following the edit.

Saving checks the text exactly as the file is checked at start (handlers.schedule), writes
the file atomically with a backup of the previous version, and puts the new schedule in force
in this process at once (jobs read ctx.core.schedule on every run). The saved text and its
digest are also stored in the database (key_values), so every other process follows within a
scheduler tick: those sharing the folder also see the file change, those with a copy of their
own (another host, a container image) take the text from the database. A hand edit of the
file made after the desk's save wins over it there.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from handlers.config import Core
from handlers.context import Context
from handlers.messages import t
from handlers.outcome import Outcome, done, refused
from handlers.schedule import (
    Pillar,
    ScheduleError,
    parse_schedule,
    text_digest,
    tidy_schedule_text,
    write_schedule_file,
)
from handlers.units import not_coordinator
from storage.chats import Chats

log = logging.getLogger(__name__)

STAMP_KEY = "schedule.saved."  # + the file's name: one per schedule file
MAX_SCHEDULE_CHARS = 100_000


@dataclass(frozen=True)
class Day:
    day: date
    pillar: Pillar | None
    holiday: str | None
    working: bool


def file_text(core: Core) -> str:
    """The schedule file as it is on disk now (what the editor starts from)."""
    source = core.schedule.source
    if source is None:
        return ""
    try:
        return source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


async def save(ctx: Context, text: str, base: str) -> Outcome:
    """Save an edited schedule. `base` is the digest of the text the editor started from:
    if the file changed since (another coordinator saved), nothing is overwritten."""
    if refusal := not_coordinator(ctx):
        return refusal
    source = ctx.core.schedule.source
    if source is None:
        return refused(t("schedule_edit.no_file"))
    if len(text) > MAX_SCHEDULE_CHARS:
        return refused(t("schedule_edit.too_long", max=MAX_SCHEDULE_CHARS))
    if base != text_digest(file_text(ctx.core)):
        return refused(t("schedule_edit.changed_meanwhile"))
    text = tidy_schedule_text(text)
    try:
        schedule = parse_schedule(text, source)
    except ScheduleError as exc:
        return refused(t("pillars.reload_failed", error=str(exc)))
    try:
        write_schedule_file(source, text)
    except OSError as exc:
        log.warning("schedule %s not written: %s", source, exc)
        return refused(t("schedule_edit.write_failed", error=str(exc)))
    stamp = {"digest": schedule.digest, "saved_at": time.time(), "text": text}
    await Chats(ctx.session).set_value(_key(source), json.dumps(stamp))
    ctx.core.schedule = schedule
    log.info("schedule %s saved by %s: %d pillars", source.name, ctx.me.id, len(schedule.pillars))
    return done(t("schedule_edit.saved", name=schedule.name, count=len(schedule.pillars)))


async def follow_saved(ctx: Context) -> None:
    """Scheduler job: a schedule saved from the desk by another process comes into force here
    (one small read per tick)."""
    schedule = ctx.core.schedule
    if schedule.source is None:
        return
    raw = await Chats(ctx.session).get_value(_key(schedule.source))
    if raw is None:
        return
    stamp = json.loads(raw)
    if stamp["digest"] == schedule.digest or _edited_since(schedule.source, stamp["saved_at"]):
        return
    try:
        ctx.core.schedule = parse_schedule(stamp["text"], schedule.source)
    except ScheduleError as exc:  # saved by a newer version with other rules: keep ours
        log.warning("saved schedule %s not taken: %s", schedule.source.name, exc)
        return
    log.info("schedule %s saved elsewhere is now in force", schedule.source.name)


def _edited_since(path: Path, saved_at: float) -> bool:
    """The file was changed on this machine after the desk's save (a hand edit wins)."""
    try:
        return path.stat().st_mtime > saved_at
    except OSError:
        return False


def _key(source: Path) -> str:
    return STAMP_KEY + source.name


def next_days(core: Core, today: date, count: int = 14) -> list[Day]:
    """The coming days with their pillar (or the category suggested) and days off."""
    schedule, workdays = core.schedule, core.workdays
    days = [today + timedelta(days=i) for i in range(count)]
    return [
        Day(day, schedule.focus_for(day), workdays.holiday(day), workdays.is_working_day(day))
        for day in days
    ]

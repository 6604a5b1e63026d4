"""/pilar shows the day's and the week's pillars; /jadwal reloads the schedule file."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from handlers.config import Core
from handlers.context import Context
from handlers.messages import T, raw, t
from handlers.reminders import report_button
from handlers.schedule import ScheduleError, load_reasons, load_schedule
from handlers.timefmt import long_date, short_date
from storage.models import Role

log = logging.getLogger(__name__)


async def show_pillars(ctx: Context) -> None:
    today = ctx.today()
    schedule = ctx.core.schedule
    lines = [t("pillars.today_header", date=long_date(today)), *_today(ctx, today)]
    if schedule.by_weekday:
        lines.append(t("pillars.week_header"))
        monday = today - timedelta(days=today.weekday())
        lines += [_day_line(ctx, monday + timedelta(days=i), today) for i in range(7)]
    else:
        lines.append(t("pillars.categories_header"))
        lines += [
            t("pillars.category", pillar=p.name, description=p.description)
            for p in schedule.pillars
        ]
    buttons = report_button(ctx, ctx.ev.channel) if ctx.me.role == Role.OPERATOR else []
    ctx.reply(*lines, buttons=buttons)


def _today(ctx: Context, today: date) -> list[T]:
    holiday = ctx.core.workdays.holiday(today)
    pillar = ctx.core.schedule.focus_for(today)
    lines: list[T] = [t("pillars.holiday", holiday=holiday)] if holiday else []
    if pillar is None:
        return [*lines, t("pillars.none_today")]
    key = "pillars.today" if ctx.core.schedule.by_weekday else "pillars.focus_today"
    lines.append(t(key, pillar=pillar.name, description=pillar.description))
    idea = pillar.idea(today)
    if idea:
        lines.append(t("reminder.idea", idea=idea))
    if pillar.hashtags:
        lines.append(raw(" ".join(pillar.hashtags)))
    return lines


def _day_line(ctx: Context, day: date, today: date) -> T:
    pillar = ctx.core.schedule.for_day(day)
    holiday = ctx.core.workdays.holiday(day)
    label = short_date(day)
    name = pillar.name if pillar else "—"
    if holiday:
        name = f"{name} (libur: {holiday})"
    return t("pillars.day_today" if day == today else "pillars.day", day=label, pillar=name)


async def reload_command(ctx: Context) -> None:
    """/jadwal: a coordinator reloads the schedule and reasons after editing the files."""
    if ctx.me.role != Role.COORDINATOR:
        ctx.reply(t("admin.only_coordinator"))
        return
    error = reload_schedule(ctx.core)
    if error:
        ctx.reply(t("pillars.reload_failed", error=error))
        return
    schedule = ctx.core.schedule
    ctx.reply(t("pillars.reloaded", name=schedule.name, count=len(schedule.pillars)))


def reload_schedule(core: Core) -> str | None:
    """Load the schedule and reasons files again; on any problem keep what is in force."""
    source = core.schedule.source
    if source is None:
        return "jadwal ini tidak berasal dari file"
    try:
        schedule = load_schedule(source)
        reasons = load_reasons(source.parent.parent / "reasons.toml")
    except ScheduleError as exc:
        log.warning("schedule reload refused: %s", exc)
        return str(exc)
    core.schedule, core.reasons = schedule, reasons
    log.info("schedule %s reloaded: %d pillars", source.name, len(schedule.pillars))
    return None

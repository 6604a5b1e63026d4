"""Nudges: quiet units get a private reminder, slow decisions get listed to the newsroom."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from handlers.clock import at_local, hhmm, local_time
from handlers.context import Context
from handlers.desk_links import HOME, PENDING_LIST, open_in_desk
from handlers.messages import T, Text, t
from handlers.reminders import OFF_WORDS, ON_WORDS, PERSONAL, report_button
from handlers.timefmt import short_date, zone_label
from handlers.workdays import OFFICE_END
from storage.chats import NEWSROOM
from storage.models import Role

log = logging.getLogger(__name__)

NUDGE, STALE = "nudge", "stale"


async def my_reminders(ctx: Context) -> None:
    """/pengingat in a private chat: an operator turns their nudges off or on, and everyone is
    told what they really get (personal reminders are for operators; groups for all)."""
    if ctx.me.role != Role.OPERATOR:
        ctx.reply(t("nudge.mine_not_operator"), await _group_state(ctx))
        return
    word = ctx.ev.args[0].lower() if ctx.ev.args else ""
    if word in OFF_WORDS:
        ctx.me.reminders_on = False
    elif word in ON_WORDS:
        ctx.me.reminders_on = True
    ctx.reply(*await _personal_state(ctx), await _group_state(ctx))


async def _personal_state(ctx: Context) -> list[T]:
    if not ctx.me.reminders_on:
        return [t("nudge.mine_off")]
    unit = await ctx.people.unit(ctx.me.unit_id)
    days = ctx.core.rhythm.nudge_after_days
    lines = [t("nudge.mine_on", unit=unit.name if unit else "-", days=days)]
    channels = {c.channel for c in await ctx.people.contacts(ctx.me.id)}
    if channels & set(PERSONAL):  # where groups are not used, the morning pillar comes to them
        lines.append(t("nudge.mine_morning", time=_local(ctx, ctx.core.rhythm.reminder_time)))
    return lines


async def _group_state(ctx: Context) -> T:
    subs = await ctx.reminders.active(ctx.org.id)
    if not subs:
        return t("nudge.groups_none")
    times = sorted({_local(ctx, local_time(s.utc_minute, ctx.core.tz)) for s in subs})
    return t("nudge.groups_on", count=len(subs), times=", ".join(times))


def _local(ctx: Context, moment: time) -> str:
    return f"{hhmm(moment)} {zone_label(at_local(ctx.today(), moment, ctx.core.tz))}"


async def stop_reminders(ctx: Context) -> None:
    """BERHENTI: no more reminders or nudges for this person, on any channel."""
    if ctx.me.role != Role.OPERATOR:
        ctx.reply(t("nudge.mine_not_operator"))
        return
    ctx.me.reminders_on = False
    ctx.reply(t("nudge.stopped"))


async def start_reminders(ctx: Context) -> None:
    """MULAI: reminders and nudges again."""
    if ctx.me.role != Role.OPERATOR:
        ctx.reply(t("nudge.mine_not_operator"))
        return
    ctx.me.reminders_on = True
    ctx.reply(t("nudge.started"))


async def nudge_quiet_units(ctx: Context) -> None:
    """Scheduler job: after the nudge time on a working day, once per unit per day."""
    today = ctx.today()
    rhythm = ctx.core.rhythm
    workdays = ctx.core.workdays
    if not workdays.is_working_day(today):
        return
    opens = at_local(today, rhythm.nudge_time, ctx.core.tz)
    if not opens <= ctx.now < at_local(today, OFFICE_END, ctx.core.tz):
        return
    window = workdays.working_days_before(today, rhythm.nudge_after_days)
    if len(window) < rhythm.nudge_after_days:
        return
    since = at_local(window[-1], time(0), ctx.core.tz)
    period = today.isoformat()
    # One pass a day (at the nudge time, or later that day after a restart) is enough.
    if not await ctx.reminders.claim(
        NUDGE, f"pass:{ctx.org.id}", period, outcome="sent", now=ctx.now
    ):
        return
    done = await ctx.reminders.claimed_targets(NUDGE, period)
    last = await ctx.reports.last_submitted_by_unit(ctx.org.id)
    for unit in await ctx.people.units(ctx.org.id):
        target = f"unit:{unit.id}"
        quiet = unit.created_at < since and last.get(unit.id, since - timedelta(1)) < since
        if target in done or not quiet:
            continue
        if await ctx.reminders.claim(NUDGE, target, period, outcome="sent", now=ctx.now):
            await nudge_operators(ctx, unit.id, unit.name, last.get(unit.id))


async def nudge_operators(
    ctx: Context, unit_id: int, unit_name: str, last: datetime | None
) -> None:
    pillar = ctx.core.schedule.focus_for(ctx.today())
    since = t("nudge.since", date=_short(last, ctx)) if last else t("nudge.never")
    days = ctx.core.rhythm.nudge_after_days
    for member, contact in await ctx.people.reachable_operators(ctx.org.id, unit_id=unit_id):
        lines: list[T] = [
            t("nudge.hello", name=member.name, unit=unit_name, days=days),
            since,
        ]
        if pillar is not None:
            lines.append(t("nudge.pillar", pillar=pillar.name))
        lines.append(t("nudge.how_to_stop"))
        message = Text(lines, report_button(ctx, contact.channel) + open_in_desk(ctx.core, HOME))
        ctx.send(contact.channel, contact.chat_id, message)


def _short(moment: datetime, ctx: Context) -> str:
    return short_date(moment.astimezone(ctx.core.tz).date())


async def list_stale_reports(ctx: Context) -> None:
    """Scheduler job: reports waiting too long for a decision, listed once per report per day."""
    if not ctx.core.workdays.is_working_day(ctx.today()):
        return
    newsrooms = await ctx.chats.bound(ctx.org.id, NEWSROOM)
    if not newsrooms:
        return
    limit = ctx.core.rhythm.stale_after_hours * 3600
    period = ctx.today().isoformat()
    done = await ctx.reminders.claimed_targets(STALE, period)
    lines: list[T] = []
    for report in await ctx.reports.pending(ctx.org.id):
        target = f"report:{report.id}"
        if target in done or report.submitted_at is None:
            continue
        waited = ctx.core.workdays.working_seconds(report.submitted_at, ctx.now)
        if waited < limit:
            continue
        if await ctx.reminders.claim(STALE, target, period, outcome="sent", now=ctx.now):
            unit = await ctx.people.unit(report.unit_id)
            lines.append(
                t(
                    "stale.line",
                    number=report.number,
                    unit=unit.name if unit else "-",
                    hours=int(waited // 3600),
                )
            )
    if lines:
        for room in newsrooms:
            buttons = open_in_desk(ctx.core, PENDING_LIST)
            message = Text([t("stale.header", count=len(lines)), *lines], buttons)
            ctx.send(room.channel, room.chat_id, message)

"""The morning pillar reminder to groups: subscribing, and sending it once a day per group."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from handlers.clock import at_local, hhmm, local_time, parse_local_time, utc_minute
from handlers.context import Context
from handlers.desk_links import HOME, open_in_desk
from handlers.messages import Button, T, Template, Text, raw, t
from handlers.timefmt import long_date, zone_label
from storage.models import Role, Subscription

log = logging.getLogger(__name__)

REMINDER = "reminder"
REPORT_START = "lapor"  # /start lapor: the deep link of the report button
LATE_GRACE = timedelta(hours=3)  # for reminder times set after the grace hour
OFF_WORDS, ON_WORDS = {"mati", "off", "stop", "berhenti"}, {"nyala", "on", "aktif", "mulai"}


def target_of(sub: Subscription) -> str:
    return f"{sub.channel}:{sub.chat_id}"


async def reminder_command(ctx: Context) -> None:
    """/pengingat in a group: show, subscribe, set the time, or turn it off."""
    ev = ctx.ev
    if ctx.me.role != Role.COORDINATOR:
        ctx.reply(t("reminder.only_coordinator"))
        return
    word = ev.args[0].lower() if ev.args else ""
    if word in OFF_WORDS:
        ended = await ctx.reminders.end(ev.channel, ev.chat_id, "dimatikan koordinator")
        ctx.reply(t("reminder.off" if ended else "reminder.was_off"))
        return
    sub = await ctx.reminders.subscription(ev.channel, ev.chat_id)
    if not word and sub is not None and sub.active:
        ctx.reply(t("reminder.status", time=_shown(ctx, sub)))
        return
    moment = _chosen_time(ctx, word, sub)
    if moment is None:
        ctx.reply(t("reminder.usage"))
        return
    sub = await ctx.reminders.subscribe(
        ctx.org.id,
        channel=ev.channel,
        chat_id=ev.chat_id,
        title=ev.chat_title,
        utc_minute=utc_minute(moment, ctx.core.tz),
        member_id=ctx.me.id,
    )
    await _skip_today_if_passed(ctx, sub)
    ctx.reply(t("reminder.on", time=_shown(ctx, sub)))


def _chosen_time(ctx: Context, word: str, sub: Subscription | None) -> time | None:
    """The time given ("06.30"), else the group's earlier time, else the default 07.00."""
    if word and word not in ON_WORDS:
        return parse_local_time(word)
    return local_time(sub.utc_minute, ctx.core.tz) if sub else ctx.core.rhythm.reminder_time


def _shown(ctx: Context, sub: Subscription) -> str:
    moment = local_time(sub.utc_minute, ctx.core.tz)
    return f"{hhmm(moment)} {zone_label(at_local(ctx.today(), moment, ctx.core.tz))}"


async def _skip_today_if_passed(ctx: Context, sub: Subscription) -> None:
    """A group subscribed at 08.00 starts tomorrow rather than getting a late reminder now."""
    if _due_at(ctx, sub, ctx.today()) <= ctx.now:
        await ctx.reminders.claim(
            REMINDER, target_of(sub), ctx.today().isoformat(), outcome="skipped", now=ctx.now
        )


async def send_group_reminders(ctx: Context) -> None:
    """Scheduler job: every subscribed group whose time has come gets today's reminder once."""
    today = ctx.today()
    period = today.isoformat()
    done = await ctx.reminders.claimed_targets(REMINDER, period)
    due = [
        s
        for s in await ctx.reminders.active(ctx.org.id)
        if target_of(s) not in done and _due_at(ctx, s, today) <= ctx.now
    ]
    if not due:
        return
    lines = await reminder_content(ctx, today)
    late = [s for s in due if ctx.now > _deadline(ctx, s, today)]
    for sub in late:
        log.warning("reminder for %s skipped: Warta was down past the grace time", sub.chat_id)
    on_time = [s for s in due if s not in late]
    skipped = [target_of(s) for s in late + (on_time if lines is None else [])]
    await ctx.reminders.claim_many(REMINDER, skipped, period, outcome="skipped", now=ctx.now)
    if lines is None:
        return
    # Claimed together with the outbox rows: another process that got there first wins.
    taken = await ctx.reminders.claim_many(
        REMINDER, [target_of(s) for s in on_time], period, outcome="sent", now=ctx.now
    )
    for sub in on_time:
        if target_of(sub) in taken:
            ctx.send(sub.channel, sub.chat_id, reminder_message(ctx, sub, lines))


def reminder_message(ctx: Context, sub: Subscription, lines: list[T]) -> Text:
    buttons = report_button(ctx, sub.channel) + open_in_desk(ctx.core, HOME)
    return Text(_greeting(sub, lines), buttons)


PERSONAL = ("whatsapp",)  # channels without usable groups: reminders go to each person


async def send_personal_reminders(ctx: Context) -> None:
    """Scheduler job: on WhatsApp the morning reminder goes to each operator who wants it."""
    today = ctx.today()
    rhythm = ctx.core.rhythm
    due = at_local(today, rhythm.reminder_time, ctx.core.tz)
    grace = at_local(today, rhythm.grace_until, ctx.core.tz)
    if not due <= ctx.now <= max(grace, due + LATE_GRACE):
        return
    period = today.isoformat()
    done = await ctx.reminders.claimed_targets(REMINDER, period)
    reachable = await ctx.people.reachable_operators(ctx.org.id, channels=PERSONAL)
    people = [(m, c) for m, c in reachable if f"{c.channel}:{c.chat_id}" not in done]
    if not people:
        return
    lines = await reminder_content(ctx, today)
    targets = [f"{c.channel}:{c.chat_id}" for _m, c in people]
    outcome = "sent" if lines is not None else "skipped"
    taken = await ctx.reminders.claim_many(REMINDER, targets, period, outcome=outcome, now=ctx.now)
    if lines is None:
        return
    fallback = _reminder_template(ctx, today)
    for member, contact in people:
        if f"{contact.channel}:{contact.chat_id}" in taken:
            text = [
                t("reminder.hello_person", name=member.name),
                *lines,
                t("reminder.personal_tail"),
            ]
            buttons = open_in_desk(ctx.core, HOME)
            ctx.send(contact.channel, contact.chat_id, Text(text, buttons, fallback=fallback))


def _reminder_template(ctx: Context, today: date) -> Template:
    """Outside the 24-hour window: the approved reminder template (pillar, idea)."""
    pillar = ctx.core.schedule.focus_for(today)
    holiday = ctx.core.workdays.holiday(today)
    name = holiday or (pillar.name if pillar else "-")
    idea = (pillar.idea(today) if pillar and not holiday else None) or "-"
    return Template("reminder", [raw(name), raw(idea)])


def _due_at(ctx: Context, sub: Subscription, day: date) -> datetime:
    return at_local(day, local_time(sub.utc_minute, ctx.core.tz), ctx.core.tz)


def _deadline(ctx: Context, sub: Subscription, day: date) -> datetime:
    due = _due_at(ctx, sub, day)
    grace = at_local(day, ctx.core.rhythm.grace_until, ctx.core.tz)
    return grace if grace > due else due + LATE_GRACE


def _greeting(sub: Subscription, lines: list[T]) -> list[T]:
    return [t("reminder.hello", group=sub.title or "semua"), *lines]


async def reminder_content(ctx: Context, today: date) -> list[T] | None:
    """Today's lines; None when there is nothing to send today."""
    schedule = ctx.core.schedule
    holiday = ctx.core.workdays.holiday(today)
    if holiday:
        if schedule.holiday_action == "skip":
            return None
        text = schedule.holiday_text.replace("{holiday}", holiday)
        return [t("reminder.date", date=long_date(today)), raw(text)]
    pillar = schedule.focus_for(today)
    if pillar is None:
        return None  # a day without a pillar (Sunday in Bogor)
    lines = [
        t("reminder.date", date=long_date(today)),
        t(
            "reminder.pillar" if schedule.by_weekday else "reminder.focus",
            pillar=pillar.name,
            description=pillar.description,
        ),
    ]
    idea = pillar.idea(today)
    if idea:
        lines.append(t("reminder.idea", idea=idea))
    if pillar.hashtags:
        lines.append(raw(" ".join(pillar.hashtags)))
    lines.append(await _yesterday(ctx, today))
    return lines


async def _yesterday(ctx: Context, today: date) -> T:
    start = at_local(today - timedelta(days=1), time(0), ctx.core.tz)
    reports = await ctx.reports.submitted_between(ctx.org.id, start, start + timedelta(days=1))
    first = [r for r in reports if r.version == 1]
    if not first:
        return t("reminder.yesterday_none")
    units = {r.unit_id for r in first}
    return t("reminder.yesterday", reports=len(first), units=len(units))


def report_button(ctx: Context, channel: str) -> list[list[Button]]:
    """A button that opens the bot's private chat on /lapor (where the channel has links)."""
    messenger = ctx.messengers.get(channel)
    link = messenger.invite_link(REPORT_START) if messenger else None
    return [[Button(t("button.report_now"), url=link)]] if link else []

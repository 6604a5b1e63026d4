"""The weekly recap to the leaders' chat, and /laporan for any week or month on demand."""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from handlers.clock import at_local
from handlers.config import Core, Letterhead
from handlers.context import Context, JobRunner
from handlers.desk_links import open_in_desk, period_list
from handlers.messages import File, Outgoing, T, Text, t
from handlers.newsroom import bind_this_chat, recap_allowed_here
from handlers.recap import (
    MONTH_NAMES,
    Period,
    Recap,
    collect_recap,
    duration_text,
    month_of,
    week_of,
)
from handlers.texts import PlainMarkup
from handlers.timefmt import DAYS, long_date, zone_label
from storage.chats import LEADERS
from storage.media import save_by_content as save
from storage.models import Role

log = logging.getLogger(__name__)

WEEKLY = "weekly"
SILENT_SHOWN = 15
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


async def bind_leaders(ctx: Context) -> None:
    """/pimpinan in a group: the leaders' chat, where the weekly recap goes."""
    if ctx.me.role != Role.COORDINATOR:
        ctx.reply(t("admin.only_coordinator"))
        return
    ev = ctx.ev
    await bind_this_chat(ctx, LEADERS)
    # The recap already due is not pushed at once: the next one comes on schedule.
    due = _last_due(ctx)
    period = _period_of(due).first.isoformat()
    target = f"{ev.channel}:{ev.chat_id}"
    await ctx.reminders.claim(WEEKLY, target, period, outcome="skipped", now=ctx.now)
    rhythm = ctx.core.rhythm
    moment = at_local(ctx.today(), rhythm.weekly_time, ctx.core.tz)
    when = f"{DAYS[rhythm.weekly_weekday]} {moment:%H.%M} {zone_label(moment)}"
    ctx.reply(t("recap.bound", when=when))


async def recap_command(ctx: Context) -> None:
    """/laporan [lalu | bulan | bulan lalu | 2026-11 | november 2026]."""
    if not ctx.can_decide():
        ctx.reply(t("recap.not_allowed"))
        return
    if not await recap_allowed_here(ctx):  # the workbook lists every report and sender
        ctx.reply(t("recap.not_here"))
        return
    period = parse_period(" ".join(ctx.ev.args).lower(), ctx.today())
    if period is None:
        ctx.reply(t("recap.usage"))
        return
    send_recap_later(ctx, period, [(ctx.ev.channel, ctx.ev.chat_id)])


def send_recap_later(ctx: Context, period: Period, chats: list[tuple[str, str]]) -> None:
    """The recap of `period` to these chats, built after this transaction: rendering the
    chart, workbook and PDF takes a while, and the database (one writer on SQLite) must not be
    held meanwhile."""

    async def build(run: JobRunner) -> None:
        found: list[Recap] = []

        async def collect(c: Context) -> None:
            found.append(await _recap(c, period))

        await run(collect)
        messages = await asyncio.to_thread(render_messages, ctx.core, found[0], ctx.today())

        async def send(c: Context) -> None:
            for channel, chat_id in chats:
                for message in messages:
                    c.send(channel, chat_id, message)

        await run(send)

    ctx.deferred.append(build)


async def send_weekly(ctx: Context) -> None:
    """Scheduler job: last week's recap to every leaders' chat, once per chat per week."""
    chats = await ctx.chats.bound(ctx.org.id, LEADERS)
    if not chats:
        return
    period = _period_of(_last_due(ctx))
    key = period.first.isoformat()
    done = await ctx.reminders.claimed_targets(WEEKLY, key)
    claimed = []
    for chat in chats:
        target = f"{chat.channel}:{chat.chat_id}"
        if target not in done and await ctx.reminders.claim(
            WEEKLY, target, key, outcome="sent", now=ctx.now
        ):
            claimed.append(chat)
    if not claimed:
        return
    messages = await build_messages(ctx, period)
    for chat in claimed:
        for message in messages:
            ctx.send(chat.channel, chat.chat_id, message)


def _last_due(ctx: Context) -> datetime:
    """The latest weekly instant at or before now (Monday 08.00 local by default)."""
    rhythm = ctx.core.rhythm
    today = ctx.today()
    day = today - timedelta(days=(today.weekday() - rhythm.weekly_weekday) % 7)
    due = at_local(day, rhythm.weekly_time, ctx.core.tz)
    return due if due <= ctx.now else due - timedelta(days=7)


def _period_of(due: datetime) -> Period:
    """The recap sent at `due` covers the Monday-to-Sunday week before it."""
    return week_of(due.date() - timedelta(days=1))


def parse_period(text: str, today: date) -> Period | None:
    words = text.replace("pekan", "").replace("minggu", "").split()
    phrase = " ".join(words)
    if phrase in ("", "ini"):
        return week_of(today)
    if phrase == "lalu":
        return week_of(today, 1)
    if phrase in ("bulan", "bulan ini"):
        return month_of(today.year, today.month)
    if phrase == "bulan lalu":
        first = today.replace(day=1) - timedelta(days=1)
        return month_of(first.year, first.month)
    found = _MONTH.match(phrase)
    if found and 1 <= int(found[2]) <= 12:
        return month_of(int(found[1]), int(found[2]))
    return _named_month(words, today)


def _named_month(words: list[str], today: date) -> Period | None:
    if not words or len(words) > 2:
        return None
    names = [m.lower() for m in MONTH_NAMES]
    month = next((i + 1 for i, n in enumerate(names) if n.startswith(words[0][:3])), None)
    if month is None or len(words[0]) < 3:
        return None
    if len(words) == 2:
        if not words[1].isdigit():
            return None
        return month_of(int(words[1]), month)
    year = today.year if month <= today.month else today.year - 1  # the latest such month
    return month_of(year, month)


@dataclass(frozen=True)
class RecapFiles:
    chart: Path
    sheet: Path
    letter: Path


async def build_messages(ctx: Context, period: Period) -> list[Outgoing]:
    recap = await _recap(ctx, period)
    return await asyncio.to_thread(render_messages, ctx.core, recap, ctx.today())


def render_messages(core: Core, recap: Recap, today: date) -> list[Outgoing]:
    """The chart, the summary, the workbook and the letter (blocking: Pillow, openpyxl, fpdf)."""
    lines = summary_lines(recap)
    plain = [core.texts.render(line, PlainMarkup()) for line in lines[1:]]
    title = core.texts.render(t("recap.pdf_title"))
    made = core.texts.render(t("recap.pdf_made", date=long_date(today)))
    letterhead = core.letterhead or Letterhead(recap.org)
    files = _write_files(core, letterhead, recap, title, plain, made)
    period = recap.period
    stem = f"rekap-{period.first.isoformat()}-{period.last.isoformat()}"
    chart_caption = [t("recap.chart_caption", period=period.label)]
    return [
        File(str(files.chart), f"{stem}.png", chart_caption, as_photo=True),
        Text(lines, open_in_desk(core, period_list(period.first, period.last))),
        File(str(files.sheet), f"{stem}.xlsx", [t("recap.sheet_caption")]),
        File(str(files.letter), f"{stem}.pdf", [t("recap.letter_caption")]),
    ]


async def _recap(ctx: Context, period: Period) -> Recap:
    return await collect_recap(ctx.reports, ctx.people, ctx.core, ctx.org.id, ctx.org.name, period)


def summary_lines(recap: Recap) -> list[T]:
    lines = [t("recap.title", period=recap.period.label, org=recap.org)]
    if not recap.reports:
        lines.append(t("recap.empty"))
    else:
        rate = round(100 * (recap.approval_rate or 0))
        lines.append(
            t(
                "recap.totals",
                reports=recap.reports,
                units=len(recap.units),
                approved=recap.approved,
                rate=rate,
            )
        )
    if recap.median_decision is not None:
        lines.append(t("recap.median", duration=duration_text(recap.median_decision)))
    busiest = recap.busiest_pillar
    if busiest:
        lines.append(t("recap.busiest", pillar=busiest[0], count=busiest[1]))
    silent = recap.silent_units
    if silent:
        shown = ", ".join(silent[:SILENT_SHOWN])
        more = len(silent) - SILENT_SHOWN
        lines.append(
            t("recap.silent_more", names=shown, more=more)
            if more > 0
            else t("recap.silent", names=shown)
        )
    elif recap.reports:
        lines.append(t("recap.all_reported"))
    return lines


def _write_files(
    core: Core, letterhead: Letterhead, recap: Recap, title: str, lines: list[str], made: str
) -> RecapFiles:
    """Render chart, workbook and letter (off the event loop) into the reports folder."""
    folder = core.reports_dir or core.media.root / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    # Imported here, in the worker thread: fpdf2, fontTools and openpyxl are ~30 MB that a
    # process carries from its start otherwise, for a recap made once a week.
    from handlers.recap.chart import render_chart
    from handlers.recap.letter import render_letter
    from handlers.recap.sheet import render_sheet

    chart = render_chart(recap)
    sheet = render_sheet(recap)
    letter = render_letter(letterhead, title, recap.period.label, lines, chart, made)
    return RecapFiles(
        save(folder, chart, "png"), save(folder, sheet, "xlsx"), save(folder, letter, "pdf")
    )

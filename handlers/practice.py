"""What a trainer fires at once in the sandbox (issue 12): the morning reminder, the nudge and
the weekly recap, the same messages the scheduler sends, without waiting for their hour and
without the once-a-day claims (a Bimtek shows them as often as it likes)."""

from __future__ import annotations

from handlers.context import Context
from handlers.nudges import nudge_operators
from handlers.recap import week_of
from handlers.reminders import reminder_content, reminder_message
from handlers.weekly import send_recap_later
from storage.chats import LEADERS


async def remind_now(ctx: Context) -> int:
    """Today's reminder to every subscribed group; how many got it (0 on a day without one)."""
    lines = await reminder_content(ctx, ctx.today())
    subs = await ctx.reminders.active(ctx.org.id)
    if lines is None:
        return 0
    for sub in subs:
        ctx.send(sub.channel, sub.chat_id, reminder_message(ctx, sub, lines))
    return len(subs)


async def nudge_now(ctx: Context) -> int:
    """The nudge to the operators of every unit that sent nothing today; how many units."""
    last = await ctx.reports.last_submitted_by_unit(ctx.org.id)
    today = ctx.today()
    nudged = 0
    for unit in await ctx.people.units(ctx.org.id):
        sent = last.get(unit.id)
        if sent is not None and sent.astimezone(ctx.core.tz).date() == today:
            continue
        if await ctx.people.reachable_operators(ctx.org.id, unit_id=unit.id):
            await nudge_operators(ctx, unit.id, unit.name, sent)
            nudged += 1
    return nudged


async def recap_now(ctx: Context) -> int:
    """This week's recap so far to every leaders' chat (built after the transaction)."""
    chats = [(c.channel, c.chat_id) for c in await ctx.chats.bound(ctx.org.id, LEADERS)]
    if chats:
        send_recap_later(ctx, week_of(ctx.today()), chats)
    return len(chats)

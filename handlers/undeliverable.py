"""What the outbox finally gave up on, listed to the coordinators once a day."""

from __future__ import annotations

from collections import Counter
from datetime import time, timedelta

from handlers.clock import at_local
from handlers.context import Context
from handlers.messages import T, Text, t
from storage.models import Role
from storage.outbox import EXPIRED, GONE, REFUSED

UNDELIVERABLE = "undelivered"
# Local time after which the day's list goes out: a morning read, after the pillar reminders.
LIST_AT = time(8, 0)
REASONS = {GONE: "undelivered.gone", EXPIRED: "undelivered.expired", REFUSED: "undelivered.refused"}
CHANNELS = {"telegram": "Telegram", "whatsapp": "WhatsApp"}  # names, not words to translate


async def list_undeliverable(ctx: Context) -> None:
    """Scheduler job: after LIST_AT, the messages given up on in the 24 hours before it (so
    each day's list follows on from the last without a gap), once per coordinator per day."""
    until = at_local(ctx.today(), LIST_AT, ctx.core.tz)
    if ctx.now < until:
        return
    period = ctx.today().isoformat()
    if not await ctx.reminders.claim(
        UNDELIVERABLE, f"pass:{ctx.org.id}", period, outcome="sent", now=ctx.now
    ):
        return
    failed = await ctx.outbox.given_up(until - timedelta(days=1), until)
    if not failed:
        return
    members = await ctx.people.members(ctx.org.id)
    names = {(c.channel, c.chat_id): m.name for m, _unit, contacts in members for c in contacts}
    counts = Counter((row.channel, row.chat_id, row.failure or REFUSED) for row in failed)
    lines: list[T] = [t("undelivered.header", count=len(failed))]
    for (channel, chat_id, failure), count in counts.items():
        who = names.get((channel, chat_id)) or await _chat_title(ctx, channel, chat_id)
        where = CHANNELS.get(channel, channel)
        lines.append(t(REASONS.get(failure, REASONS[REFUSED]), who=who, channel=where, count=count))
    lines.append(t("undelivered.footer"))
    for member, _unit, contacts in members:
        if member.role != Role.COORDINATOR or not member.active or not contacts:
            continue
        if await ctx.reminders.claim(
            UNDELIVERABLE, f"member:{member.id}", period, outcome="sent", now=ctx.now
        ):
            ctx.send(contacts[0].channel, contacts[0].chat_id, Text(lines))


async def _chat_title(ctx: Context, channel: str, chat_id: str) -> str:
    """A group's title where Warta knows it (a bound chat), else its id."""
    for bound in await ctx.chats.bindings_of(channel, chat_id):
        if bound.title:
            return bound.title
    return chat_id

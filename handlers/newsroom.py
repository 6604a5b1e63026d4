"""Binding the editors' group as the newsroom, and noticing when the bot leaves it."""

from __future__ import annotations

import logging

from handlers import cards
from handlers.context import Context
from handlers.messages import t
from storage.chats import NEWSROOM

log = logging.getLogger(__name__)


async def bind_newsroom(ctx: Context) -> None:
    if not ctx.can_decide():
        ctx.reply(t("newsroom.not_editor"))
        return
    ev = ctx.ev
    await bind_this_chat(ctx, NEWSROOM)
    waiting = await ctx.reports.pending(ctx.org.id)
    ctx.reply(t("newsroom.bound", org=ctx.org.name, waiting=len(waiting)))
    # Reports sent while there was no newsroom (or the old one) get their cards here.
    for report in waiting:
        await cards.post_card(ctx, report, ev.channel, ev.chat_id)


async def bind_this_chat(ctx: Context, purpose: str) -> None:
    ev = ctx.ev
    await ctx.chats.bind(
        ctx.org.id,
        purpose=purpose,
        channel=ev.channel,
        chat_id=ev.chat_id,
        title=ev.chat_title,
        member_id=ctx.me.id,
    )


async def group_help(ctx: Context) -> None:
    ctx.reply(t("newsroom.help"))


async def on_bot_removed(ctx: Context) -> None:
    if await ctx.reminders.end(ctx.ev.channel, ctx.ev.chat_id, "bot dikeluarkan dari grup"):
        log.warning("bot removed from %s: its reminder subscription ended", ctx.ev.chat_id)
    for bound in await ctx.chats.bindings_of(ctx.ev.channel, ctx.ev.chat_id):
        log.warning("bot removed from the %s chat %s", bound.purpose, bound.chat_id)
        await ctx.chats.unbind(bound)

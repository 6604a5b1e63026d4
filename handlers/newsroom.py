"""Binding the editors' group as the newsroom, and noticing when the bot joins or leaves."""

from __future__ import annotations

import logging

from handlers import cards
from handlers.context import Context, TapHandler
from handlers.messages import Button, Edit, Text, t
from storage.chats import LEADERS, NEWSROOM
from storage.models import BoundChat, Role

log = logging.getLogger(__name__)


async def bind_newsroom(ctx: Context) -> None:
    """/redaksi: a coordinator's act, confirmed with a tap, because it moves every card."""
    if ctx.me.role != Role.COORDINATOR:
        ctx.reply(t("newsroom.not_coordinator"))
        return
    current = await _current_newsroom(ctx)
    if current is not None and current.chat_id == ctx.ev.chat_id:
        ctx.reply(t("newsroom.already_here"))
        return
    question = (
        t("newsroom.confirm_move", old=current.title or current.chat_id)
        if current is not None
        else t("newsroom.confirm")
    )
    ctx.reply(
        question,
        buttons=[
            [
                Button(t("button.bind_newsroom"), "nb:1"),
                Button(t("button.cancel"), "nb:0"),
            ]
        ],
    )


async def tap_bind_newsroom(ctx: Context, yes: int) -> None:
    if ctx.me.role != Role.COORDINATOR or ctx.ev.is_private:
        ctx.answer(t("newsroom.not_coordinator"), alert=True)
        return
    if not yes:
        ctx.reply_message(Edit([t("newsroom.not_moved")], [], message_id=ctx.ev.message_id))
        ctx.answer()
        return
    ev = ctx.ev
    old = await _current_newsroom(ctx)
    if old is not None and old.chat_id == ev.chat_id:
        ctx.answer(t("newsroom.already_here"), alert=True)
        return
    old_chat = old.chat_id if old is not None else None
    await bind_this_chat(ctx, NEWSROOM)
    waiting = await ctx.reports.pending(ctx.org.id)
    bound = t("newsroom.bound", org=ctx.org.name, waiting=len(waiting))
    ctx.reply_message(Edit([bound], [], message_id=ev.message_id))
    ctx.answer(t("newsroom.bound_short"))
    if old_chat is not None:
        # The old group is told where the work went; its cards' buttons no longer decide.
        moved = t("newsroom.moved_away", title=ev.chat_title or ev.chat_id)
        ctx.send(ev.channel, old_chat, Text([moved]))
    # Reports sent while there was no newsroom (or the old one) get their cards here.
    for report in waiting:
        await cards.post_card(ctx, report, ev.channel, ev.chat_id)


async def _current_newsroom(ctx: Context) -> BoundChat | None:
    rooms = await ctx.chats.bound(ctx.org.id, NEWSROOM)
    return next((r for r in rooms if r.channel == ctx.ev.channel), None)


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


async def is_bound_here(ctx: Context, *purposes: str) -> bool:
    """This group is bound to one of these purposes (newsroom, leaders)."""
    bound = await ctx.chats.bindings_of(ctx.ev.channel, ctx.ev.chat_id)
    return any(b.purpose in purposes and b.org_id == ctx.org.id for b in bound)


async def recap_allowed_here(ctx: Context) -> bool:
    """A recap (with every report in it) goes only to a private chat or a bound group."""
    return ctx.ev.is_private or await is_bound_here(ctx, NEWSROOM, LEADERS)


async def group_help(ctx: Context) -> None:
    ctx.reply(t("newsroom.help"))


async def greet_group(ctx: Context) -> None:
    """Added to a group: say what it can become, so nobody has to guess the next step."""
    ctx.reply(t("newsroom.greeting"))


async def on_bot_removed(ctx: Context) -> None:
    if await ctx.reminders.end(ctx.ev.channel, ctx.ev.chat_id, "bot dikeluarkan dari grup"):
        log.warning("bot removed from %s: its reminder subscription ended", ctx.ev.chat_id)
    for bound in await ctx.chats.bindings_of(ctx.ev.channel, ctx.ev.chat_id):
        log.warning("bot removed from the %s chat %s", bound.purpose, bound.chat_id)
        await ctx.chats.unbind(bound)


CALLBACKS: dict[str, TapHandler] = {"nb": tap_bind_newsroom}

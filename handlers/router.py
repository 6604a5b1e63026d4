"""Decides which handler an event goes to."""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from handlers import (
    admin,
    desk_login,
    join,
    newsroom,
    nudges,
    originals,
    package,
    pillars,
    reminders,
    report,
    review,
    status,
    targets,
    weekly,
)
from handlers.cards import ORIGINALS
from handlers.context import Context, TapHandler
from handlers.messages import t
from handlers.schedule import BUTTON_KEY

CONTACT_TOUCH = timedelta(minutes=1)  # how fresh "the channel they used last" is kept

PRIVATE_COMMANDS = {
    "start": join.start,
    "lapor": report.start_report,
    "batal": report.cancel_command,
    "status": status.show_status,
    "bantuan": join.show_help,
    "help": join.show_help,
    "undang": admin.invite,
    "unit": admin.units,
    "anggota": admin.members,
    "pilar": pillars.show_pillars,
    "jadwal": pillars.reload_command,
    "pengingat": nudges.my_reminders,
    "laporan": weekly.recap_command,
    "hubungkan": join.link_command,
    "berhenti": nudges.stop_reminders,
    "mulai": nudges.start_reminders,
    "dasbor": desk_login.desk_link,
    "antrean": targets.queue_command,
}
OTHER_CALLBACKS: dict[str, TapHandler] = {
    "pk": package.tap_package,
    **targets.CALLBACKS,
    ORIGINALS: originals.tap_originals,
    **newsroom.CALLBACKS,
}
GROUP_COMMANDS = {
    "redaksi": newsroom.bind_newsroom,
    "bantuan": newsroom.group_help,
    "pilar": pillars.show_pillars,
    "pengingat": reminders.reminder_command,
    "pimpinan": weekly.bind_leaders,
    "laporan": weekly.recap_command,
    "dasbor": desk_login.desk_in_group,
    "antrean": targets.queue_command,
}


async def route(ctx: Context) -> None:
    ev = ctx.ev
    if ev.bot_removed:
        await newsroom.on_bot_removed(ctx)
        return
    if ev.bot_added:
        await newsroom.greet_group(ctx)
        return
    if ev.moved_to:
        await ctx.chats.move(ev.channel, ev.chat_id, ev.moved_to)
        return
    if ev.opens_window:  # strangers too: the answer to their first message is a normal one
        await ctx.people.open_window(ev.channel, ev.chat_id, ctx.now)
    found = await ctx.people.member_and_last_inbound(ev.channel, ev.sender)
    ctx.member, last_inbound = found if found else (None, None)
    if ctx.member is None and await join.refuse_deactivated(ctx):
        return
    if ctx.member is not None:
        # Two processes handling this person's messages (or taps) take turns.
        await ctx.reports.lock_author(ctx.member.id)
    await _dispatch(ctx)
    # The channel a person used last is where Warta reaches them: written once a minute, not
    # for every photo of an album (WhatsApp's 24-hour window is the chat's: open_window).
    wrote = ctx.member is not None and (ev.is_private or ev.opens_window)  # after joining too
    if wrote and (found is None or _stale(last_inbound, ctx.now)):
        await ctx.people.touch_contact(ev.channel, ev.sender, ctx.now)


def _stale(last_inbound: datetime | None, now: datetime) -> bool:
    return last_inbound is None or now - last_inbound >= CONTACT_TOUCH


async def _dispatch(ctx: Context) -> None:
    ev = ctx.ev
    if ev.is_private and ev.command == "start" and ev.args and ev.args[0] != reminders.REPORT_START:
        await join.accept_invite(ctx, ev.args[0])
        return
    if ctx.member is None:
        await _stranger(ctx)
        return
    if ev.callback_data:
        await _callback(ctx)
    elif ev.is_private:
        await _private(ctx)
    else:
        await _group(ctx)


async def _stranger(ctx: Context) -> None:
    if ctx.ev.callback_id:
        ctx.answer(t("unknown.tap"), alert=True)
    elif ctx.ev.is_private:
        ctx.reply(t("unknown.private"))
    elif ctx.ev.command in GROUP_COMMANDS:
        # A command to the bot deserves an answer; other talk in groups is none of our business.
        ctx.reply(t("unknown.group_command", command=ctx.ev.command))


async def _private(ctx: Context) -> None:
    ev = ctx.ev
    if ev.command:
        handler = PRIVATE_COMMANDS.get(ev.command)
        if handler is None:
            ctx.reply(t("command.unknown"))
        else:
            await handler(ctx)
    elif ev.edited:
        await report.receive_edit(ctx)
    elif ev.media:
        await report.receive_media(ctx)
    elif not (ev.text.strip() and await review.receive_typed_reason(ctx)):
        # An editor deciding in a private chat (WhatsApp) types the reason there.
        await report.receive_text(ctx)


async def _group(ctx: Context) -> None:
    ev = ctx.ev
    if ev.command:
        handler = GROUP_COMMANDS.get(ev.command)
        if handler is not None:
            await handler(ctx)
    elif ev.text and ev.reply_to_bot:
        # Only a reply to the bot's question counts, even where group privacy mode is off.
        await review.receive_typed_reason(ctx)


async def _callback(ctx: Context) -> None:
    verb, _, rest = (ctx.ev.callback_data or "").partition(":")
    handler = review.CALLBACKS.get(verb) or report.CALLBACKS.get(verb) or OTHER_CALLBACKS.get(verb)
    args = button_args(handler, rest.split(":") if rest else []) if handler else None
    if handler is None or args is None:
        # Forged, malformed or from an older Warta: never an error posted into a group.
        ctx.answer(t("tap.stale"), alert=True)
        return
    await handler(ctx, *args)


@functools.cache
def _button_params(handler: Callable[..., Awaitable[None]]) -> tuple[tuple[object, ...], int]:
    """The types of a tap handler's parameters after ctx, and how many are required."""
    params = list(inspect.signature(handler).parameters.values())[1:]
    hints = typing.get_type_hints(handler)
    required = sum(p.default is inspect.Parameter.empty for p in params)
    return tuple(hints.get(p.name) for p in params), required


def button_args(handler: TapHandler, parts: list[str]) -> list[Any] | None:
    """The button's values as the handler's parameters declare them (int or str), or None
    when they do not fit: too few, too many, not a number, not a key."""
    kinds, required = _button_params(handler)
    if not parts or not required <= len(parts) <= len(kinds):
        return None
    values: list[Any] = []
    for kind, part in zip(kinds, parts, strict=False):
        if kind is int:
            if not part.isdigit() or len(part) > 18:
                return None
            values.append(int(part))
        elif BUTTON_KEY.fullmatch(part):
            values.append(part)
        else:
            return None
    return values

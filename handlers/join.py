"""Joining by invite code, and the help each role gets."""

from __future__ import annotations

from datetime import timedelta

from handlers import report
from handlers.context import Context
from handlers.messages import raw, t
from handlers.reminders import REPORT_START
from storage.models import Role

ROLE_NAMES = {Role.OPERATOR: "admin unit", Role.EDITOR: "redaktur", Role.COORDINATOR: "koordinator"}


async def start(ctx: Context) -> None:
    if ctx.ev.args and ctx.ev.args[0] == REPORT_START:
        await report.start_report(ctx)  # the reminder's "Kirim laporan" button
        return
    await show_help(ctx)


LINK_DAYS = 1


async def accept_invite(ctx: Context, code: str) -> None:
    invite = await ctx.people.invite(code)
    if ctx.member is not None:
        linked_here = invite is not None and invite.member_id == ctx.member.id
        key = "join.already_linked" if linked_here else "join.already"
        ctx.reply(t(key, role=ROLE_NAMES[ctx.member.role]))
        return
    if invite is None or invite.org_id != ctx.org.id:
        ctx.reply(t("join.unknown_code"))
        return
    if invite.expires_at <= ctx.now:
        ctx.reply(t("join.expired"))
        return
    if not await ctx.people.use_invite(invite, ctx.now):
        ctx.reply(t("join.used"))
        return
    ev = ctx.ev
    if invite.member_id is not None:
        await _link(ctx, invite.member_id)
        return
    ctx.member = await ctx.people.add_member(
        ctx.org.id,
        role=invite.role,
        name=ev.sender_name or ev.sender,
        unit_id=invite.unit_id,
        channel=ev.channel,
        address=ev.sender,
        chat_id=ev.chat_id,
    )
    unit = await ctx.people.unit(invite.unit_id)
    ctx.reply(
        t(
            "join.welcome",
            name=ctx.member.name,
            role=ROLE_NAMES[invite.role],
            unit=unit.name if unit else ctx.org.name,
            org=ctx.org.name,
        )
    )
    await show_help(ctx)


async def _link(ctx: Context, member_id: int) -> None:
    ev = ctx.ev
    await ctx.people.add_contact(
        member_id, channel=ev.channel, address=ev.sender, chat_id=ev.chat_id, now=ctx.now
    )
    ctx.member = await ctx.people.member(member_id)
    ctx.reply(t("join.linked", name=ctx.me.name))


async def link_command(ctx: Context) -> None:
    """/hubungkan: a code that adds this person's other channel (WhatsApp or Telegram)."""
    invite = await ctx.people.add_invite(
        ctx.org.id,
        role=ctx.me.role,
        unit_id=ctx.me.unit_id,
        max_uses=1,
        valid_for=timedelta(days=LINK_DAYS),
        created_by=ctx.me.id,
        now=ctx.now,
        links_member=ctx.me.id,
    )
    links = [
        link
        for channel, messenger in ctx.messengers.items()
        if channel != ctx.ev.channel and (link := messenger.invite_link(invite.code))
    ]
    ctx.reply(t("join.link_code", code=invite.code), *[raw(link) for link in links])


async def show_help(ctx: Context) -> None:
    role = ctx.me.role
    if role == Role.OPERATOR:
        pillar = ctx.core.schedule.for_day(ctx.today())
        ctx.reply(
            t("help.operator"),
            t("help.today", pillar=pillar.name) if pillar else t("help.today_none"),
        )
    elif role == Role.EDITOR:
        ctx.reply(t("help.editor"))
    else:
        ctx.reply(t("help.coordinator"))

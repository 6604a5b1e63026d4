"""Joining by invite code, and the help each role gets."""

from __future__ import annotations

from handlers import report
from handlers.context import Context
from handlers.messages import t
from handlers.reminders import REPORT_START
from storage.models import Role

ROLE_NAMES = {Role.OPERATOR: "admin unit", Role.EDITOR: "redaktur", Role.COORDINATOR: "koordinator"}


async def start(ctx: Context) -> None:
    if ctx.ev.args and ctx.ev.args[0] == REPORT_START:
        await report.start_report(ctx)  # the reminder's "Kirim laporan" button
        return
    await show_help(ctx)


async def accept_invite(ctx: Context, code: str) -> None:
    if ctx.member is not None:
        ctx.reply(t("join.already", role=ROLE_NAMES[ctx.member.role]))
        return
    invite = await ctx.people.invite(code)
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

"""Joining by invite code, and the help each role gets."""

from __future__ import annotations

from datetime import timedelta

from handlers import report
from handlers.context import Context
from handlers.messages import raw, t
from handlers.reminders import REPORT_START
from storage.models import Invite, Role

# One word per role everywhere a person reads it (the words /undang takes, too).
ROLE_NAMES = {Role.OPERATOR: "operator", Role.EDITOR: "redaktur", Role.COORDINATOR: "koordinator"}


async def start(ctx: Context) -> None:
    if ctx.ev.args and ctx.ev.args[0] == REPORT_START:
        await report.start_report(ctx)  # the reminder's "Kirim laporan" button
        return
    await show_help(ctx)


LINK_DAYS = 1


async def refuse_deactivated(ctx: Context) -> bool:
    """A switched-off member is told so (not greeted as a stranger who may join again with an
    old invite); True when the sender is one. Groups hear nothing but a tap's answer."""
    ev = ctx.ev
    if await ctx.people.deactivated_at_address(ev.channel, ev.sender) is None:
        return False
    if ev.callback_id:
        ctx.answer(t("people.deactivated_tap"), alert=True)
    elif ev.is_private:
        ctx.reply(t("people.deactivated"))
    return True


async def accept_invite(ctx: Context, code: str) -> None:
    invite = await ctx.people.invite(code)
    if ctx.member is not None:
        if invite is not None and invite.transfer and invite.member_id == ctx.member.id:
            await _use_code(ctx, invite)  # moving to an address already theirs: drop the rest
            return
        linked_here = invite is not None and invite.member_id == ctx.member.id
        key = "join.already_linked" if linked_here else "join.already"
        ctx.reply(t(key, role=ROLE_NAMES[ctx.member.role]))
        return
    if invite is None or invite.org_id != ctx.org.id:
        ctx.reply(t("join.unknown_code"))
        return
    await _use_code(ctx, invite)


async def _use_code(ctx: Context, invite: Invite) -> None:
    problem = await _code_problem(ctx, invite)
    if problem is not None:
        ctx.reply(t(problem))
        return
    if not await ctx.people.use_invite(invite, ctx.now):
        ctx.reply(t("join.used"))
        return
    if invite.member_id is not None and invite.transfer:
        await _transfer(ctx, invite.member_id)
    elif invite.member_id is not None:
        await _link(ctx, invite.member_id)
    else:
        await _join(ctx, invite)


async def _code_problem(ctx: Context, invite: Invite) -> str | None:
    if invite.member_id is not None:  # first: deactivation also revoked the person's codes
        target = await ctx.people.member(invite.member_id)
        if target is None or not target.active:
            return "people.target_inactive"
    if invite.revoked_at is not None:
        return "people.revoked"
    if invite.expires_at <= ctx.now:
        return "join.expired"
    return None


async def _join(ctx: Context, invite: Invite) -> None:
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
    name, role = ctx.member.name, ROLE_NAMES[invite.role]
    if unit is None:  # no unit: the organization once, not "Diskominfo X (Diskominfo X)"
        ctx.reply(t("join.welcome_org", name=name, role=role, org=ctx.org.name))
    else:
        ctx.reply(t("join.welcome", name=name, role=role, unit=unit.name, org=ctx.org.name))
    await show_help(ctx)


async def _link(ctx: Context, member_id: int) -> None:
    ev = ctx.ev
    await ctx.people.add_contact(
        member_id, channel=ev.channel, address=ev.sender, chat_id=ev.chat_id, now=ctx.now
    )
    ctx.member = await ctx.people.member(member_id)
    ctx.reply(t("join.linked", name=ctx.me.name))


async def _transfer(ctx: Context, member_id: int) -> None:
    """The person's new phone: this address replaces their old one on this channel. Drafts
    and reports are keyed by the member, so they come along."""
    ev = ctx.ev
    await ctx.people.move_address(
        member_id, channel=ev.channel, address=ev.sender, chat_id=ev.chat_id, now=ctx.now
    )
    ctx.member = await ctx.people.member(member_id)
    lines = [t("people.transferred", name=ctx.me.name)]
    if await ctx.reports.draft_of(ctx.me.id) is not None:
        lines.append(t("people.transferred_draft"))
    ctx.reply(*lines)


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
    lines = [t("join.link_code", code=invite.code)]
    if links:  # no "atau buka tautan:" with nothing after it (the other app off, or no link)
        lines += [t("join.link_open"), *[raw(link) for link in links]]
    ctx.reply(*lines)


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

"""People: invites, deactivation, moving to a new account, roles. One set of rules for chat
and the desk; each use case acts as ctx.member and answers with an Outcome (or, for a new
invite, the invite itself)."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from handlers.context import Context
from handlers.join import ROLE_NAMES
from handlers.messages import T, Text, t
from handlers.outcome import Outcome, done, refused
from handlers.units import not_coordinator
from storage.desk import RECENT
from storage.models import Invite, Member, Role
from storage.people import Revoke

log = logging.getLogger(__name__)

TRANSFER_HOURS = 24  # a transfer code is for today's new phone, not for a drawer
MAX_INVITE_USES = 999  # chat takes up to three digits

REVOKE_KEYS = {
    Revoke.REVOKED: "people.invite_revoked",
    Revoke.UNKNOWN: "people.invite_unknown",
    Revoke.USED: "people.invite_used",
    Revoke.ALREADY: "people.invite_already",
}


async def create_invite(ctx: Context, role: Role, unit: str | None, uses: int = 1) -> Invite | T:
    """A new invite for `role`, into the unit named or numbered `unit` (an operator needs
    one; archived units take nobody); otherwise why not."""
    if ctx.me.role != Role.COORDINATOR:
        return t("admin.only_coordinator")
    found = None
    if unit:
        found = await ctx.people.find_unit(ctx.org.id, unit)
        if found is None:
            return t("admin.unit_not_found", name=unit)
    if role == Role.OPERATOR and found is None:
        return t("admin.invite_needs_unit")
    return await ctx.people.add_invite(
        ctx.org.id,
        role=role,
        unit_id=found.id if found else None,
        max_uses=min(MAX_INVITE_USES, max(1, uses)),
        valid_for=timedelta(days=ctx.core.limits.invite_days),
        created_by=ctx.me.id,
        now=ctx.now,
    )


async def revoke_invite(ctx: Context, code: str) -> Outcome:
    """An unused invite stops working at once."""
    if refusal := not_coordinator(ctx):
        return refusal
    code = code.strip().lower()
    outcome = await ctx.people.revoke_invite(ctx.org.id, code, ctx.now)
    said = t(REVOKE_KEYS[outcome], code=code)
    return done(said) if outcome == Revoke.REVOKED else refused(said)


async def open_invites(ctx: Context) -> list[Invite]:
    """The invites that still work, without link and transfer codes (they are one person's)."""
    return [i for i in await ctx.people.open_invites(ctx.org.id, ctx.now) if i.member_id is None]


async def member_of_org(ctx: Context, member_id: int) -> Member | Outcome:
    member = await ctx.people.member(member_id)
    if member is None or member.org_id != ctx.org.id:
        return refused(t("people.not_found", name=str(member_id)))
    return member


async def deactivate(ctx: Context, member_id: int) -> Outcome:
    if refusal := not_coordinator(ctx):
        return refusal
    member = await member_of_org(ctx, member_id)
    if not isinstance(member, Member):
        return member
    if member.id == ctx.me.id:
        return refused(t("people.not_yourself"))
    if not member.active:
        return refused(t("people.already_inactive", name=member.name, id=member.id))
    await ctx.people.deactivate(member, by=ctx.me.id, now=ctx.now)
    return done(t("people.deactivated_done", name=member.name, id=member.id))


async def reactivate(ctx: Context, member_id: int) -> Outcome:
    if refusal := not_coordinator(ctx):
        return refusal
    member = await member_of_org(ctx, member_id)
    if not isinstance(member, Member):
        return member
    if member.active:
        return refused(t("people.already_active", name=member.name))
    unit = await ctx.people.unit(member.unit_id)
    if unit is not None and unit.archived_at is not None:  # reports nobody would count
        return refused(t("people.unit_gone", name=member.name, unit=unit.name, id=unit.id))
    await ctx.people.reactivate(member, by=ctx.me.id)
    return done(t("people.reactivated", name=member.name))


async def transfer(ctx: Context, member_id: int) -> Outcome:
    """A one-time code that moves the person to a new account (a new phone)."""
    if refusal := not_coordinator(ctx):
        return refusal
    member = await member_of_org(ctx, member_id)
    if not isinstance(member, Member):
        return member
    if not member.active:
        return refused(t("people.transfer_inactive", name=member.name))
    code = await ctx.people.add_transfer(
        member, valid_for=timedelta(hours=TRANSFER_HOURS), created_by=ctx.me.id, now=ctx.now
    )
    return done(*transfer_lines(ctx, member.name, code.code))


def transfer_lines(ctx: Context, name: str, code: str) -> list[T]:
    lines = [t("people.transfer_made", name=name, hours=TRANSFER_HOURS, code=code)]
    for channel, messenger in ctx.messengers.items():
        if channel == "whatsapp":
            lines.append(t("people.transfer_whatsapp", code=code))
        elif link := messenger.invite_link(code):
            lines.append(t("people.transfer_telegram_link", link=link))
        else:
            lines.append(t("people.transfer_telegram_code", code=code))
    lines.append(t("people.transfer_old"))
    return lines


async def change_role(ctx: Context, member_id: int, role: Role, unit: str | None = None) -> Outcome:
    """Give a member another role. An operator belongs to a unit (theirs, or the one given);
    the last active coordinator cannot step down, or nobody could manage Warta any more."""
    if refusal := not_coordinator(ctx):
        return refusal
    member = await member_of_org(ctx, member_id)
    if not isinstance(member, Member):
        return member
    unit_id = member.unit_id
    if unit:
        found = await ctx.people.find_unit(ctx.org.id, unit)
        if found is None:
            return refused(t("admin.unit_not_found", name=unit))
        unit_id = found.id
    shown = {"name": member.name, "role": ROLE_NAMES[role]}
    if member.role == role and unit_id == member.unit_id:
        return refused(t("people.role_same", **shown))
    if role == Role.OPERATOR and unit_id is None:
        return refused(t("people.role_needs_unit", **shown))
    if await _last_coordinator(ctx, member, role):
        mine = member.id == ctx.me.id
        return refused(t("people.last_coordinator_self" if mine else "people.last_coordinator"))
    old = member.role
    member.role, member.unit_id = role, unit_id
    await ctx.session.flush()
    RECENT.forget_member(member.id)  # their open desk pages follow the new role
    log.info("member %s role %s -> %s by %s", member.id, old, role, ctx.me.id)
    if member.active and member.id != ctx.me.id:  # they hear it from Warta, not by surprise
        told = Text([t("people.role_changed_you", role=ROLE_NAMES[role])])
        await ctx.send_member(member.id, told)
    return done(t("people.role_changed", **shown))


async def _last_coordinator(ctx: Context, member: Member, role: Role) -> bool:
    """Whether this would leave no active coordinator. Locked (PostgreSQL): two coordinators
    stepping down at once cannot both see the other still in office; the second waits, then
    counts again."""
    if member.role != Role.COORDINATOR or role == Role.COORDINATOR or not member.active:
        return False
    ids = await ctx.session.scalars(
        select(Member.id)
        .where(
            Member.org_id == ctx.org.id,
            Member.role == Role.COORDINATOR,
            Member.active.is_(True),
        )
        .with_for_update()
    )
    return len(list(ids)) <= 1

"""What a coordinator does in chat: units, invites, the member list."""

from __future__ import annotations

from datetime import timedelta

from handlers.context import Context
from handlers.join import ROLE_NAMES
from handlers.messages import raw, t
from storage.models import Role

ROLE_WORDS = {
    "operator": Role.OPERATOR,
    "admin": Role.OPERATOR,
    "redaktur": Role.EDITOR,
    "editor": Role.EDITOR,
    "koordinator": Role.COORDINATOR,
    "coordinator": Role.COORDINATOR,
}


def unit_kind(name: str) -> str:
    return "kecamatan" if name.lower().startswith("kecamatan") else "opd"


async def invite(ctx: Context) -> None:
    if ctx.me.role != Role.COORDINATOR:
        ctx.reply(t("admin.only_coordinator"))
        return
    args = list(ctx.ev.args)
    role = ROLE_WORDS.get(args.pop(0).lower()) if args else None
    if role is None:
        ctx.reply(t("admin.invite_usage"))
        return
    uses = int(args.pop()) if args and args[-1].isdigit() and len(args[-1]) <= 3 else 1
    unit = None
    if args:
        unit = await ctx.people.find_unit(ctx.org.id, " ".join(args))
        if unit is None:
            ctx.reply(t("admin.unit_not_found", name=" ".join(args)))
            return
    if role == Role.OPERATOR and unit is None:
        ctx.reply(t("admin.invite_needs_unit"))
        return
    days = ctx.core.limits.invite_days
    inv = await ctx.people.add_invite(
        ctx.org.id,
        role=role,
        unit_id=unit.id if unit else None,
        max_uses=max(1, uses),
        valid_for=timedelta(days=days),
        created_by=ctx.me.id,
        now=ctx.now,
    )
    link = ctx.invite_link(inv.code) or inv.code
    ctx.reply(
        t(
            "admin.invite_made",
            role=ROLE_NAMES[role],
            unit=unit.name if unit else "-",
            uses=inv.max_uses,
            days=days,
            link=link,
            code=inv.code,
        )
    )


async def units(ctx: Context) -> None:
    args = list(ctx.ev.args)
    if args and args[0].lower() == "tambah":
        if ctx.me.role != Role.COORDINATOR:
            ctx.reply(t("admin.only_coordinator"))
            return
        name = " ".join(args[1:]).strip()
        if not name:
            ctx.reply(t("admin.unit_usage"))
            return
        if await ctx.people.unit_named(ctx.org.id, name) is not None:
            ctx.reply(t("admin.unit_exists", name=name))
            return
        unit = await ctx.people.add_unit(ctx.org, name=name, kind=unit_kind(name), now=ctx.now)
        ctx.reply(t("admin.unit_added", name=unit.name, id=unit.id))
        return
    listed = await ctx.people.units(ctx.org.id)
    if not listed:
        ctx.reply(t("admin.no_units"))
        return
    ctx.reply(
        t("admin.units_header", count=len(listed)),
        *[raw(f"{u.id}. {u.name} ({u.kind})") for u in listed],
    )


async def members(ctx: Context) -> None:
    if ctx.me.role == Role.OPERATOR:
        ctx.reply(t("admin.only_coordinator"))
        return
    rows = await ctx.people.members(ctx.org.id)
    lines = [t("admin.members_header", count=len(rows))]
    for member, unit, contacts in rows:
        channels = ", ".join(sorted({c.channel for c in contacts}))
        lines.append(
            raw(
                f"• {member.name} — {member.role.value}"
                f"{' · ' + unit.name if unit else ''} ({channels})"
            )
        )
    ctx.reply(*lines)

"""What a coordinator does in chat: units, invites, the member list, people who leave."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from handlers.context import Context
from handlers.join import ROLE_NAMES
from handlers.messages import T, raw, t
from handlers.timefmt import when
from storage.models import Member, Role, Unit
from storage.people import Revoke

ROLE_WORDS = {
    "operator": Role.OPERATOR,
    "admin": Role.OPERATOR,
    "redaktur": Role.EDITOR,
    "editor": Role.EDITOR,
    "koordinator": Role.COORDINATOR,
    "coordinator": Role.COORDINATOR,
}
TRANSFER_HOURS = 24  # a transfer code is for today's new phone, not for a drawer


def unit_kind(name: str) -> str:
    return "kecamatan" if name.lower().startswith("kecamatan") else "opd"


async def invite(ctx: Context) -> None:
    if ctx.me.role != Role.COORDINATOR:
        ctx.reply(t("admin.only_coordinator"))
        return
    args = list(ctx.ev.args)
    action = INVITE_ACTIONS.get(args[0].lower()) if args else None
    if action is not None:
        await action(ctx, args[1:])
        return
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
    shown = {"role": ROLE_NAMES[role], "uses": inv.max_uses, "days": days, "link": link}
    if unit is None:  # an editor's or coordinator's invite: no "untuk -"
        ctx.reply(t("admin.invite_made_org", code=inv.code, **shown))
    else:
        ctx.reply(t("admin.invite_made", unit=unit.name, code=inv.code, **shown))


async def revoke_invite(ctx: Context, args: list[str]) -> None:
    """/undang cabut <kode>: an unused invite stops working at once."""
    if len(args) != 1:
        ctx.reply(t("people.invite_usage"))
        return
    code = args[0].lower()
    outcome = await ctx.people.revoke_invite(ctx.org.id, code, ctx.now)
    ctx.reply(t(REVOKE_KEYS[outcome], code=code))


REVOKE_KEYS = {
    Revoke.REVOKED: "people.invite_revoked",
    Revoke.UNKNOWN: "people.invite_unknown",
    Revoke.USED: "people.invite_used",
    Revoke.ALREADY: "people.invite_already",
}


async def list_invites(ctx: Context, _args: list[str]) -> None:
    """/undang daftar: the invites that still work (to find the code to revoke)."""
    open_ = [i for i in await ctx.people.open_invites(ctx.org.id, ctx.now) if i.member_id is None]
    if not open_:
        ctx.reply(t("people.no_invites"))
        return
    names = {u.id: u.name for u in await ctx.people.units(ctx.org.id, with_archived=True)}
    lines = [t("people.invites_header", count=len(open_))]
    for inv in open_:
        unit = _unit_part(ctx, names[inv.unit_id]) if inv.unit_id in names else ""
        lines.append(
            t(
                "people.invite_line",
                code=inv.code,
                role=ROLE_NAMES[inv.role],
                unit=unit,
                uses=inv.uses,
                max_uses=inv.max_uses,
                until=when(inv.expires_at, ctx.core.tz),
            )
        )
    ctx.reply(*lines)


INVITE_ACTIONS: dict[str, Callable[[Context, list[str]], Awaitable[None]]] = {
    "cabut": revoke_invite,
    "daftar": list_invites,
}


async def units(ctx: Context) -> None:
    args = list(ctx.ev.args)
    action = args[0].lower() if args else ""
    if action == "tambah":
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
    if action in UNIT_ACTIONS:
        if ctx.me.role != Role.COORDINATOR:
            ctx.reply(t("admin.only_coordinator"))
            return
        await UNIT_ACTIONS[action](ctx, args[1:])
        return
    archived = len(await ctx.people.archived_units(ctx.org.id))
    footer = [t("people.archived_footer", count=archived)] if archived else []
    await _list_units(ctx, await ctx.people.units(ctx.org.id), "admin.units_header", footer)


async def _list_units(
    ctx: Context, listed: list[Unit], header: str, footer: list[T] | None = None
) -> None:
    if not listed:
        ctx.reply(t("admin.no_units"), *(footer or []))
        return
    ctx.reply(
        t(header, count=len(listed)),
        *[raw(f"{u.id}. {u.name} ({u.kind})") for u in listed],
        *(footer or []),
    )


async def _numbered_unit(ctx: Context, word: str) -> Unit | None:
    unit = (
        await ctx.people.find_unit(ctx.org.id, word, with_archived=True) if word.isdigit() else None
    )
    if unit is None:
        ctx.reply(t("people.unit_not_found", id=word))
    return unit


async def rename_unit(ctx: Context, args: list[str]) -> None:
    """/unit ganti <nomor> <nama baru>"""
    name = " ".join(args[1:]).strip()
    if not args or not name:
        ctx.reply(t("people.units_usage"))
        return
    unit = await _numbered_unit(ctx, args[0])
    if unit is None:
        return
    other = await ctx.people.unit_named(ctx.org.id, name)
    if other is not None and other.id != unit.id:
        ctx.reply(t("admin.unit_exists", name=name))
        return
    old = unit.name
    await ctx.people.rename_unit(unit, name)
    ctx.reply(t("people.unit_renamed", old=old, name=unit.name))


async def merge_unit(ctx: Context, args: list[str]) -> None:
    """/unit gabung <nomor> <nomor tujuan>: members and reports move, numbers stay."""
    if len(args) != 2:
        ctx.reply(t("people.units_usage"))
        return
    source = await _numbered_unit(ctx, args[0])
    target = await _numbered_unit(ctx, args[1]) if source else None
    if source is None or target is None:
        return
    if source.id == target.id or target.archived_at is not None:
        ctx.reply(t("people.unit_same" if source.id == target.id else "people.units_usage"))
        return
    moved = await ctx.people.merge_units(source, target, actor_id=ctx.me.id, now=ctx.now)
    ctx.reply(
        t(
            "people.unit_merged",
            source=source.name,
            target=target.name,
            members=moved.members,
            reports=moved.reports,
        )
    )


async def archive_unit(ctx: Context, args: list[str]) -> None:
    """/unit arsip <nomor>; without a number, the archived units."""
    if not args:
        archived = await ctx.people.archived_units(ctx.org.id)
        await _list_units(ctx, archived, "people.archived_header")
        return
    unit = await _numbered_unit(ctx, args[0])
    if unit is None:
        return
    if unit.archived_at is not None:
        ctx.reply(t("people.unit_already_archived", name=unit.name))
        return
    members = await ctx.people.active_members_of(unit.id)
    if members:  # their reports would vanish from recaps: merge or deactivate them first
        ctx.reply(t("people.unit_has_members", name=unit.name, count=members, id=unit.id))
        return
    await ctx.people.archive_unit(unit, ctx.now)
    ctx.reply(t("people.unit_archived", name=unit.name, id=unit.id))


async def restore_unit(ctx: Context, args: list[str]) -> None:
    """/unit pulihkan <nomor>"""
    unit = await _numbered_unit(ctx, args[0]) if args else None
    if unit is None:
        return
    if unit.archived_at is None:
        ctx.reply(t("people.unit_not_archived", name=unit.name))
        return
    await ctx.people.restore_unit(unit)
    ctx.reply(t("people.unit_restored", name=unit.name))


UNIT_ACTIONS: dict[str, Callable[[Context, list[str]], Awaitable[None]]] = {
    "ganti": rename_unit,
    "gabung": merge_unit,
    "arsip": archive_unit,
    "pulihkan": restore_unit,
}


async def members(ctx: Context) -> None:
    if ctx.me.role == Role.OPERATOR:
        ctx.reply(t("admin.only_coordinator"))
        return
    args = list(ctx.ev.args)
    action = MEMBER_ACTIONS.get(args[0].lower()) if args else None
    if args and action is None:
        ctx.reply(t("people.members_usage"))
        return
    if action is not None:
        if ctx.me.role != Role.COORDINATOR:
            ctx.reply(t("admin.only_coordinator"))
            return
        member = await _one_member(ctx, " ".join(args[1:]))
        if member is not None:
            await action(ctx, member)
        return
    rows = await ctx.people.members(ctx.org.id)
    lines = [t("admin.members_header", count=len(rows))]
    for member, unit, contacts in rows:
        shown = {
            "id": member.id,
            "name": member.name,
            "role": ROLE_NAMES[member.role],
            "unit": _unit_part(ctx, unit.name) if unit else "",
        }
        if not member.active:
            lines.append(t("people.member_inactive", **shown))
            continue
        channels = ", ".join(sorted({c.channel for c in contacts}))
        lines.append(t("people.member_line", channels=channels, **shown))
    ctx.reply(*lines)


def _unit_part(ctx: Context, name: str) -> str:
    return ctx.core.texts.render(t("people.member_unit", unit=name))


async def _one_member(ctx: Context, wanted: str) -> Member | None:
    if not wanted.strip():
        ctx.reply(t("people.members_usage"))
        return None
    found = await ctx.people.find_member(ctx.org.id, wanted)
    if len(found) == 1:
        return found[0]
    if not found:
        ctx.reply(t("people.not_found", name=wanted))
    else:
        names = ", ".join(f"{m.id}. {m.name}" for m in found[:5])
        ctx.reply(t("people.ambiguous", name=wanted, names=names))
    return None


async def deactivate_member(ctx: Context, member: Member) -> None:
    if member.id == ctx.me.id:
        ctx.reply(t("people.not_yourself"))
        return
    if not member.active:
        ctx.reply(t("people.already_inactive", name=member.name, id=member.id))
        return
    await ctx.people.deactivate(member, by=ctx.me.id, now=ctx.now)
    ctx.reply(t("people.deactivated_done", name=member.name, id=member.id))


async def reactivate_member(ctx: Context, member: Member) -> None:
    if member.active:
        ctx.reply(t("people.already_active", name=member.name))
        return
    unit = await ctx.people.unit(member.unit_id)
    if unit is not None and unit.archived_at is not None:  # reports nobody would count
        ctx.reply(t("people.unit_gone", name=member.name, unit=unit.name, id=unit.id))
        return
    await ctx.people.reactivate(member, by=ctx.me.id)
    ctx.reply(t("people.reactivated", name=member.name))


async def transfer_member(ctx: Context, member: Member) -> None:
    """/anggota pindah <nomor>: a one-time code that moves the person to a new account."""
    if not member.active:
        ctx.reply(t("people.transfer_inactive", name=member.name))
        return
    code = await ctx.people.add_transfer(
        member, valid_for=timedelta(hours=TRANSFER_HOURS), created_by=ctx.me.id, now=ctx.now
    )
    ctx.reply(*transfer_lines(ctx, member.name, code.code))


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


MEMBER_ACTIONS: dict[str, Callable[[Context, Member], Awaitable[None]]] = {
    "nonaktifkan": deactivate_member,
    "nonaktif": deactivate_member,
    "aktifkan": reactivate_member,
    "aktif": reactivate_member,
    "pindah": transfer_member,
}

"""What a coordinator does in chat: units, invites, the member list, people who leave.

These handlers read the command, call the use cases in handlers/units.py and
handlers/members.py (the desk calls the same ones) and reply with what they answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from handlers import members as people_cases
from handlers import units as unit_cases
from handlers.context import Context
from handlers.join import ROLE_NAMES
from handlers.messages import T, raw, t
from handlers.outcome import Outcome
from handlers.timefmt import when
from storage.models import Invite, Member, Role, Unit

ROLE_WORDS = {
    "operator": Role.OPERATOR,
    "admin": Role.OPERATOR,
    "redaktur": Role.EDITOR,
    "editor": Role.EDITOR,
    "koordinator": Role.COORDINATOR,
    "coordinator": Role.COORDINATOR,
}
FORCE_WORD = "paksa"  # /unit tambah paksa <nama>: a unit whose name is close to another's


def say(ctx: Context, outcome: Outcome) -> None:
    ctx.reply(*outcome.lines)


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
    made = await people_cases.create_invite(ctx, role, " ".join(args) or None, uses)
    if not isinstance(made, Invite):
        ctx.reply(made)
        return
    ctx.reply(await invite_text(ctx, made, ctx.invite_link(made.code) or made.code))


async def invite_text(ctx: Context, inv: Invite, link: str) -> T:
    days = ctx.core.limits.invite_days
    shown = {"role": ROLE_NAMES[inv.role], "uses": inv.max_uses, "days": days, "link": link}
    unit = await ctx.people.unit(inv.unit_id)
    if unit is None:  # an editor's or coordinator's invite: no "untuk -"
        return t("admin.invite_made_org", code=inv.code, **shown)
    return t("admin.invite_made", unit=unit.name, code=inv.code, **shown)


async def revoke_invite(ctx: Context, args: list[str]) -> None:
    """/undang cabut <kode>: an unused invite stops working at once."""
    if len(args) != 1:
        ctx.reply(t("people.invite_usage"))
        return
    say(ctx, await people_cases.revoke_invite(ctx, args[0]))


async def list_invites(ctx: Context, _args: list[str]) -> None:
    """/undang daftar: the invites that still work (to find the code to revoke)."""
    open_ = await people_cases.open_invites(ctx)
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


async def add_unit(ctx: Context, args: list[str]) -> None:
    """/unit tambah <nama>; /unit tambah paksa <nama> when it is close to another unit's."""
    force = bool(args) and args[0].lower() == FORCE_WORD
    name = " ".join(args[1:] if force else args)
    outcome = await unit_cases.add_unit(ctx, name, force=force)
    hint = [t("units.similar_chat", name=name)] if outcome.key == "units.similar" else []
    ctx.reply(*outcome.lines, *hint)


async def rename_unit(ctx: Context, args: list[str]) -> None:
    """/unit ganti <nomor> <nama baru>"""
    if not args:
        ctx.reply(t("people.units_usage"))
        return
    say(ctx, await unit_cases.rename_unit(ctx, args[0], " ".join(args[1:])))


async def merge_unit(ctx: Context, args: list[str]) -> None:
    """/unit gabung <nomor> <nomor tujuan>: members and reports move, numbers stay."""
    if len(args) != 2:
        ctx.reply(t("people.units_usage"))
        return
    say(ctx, await unit_cases.merge_unit(ctx, args[0], args[1]))


async def archive_unit(ctx: Context, args: list[str]) -> None:
    """/unit arsip <nomor>; without a number, the archived units."""
    if not args:
        archived = await ctx.people.archived_units(ctx.org.id)
        await _list_units(ctx, archived, "people.archived_header")
        return
    say(ctx, await unit_cases.archive_unit(ctx, args[0]))


async def restore_unit(ctx: Context, args: list[str]) -> None:
    """/unit pulihkan <nomor>"""
    if not args:
        ctx.reply(t("people.units_usage"))
        return
    say(ctx, await unit_cases.restore_unit(ctx, args[0]))


UNIT_ACTIONS: dict[str, Callable[[Context, list[str]], Awaitable[None]]] = {
    "tambah": add_unit,
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
    word = args[0].lower() if args else ""
    if args and word not in MEMBER_ACTIONS and word != "peran":
        ctx.reply(t("people.members_usage"))
        return
    if args:
        if ctx.me.role != Role.COORDINATOR:
            ctx.reply(t("admin.only_coordinator"))
            return
        if word == "peran":
            await change_role(ctx, args[1:])
            return
        member = await _one_member(ctx, " ".join(args[1:]))
        if member is not None:
            say(ctx, await MEMBER_ACTIONS[word](ctx, member.id))
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


async def change_role(ctx: Context, args: list[str]) -> None:
    """/anggota peran <nomor> <peran> [unit]: e.g. /anggota peran 12 redaktur."""
    role = ROLE_WORDS.get(args[1].lower()) if len(args) >= 2 else None
    if role is None:
        ctx.reply(t("people.role_usage"))
        return
    member = await _one_member(ctx, args[0])
    if member is not None:
        say(ctx, await people_cases.change_role(ctx, member.id, role, " ".join(args[2:]) or None))


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


MEMBER_ACTIONS: dict[str, Callable[[Context, int], Awaitable[Outcome]]] = {
    "nonaktifkan": people_cases.deactivate,
    "nonaktif": people_cases.deactivate,
    "aktifkan": people_cases.reactivate,
    "aktif": people_cases.reactivate,
    "pindah": people_cases.transfer,
}

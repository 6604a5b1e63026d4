"""Units (kecamatan, OPD): the one set of rules for chat, the desk and, for names, the CLI.

Every use case acts as ctx.member (a coordinator) and answers with an Outcome: the texts to
show, and whether it was done. Units are named by their number.
"""

from __future__ import annotations

import unicodedata

from handlers.context import Context
from handlers.messages import t
from handlers.outcome import Outcome, done, refused
from storage.models import Role, Unit

# Words that set units apart in name only: "Bogor Barat" is "Kecamatan Bogor Barat".
UNIT_PREFIXES = ("kecamatan", "kec", "kelurahan", "kel", "desa", "dinas")
UNIT_KINDS = ("kecamatan", "opd", "kelurahan", "lain")
MAX_UNIT_NAME = 200


def unit_kind(name: str) -> str:
    return "kecamatan" if name.lower().startswith("kecamatan") else "opd"


def unit_key(name: str) -> str:
    """What two names of one unit share: case, dots, spacing and a leading kind word aside."""
    words = name.lower().replace(".", " ").split()
    while len(words) > 1 and words[0] in UNIT_PREFIXES:
        words = words[1:]
    return " ".join(words)


def tidy_unit_name(text: str) -> str:
    """The name as it will be shown: invisible characters out, spaces collapsed."""
    visible = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text)
    return " ".join(visible.split())


def not_coordinator(ctx: Context) -> Outcome | None:
    if ctx.me.role != Role.COORDINATOR:
        return refused(t("admin.only_coordinator"))
    return None


async def add_unit(
    ctx: Context, name: str, *, kind: str | None = None, force: bool = False
) -> Outcome:
    """A new unit, unless one of that name, or (without force) a near-duplicate, exists: a
    second unit for one kecamatan splits its reports, recap and invites."""
    if refusal := not_coordinator(ctx):
        return refusal
    name = tidy_unit_name(name)
    if not name:
        return refused(t("admin.unit_usage"))
    if len(name) > MAX_UNIT_NAME:
        return refused(t("units.name_long", max=MAX_UNIT_NAME))
    if await ctx.people.unit_named(ctx.org.id, name) is not None:
        return refused(t("admin.unit_exists", name=name))
    similar = [u for u in await ctx.people.units(ctx.org.id) if unit_key(u.name) == unit_key(name)]
    if similar and not force:
        names = ", ".join(f"{u.id}. {u.name}" for u in similar)
        return refused(t("units.similar", name=name, names=names))
    kind = kind if kind in UNIT_KINDS else unit_kind(name)
    unit = await ctx.people.add_unit(ctx.org, name=name, kind=kind, now=ctx.now)
    return done(t("admin.unit_added", name=unit.name, id=unit.id))


async def numbered_unit(ctx: Context, number: int | str) -> Unit | Outcome:
    """The organization's unit with that number (archived too), or the refusal."""
    word = str(number)
    unit = (
        await ctx.people.find_unit(ctx.org.id, word, with_archived=True) if word.isdigit() else None
    )
    return unit if unit is not None else refused(t("people.unit_not_found", id=word))


async def rename_unit(ctx: Context, unit_id: int | str, name: str) -> Outcome:
    if refusal := not_coordinator(ctx):
        return refusal
    name = tidy_unit_name(name)
    if not name:
        return refused(t("people.units_usage"))
    if len(name) > MAX_UNIT_NAME:
        return refused(t("units.name_long", max=MAX_UNIT_NAME))
    unit = await numbered_unit(ctx, unit_id)
    if not isinstance(unit, Unit):
        return unit
    other = await ctx.people.unit_named(ctx.org.id, name)
    if other is not None and other.id != unit.id:
        return refused(t("admin.unit_exists", name=name))
    old = unit.name
    await ctx.people.rename_unit(unit, name)
    return done(t("people.unit_renamed", old=old, name=unit.name))


async def merge_unit(ctx: Context, source_id: int | str, target_id: int | str) -> Outcome:
    """Members and reports move to the target, numbers stay; the source is archived."""
    if refusal := not_coordinator(ctx):
        return refusal
    source = await numbered_unit(ctx, source_id)
    if not isinstance(source, Unit):
        return source
    target = await numbered_unit(ctx, target_id)
    if not isinstance(target, Unit):
        return target
    if source.id == target.id:
        return refused(t("people.unit_same"))
    if target.archived_at is not None:
        return refused(t("units.target_archived", name=target.name, id=target.id))
    moved = await ctx.people.merge_units(source, target, actor_id=ctx.me.id, now=ctx.now)
    return done(
        t(
            "people.unit_merged",
            source=source.name,
            target=target.name,
            members=moved.members,
            reports=moved.reports,
        )
    )


async def archive_unit(ctx: Context, unit_id: int | str) -> Outcome:
    if refusal := not_coordinator(ctx):
        return refusal
    unit = await numbered_unit(ctx, unit_id)
    if not isinstance(unit, Unit):
        return unit
    if unit.archived_at is not None:
        return refused(t("people.unit_already_archived", name=unit.name))
    members = await ctx.people.active_members_of(unit.id)
    if members:  # their reports would vanish from recaps: merge or deactivate them first
        return refused(t("people.unit_has_members", name=unit.name, count=members, id=unit.id))
    await ctx.people.archive_unit(unit, ctx.now)
    return done(t("people.unit_archived", name=unit.name, id=unit.id))


async def restore_unit(ctx: Context, unit_id: int | str) -> Outcome:
    if refusal := not_coordinator(ctx):
        return refusal
    unit = await numbered_unit(ctx, unit_id)
    if not isinstance(unit, Unit):
        return unit
    if unit.archived_at is None:
        return refused(t("people.unit_not_archived", name=unit.name))
    await ctx.people.restore_unit(unit)
    return done(t("people.unit_restored", name=unit.name))

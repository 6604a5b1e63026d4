"""What the coordinator pages read: units with their activity, members with their channels,
open invites (read-only queries, no use case involved)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Contact, Invite, Member, Report, Role, Unit
from storage.people import People

KIND_LABELS = {"kecamatan": "Kecamatan", "opd": "OPD", "kelurahan": "Kelurahan", "lain": "Lainnya"}
CHANNEL_LABELS = {"telegram": "Telegram", "whatsapp": "WhatsApp"}
ROLES = {role.value: role for role in Role}


@dataclass(frozen=True)
class UnitRow:
    unit: Unit
    members: int
    last_report: datetime | None


@dataclass(frozen=True)
class MemberRow:
    member: Member
    unit: str | None
    channels: list[str]


async def unit_rows(session: AsyncSession, org_id: int) -> list[UnitRow]:
    """Every unit with its active members and its last submitted report, by name."""
    counted = await session.execute(
        select(Member.unit_id, func.count())
        .where(Member.org_id == org_id, Member.active.is_(True))
        .group_by(Member.unit_id)
    )
    members = {unit_id: count for unit_id, count in counted.all()}
    newest = await session.execute(
        select(Report.unit_id, func.max(Report.submitted_at))
        .where(Report.org_id == org_id, Report.submitted_at.is_not(None))
        .group_by(Report.unit_id)
    )
    last = {unit_id: at for unit_id, at in newest.all()}
    units = await session.scalars(select(Unit).where(Unit.org_id == org_id).order_by(Unit.name))
    return [UnitRow(u, members.get(u.id, 0), last.get(u.id)) for u in units]


async def member_rows(session: AsyncSession, org_id: int) -> list[MemberRow]:
    """Every member with their unit's name and channels: active first, by role, unit, name."""
    rows = await session.execute(
        select(Member, Unit.name)
        .outerjoin(Unit, Unit.id == Member.unit_id)
        .where(Member.org_id == org_id)
        .order_by(Member.active.desc(), Member.role, Unit.name, Member.name)
    )
    channels: dict[int, set[str]] = {}
    contacts = await session.execute(
        select(Contact.member_id, Contact.channel)
        .join(Member, Member.id == Contact.member_id)
        .where(Member.org_id == org_id)
    )
    for member_id, channel in contacts.all():
        channels.setdefault(member_id, set()).add(channel)
    return [
        MemberRow(m, unit, sorted(CHANNEL_LABELS.get(c, c) for c in channels.get(m.id, ())))
        for m, unit in rows.all()
    ]


async def open_invites(session: AsyncSession, org_id: int, now: datetime) -> list[Invite]:
    """Invites that still work, newest first, without one person's link and transfer codes
    (as /undang daftar lists them)."""
    found = await People(session).open_invites(org_id, now)
    return [i for i in reversed(found) if i.member_id is None]

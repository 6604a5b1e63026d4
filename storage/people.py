"""Organizations, units, members, their channel contacts, and invites."""

from __future__ import annotations

import enum
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, event, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from storage.db import dialect_insert
from storage.desk import Logins
from storage.models import (
    ChatWindow,
    Contact,
    Invite,
    Member,
    Organization,
    Report,
    ReportEvent,
    Role,
    Unit,
    utcnow,
)

log = logging.getLogger(__name__)

# Unambiguous characters only: codes are read aloud and typed on WhatsApp.
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_invite_code(length: int = 10) -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(length))


# Unit changes made by this process: a cache of unit names (the caption coach's) is stale once
# this moved on. Other processes' changes reach such a cache by its age.
_units_version = 0


def units_version() -> int:
    return _units_version


UNITS_CHANGED = "warta_units_changed"  # in session.info: moved on again once committed


def _units_changed(session: AsyncSession) -> None:
    """Now (this transaction's own reads) and again at commit: a read in another transaction
    meanwhile saw the old names and must not keep them under the new version."""
    global _units_version
    _units_version += 1
    session.info[UNITS_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _units_committed(session: Session) -> None:
    global _units_version
    if session.info.pop(UNITS_CHANGED, None):
        _units_version += 1


class People:
    """Repository for organizations, units, members, contacts and invites."""

    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def default_org(self, *, name: str, timezone: str) -> Organization:
        org = await self.s.scalar(select(Organization).order_by(Organization.id).limit(1))
        if org is None:
            org = Organization(name=name, timezone=timezone)
            self.s.add(org)
            await self.s.flush()
        return org

    async def org(self, org_id: int) -> Organization:
        org = await self.s.get(Organization, org_id)
        assert org is not None
        return org

    async def add_unit(
        self, org: Organization, *, name: str, kind: str, now: datetime | None = None
    ) -> Unit:
        unit = Unit(org_id=org.id, name=name.strip(), kind=kind, created_at=now or utcnow())
        self.s.add(unit)
        await self.s.flush()
        _units_changed(self.s)
        return unit

    async def units(self, org_id: int, *, with_archived: bool = False) -> list[Unit]:
        """The units that report (lists, nudges, invites); archived ones too when asked
        (names of past reports in a recap)."""
        query = select(Unit).where(Unit.org_id == org_id).order_by(Unit.name)
        if not with_archived:
            query = query.where(Unit.archived_at.is_(None))
        return list(await self.s.scalars(query))

    async def archived_units(self, org_id: int) -> list[Unit]:
        rows = await self.s.scalars(
            select(Unit)
            .where(Unit.org_id == org_id, Unit.archived_at.is_not(None))
            .order_by(Unit.name)
        )
        return list(rows)

    async def unit(self, unit_id: int | None) -> Unit | None:
        return None if unit_id is None else await self.s.get(Unit, unit_id)

    async def unit_named(self, org_id: int, name: str) -> Unit | None:
        return await self.s.scalar(
            select(Unit).where(Unit.org_id == org_id, func.lower(Unit.name) == name.strip().lower())
        )

    async def find_unit(
        self, org_id: int, name_or_id: str, *, with_archived: bool = False
    ) -> Unit | None:
        """A unit by number, exact name, or a unique part of its name; archived units only
        when asked (an invite never names one)."""
        query = select(Unit).where(Unit.org_id == org_id)
        if not with_archived:
            query = query.where(Unit.archived_at.is_(None))
        if name_or_id.isdigit():
            return await self.s.scalar(query.where(Unit.id == int(name_or_id)))
        exact = await self.s.scalar(
            query.where(func.lower(Unit.name) == name_or_id.strip().lower())
        )
        if exact:
            return exact
        wanted = name_or_id.strip().lower()
        like = list(await self.s.scalars(query.where(func.lower(Unit.name).contains(wanted))))
        return like[0] if len(like) == 1 else None

    async def member_by_address(self, channel: str, address: str) -> Member | None:
        found = await self.member_and_last_inbound(channel, address)
        return found[0] if found else None

    async def member_and_last_inbound(
        self, channel: str, address: str
    ) -> tuple[Member, datetime | None] | None:
        """The active member at an address, and when they last wrote from it."""
        row = (
            await self.s.execute(
                select(Member, Contact.last_inbound_at)
                .join(Contact, Contact.member_id == Member.id)
                .where(Contact.channel == channel, Contact.address == address, Member.active)
            )
        ).first()
        return (row[0], row[1]) if row else None

    async def deactivated_at_address(self, channel: str, address: str) -> Member | None:
        """The switched-off member behind an address, so they are told rather than treated as
        a stranger."""
        return await self.s.scalar(
            select(Member)
            .join(Contact, Contact.member_id == Member.id)
            .where(Contact.channel == channel, Contact.address == address, ~Member.active)
        )

    async def member(self, member_id: int | None) -> Member | None:
        return None if member_id is None else await self.s.get(Member, member_id)

    async def active_member_reached_at(self, member_id: int) -> tuple[Member, Contact] | None:
        """An active member and the contact they used last (as contacts() orders them)."""
        row = (
            await self.s.execute(
                select(Member, Contact)
                .join(Contact, Contact.member_id == Member.id)
                .where(Member.id == member_id, Member.active)
                .order_by(Contact.last_inbound_at.desc().nulls_last(), Contact.id.desc())
                .limit(1)
            )
        ).first()
        return (row[0], row[1]) if row else None

    async def contacts(self, member_id: int) -> list[Contact]:
        """A person's channel addresses, the one they used last first."""
        rows = await self.s.scalars(
            select(Contact)
            .where(Contact.member_id == member_id)
            .order_by(Contact.last_inbound_at.desc().nulls_last(), Contact.id.desc())
        )
        return list(rows)

    async def add_contact(
        self, member_id: int, *, channel: str, address: str, chat_id: str, now: datetime
    ) -> None:
        """Link another channel to a person: one member, reachable on both."""
        self.s.add(
            Contact(
                member_id=member_id,
                channel=channel,
                address=address,
                chat_id=chat_id,
                last_inbound_at=now,
            )
        )
        await self.s.flush()

    async def add_member(
        self,
        org_id: int,
        *,
        role: Role,
        name: str,
        unit_id: int | None,
        channel: str,
        address: str,
        chat_id: str,
    ) -> Member:
        member = Member(org_id=org_id, role=role, name=name[:200], unit_id=unit_id)
        self.s.add(member)
        await self.s.flush()
        self.s.add(Contact(member_id=member.id, channel=channel, address=address, chat_id=chat_id))
        await self.s.flush()
        return member

    async def members(self, org_id: int) -> list[tuple[Member, Unit | None, list[Contact]]]:
        rows = await self.s.execute(
            select(Member, Unit)
            .outerjoin(Unit, Unit.id == Member.unit_id)
            .where(Member.org_id == org_id)
            .order_by(Member.role, Unit.name, Member.name)
        )
        result: list[tuple[Member, Unit | None, list[Contact]]] = []
        for member, unit in rows.all():
            result.append((member, unit, await self.contacts(member.id)))
        return result

    async def touch_contact(self, channel: str, address: str, now: datetime) -> None:
        """The person wrote: on WhatsApp this opens the 24-hour window for free-form replies."""
        await self.s.execute(
            update(Contact)
            .where(Contact.channel == channel, Contact.address == address)
            .values(last_inbound_at=now)
        )

    async def open_window(self, channel: str, chat_id: str, now: datetime) -> None:
        """Someone wrote in this chat (member or not): free-form replies are allowed for 24 h."""
        insert_ = dialect_insert(self.s)(ChatWindow).values(
            channel=channel, chat_id=chat_id, opened_at=now
        )
        await self.s.execute(
            insert_.on_conflict_do_update(
                index_elements=["channel", "chat_id"], set_={"opened_at": now}
            )
        )

    async def window_opened_at(self, channel: str, chat_id: str) -> datetime | None:
        return await self.s.scalar(
            select(ChatWindow.opened_at).where(
                ChatWindow.channel == channel, ChatWindow.chat_id == chat_id
            )
        )

    async def decider_chats(
        self, org_id: int, roles: tuple[Role, ...], channels: tuple[str, ...]
    ) -> list[tuple[str, str]]:
        """(channel, chat) of active members with these roles on these channels: one query."""
        rows = await self.s.execute(
            select(Contact.channel, Contact.chat_id)
            .join(Member, Member.id == Contact.member_id)
            .where(
                Member.org_id == org_id,
                Member.active.is_(True),
                Member.role.in_(roles),
                Contact.channel.in_(channels),
            )
            .order_by(Contact.id)
        )
        return [(channel, chat_id) for channel, chat_id in rows]

    async def reachable_operators(
        self, org_id: int, *, unit_id: int | None = None, channels: tuple[str, ...] | None = None
    ) -> list[tuple[Member, Contact]]:
        """Active operators who want reminders, each with the contact they used last (one
        query, for reminders and nudges; optionally one unit's, or on some channels only)."""
        query = (
            select(Member, Contact)
            .join(Contact, Contact.member_id == Member.id)
            .where(
                Member.org_id == org_id,
                Member.active.is_(True),
                Member.reminders_on.is_(True),
                Member.role == Role.OPERATOR,
            )
            .order_by(Member.id, Contact.last_inbound_at.desc().nulls_last(), Contact.id.desc())
        )
        if unit_id is not None:
            query = query.where(Member.unit_id == unit_id)
        if channels is not None:
            query = query.where(Contact.channel.in_(channels))
        chosen: dict[int, tuple[Member, Contact]] = {}
        for member, contact in await self.s.execute(query):
            chosen.setdefault(member.id, (member, contact))
        return list(chosen.values())

    async def members_by_id(self, org_id: int) -> dict[int, Member]:
        rows = await self.s.scalars(select(Member).where(Member.org_id == org_id))
        return {m.id: m for m in rows}

    async def add_invite(
        self,
        org_id: int,
        *,
        role: Role,
        unit_id: int | None,
        max_uses: int,
        valid_for: timedelta,
        created_by: int | None,
        now: datetime,
        links_member: int | None = None,
        transfer: bool = False,
    ) -> Invite:
        invite = Invite(
            org_id=org_id,
            code=new_invite_code(),
            role=role,
            unit_id=unit_id,
            max_uses=max_uses,
            expires_at=now + valid_for,
            created_at=now,
            created_by=created_by,
            member_id=links_member,
            transfer=transfer,
        )
        self.s.add(invite)
        await self.s.flush()
        return invite

    async def invite(self, code: str) -> Invite | None:
        return await self.s.scalar(select(Invite).where(Invite.code == code.strip().lower()))

    async def use_invite(self, invite: Invite, now: datetime) -> bool:
        """Count one use; False when it is used up or expired (checked in the same UPDATE)."""
        result = await self.s.execute(
            update(Invite)
            .where(Invite.id == invite.id, Invite.uses < Invite.max_uses, Invite.expires_at > now)
            .where(Invite.revoked_at.is_(None))
            .values(uses=Invite.uses + 1)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]

    # --- People and units leave (deactivation, revoked invites, transfers, merges) ---

    async def find_member(self, org_id: int, number_or_name: str) -> list[Member]:
        """Members by number, exact name, or part of the name: one, none, or the candidates."""
        query = select(Member).where(Member.org_id == org_id).order_by(Member.id)
        wanted = number_or_name.strip().lower()
        if wanted.isdigit():
            return list(await self.s.scalars(query.where(Member.id == int(wanted))))
        exact = list(await self.s.scalars(query.where(func.lower(Member.name) == wanted)))
        if exact or not wanted:
            return exact
        return list(await self.s.scalars(query.where(func.lower(Member.name).contains(wanted))))

    async def deactivate(self, member: Member, *, by: int | None, now: datetime) -> None:
        """Switch a person off: every address is refused from now on, their own link and
        transfer codes die with it; reports, decisions and contacts stay for the record."""
        member.active, member.deactivated_at, member.deactivated_by = False, now, by
        await self.s.execute(
            update(Invite)
            .where(Invite.member_id == member.id, Invite.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        await Logins(self.s).end_member(member.id, now)  # signed out of the desk, too
        await self.s.flush()
        log.info("member %s (%s) deactivated by %s", member.id, member.name, by or "cli")

    async def reactivate(self, member: Member, *, by: int | None) -> None:
        member.active, member.deactivated_at, member.deactivated_by = True, None, None
        await self.s.flush()
        log.info("member %s (%s) reactivated by %s", member.id, member.name, by or "cli")

    async def open_invites(self, org_id: int, now: datetime) -> list[Invite]:
        """Invites that can still be used: not used up, not expired, not revoked."""
        rows = await self.s.scalars(
            select(Invite)
            .where(
                Invite.org_id == org_id,
                Invite.uses < Invite.max_uses,
                Invite.expires_at > now,
                Invite.revoked_at.is_(None),
            )
            .order_by(Invite.id)
        )
        return list(rows)

    async def revoke_invite(self, org_id: int, code: str, now: datetime) -> Revoke:
        invite = await self.invite(code)
        if invite is None or invite.org_id != org_id:
            return Revoke.UNKNOWN
        if invite.revoked_at is not None:
            return Revoke.ALREADY
        if invite.uses >= invite.max_uses:
            return Revoke.USED
        invite.revoked_at = now
        await self.s.flush()
        log.info("invite %s revoked", invite.id)
        return Revoke.REVOKED

    async def add_transfer(
        self, member: Member, *, valid_for: timedelta, created_by: int | None, now: datetime
    ) -> Invite:
        """A one-time code that moves this person to a new account; an older unused one is
        revoked, so only the newest code works."""
        await self.s.execute(
            update(Invite)
            .where(
                Invite.member_id == member.id,
                Invite.transfer.is_(True),
                Invite.revoked_at.is_(None),
                Invite.uses < Invite.max_uses,
            )
            .values(revoked_at=now)
        )
        return await self.add_invite(
            member.org_id,
            role=member.role,
            unit_id=member.unit_id,
            max_uses=1,
            valid_for=valid_for,
            created_by=created_by,
            now=now,
            links_member=member.id,
            transfer=True,
        )

    async def move_address(
        self, member_id: int, *, channel: str, address: str, chat_id: str, now: datetime
    ) -> list[str]:
        """The member's address on this channel becomes this one; the old ones are detached
        (a lost phone keeps no access). Returns the detached addresses."""
        old = list(
            await self.s.scalars(
                delete(Contact)
                .where(
                    Contact.member_id == member_id,
                    Contact.channel == channel,
                    Contact.address != address,
                )
                .returning(Contact.address)
            )
        )
        mine = await self.s.scalar(
            select(Contact).where(Contact.channel == channel, Contact.address == address)
        )
        if mine is None:
            await self.add_contact(
                member_id, channel=channel, address=address, chat_id=chat_id, now=now
            )
        log.info("member %s moved on %s to %s, detached %s", member_id, channel, address, old)
        return old

    async def rename_unit(self, unit: Unit, name: str) -> None:
        log.info("unit %s renamed from %r to %r", unit.id, unit.name, name.strip())
        unit.name = name.strip()
        await self.s.flush()
        _units_changed(self.s)

    async def active_members_of(self, unit_id: int) -> int:
        count = await self.s.scalar(
            select(func.count()).where(Member.unit_id == unit_id, Member.active.is_(True))
        )
        return int(count or 0)

    async def archive_unit(self, unit: Unit, now: datetime) -> None:
        """Archive a unit; invites into it stop working (nobody joins a unit that is gone)."""
        unit.archived_at = now
        await self.s.execute(
            update(Invite)
            .where(Invite.unit_id == unit.id, Invite.member_id.is_(None))
            .where(Invite.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        await self.s.flush()
        _units_changed(self.s)
        log.info("unit %s (%s) archived", unit.id, unit.name)

    async def restore_unit(self, unit: Unit) -> None:
        unit.archived_at, unit.merged_into_id = None, None
        await self.s.flush()
        _units_changed(self.s)
        log.info("unit %s (%s) restored", unit.id, unit.name)

    async def merge_units(
        self, source: Unit, target: Unit, *, actor_id: int | None, now: datetime
    ) -> Merged:
        """Move the members, open invites and reports of source into target, then archive
        source with merged_into_id. Reports keep their numbers; each gets an audit event
        naming both units, so where a report came from stays on record."""
        _units_changed(self.s)
        members = await self.s.execute(
            update(Member).where(Member.unit_id == source.id).values(unit_id=target.id)
        )
        await self.s.execute(
            update(Invite).where(Invite.unit_id == source.id).values(unit_id=target.id)
        )
        note = f"unit digabung: {source.name} (#{source.id}) -> {target.name} (#{target.id})"
        moved = select(
            Report.id,
            literal(actor_id, ReportEvent.actor_id.type),
            Report.status,
            Report.status,
            literal(note, ReportEvent.reason.type),
            literal(now, ReportEvent.at.type),
        ).where(Report.unit_id == source.id)
        await self.s.execute(
            insert(ReportEvent).from_select(
                ["report_id", "actor_id", "from_status", "to_status", "reason", "at"], moved
            )
        )
        reports = await self.s.execute(
            update(Report).where(Report.unit_id == source.id).values(unit_id=target.id)
        )
        source.archived_at, source.merged_into_id = now, target.id
        await self.s.flush()
        result = Merged(members.rowcount, reports.rowcount)  # type: ignore[attr-defined]
        log.info("%s: %s members, %s reports", note, result.members, result.reports)
        return result


class Revoke(enum.StrEnum):
    REVOKED = "revoked"
    UNKNOWN = "unknown"
    USED = "used"
    ALREADY = "already"


@dataclass(frozen=True)
class Merged:
    members: int
    reports: int

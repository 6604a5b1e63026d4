"""Reminder subscriptions and the claims that make every scheduled send happen once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import dialect_insert
from storage.models import InboxEntry, ScheduledSend, Subscription

CHUNK = 500  # rows per INSERT: well under SQLite's limit on bound parameters


class Reminders:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def subscription(self, channel: str, chat_id: str) -> Subscription | None:
        return await self.s.scalar(
            select(Subscription).where(
                Subscription.channel == channel, Subscription.chat_id == chat_id
            )
        )

    async def subscribe(
        self,
        org_id: int,
        *,
        channel: str,
        chat_id: str,
        title: str,
        utc_minute: int,
        member_id: int | None,
    ) -> Subscription:
        """Subscribe a chat, or switch an ended subscription back on at the given time."""
        sub = await self.subscription(channel, chat_id)
        if sub is None:
            sub = Subscription(org_id=org_id, channel=channel, chat_id=chat_id)
            self.s.add(sub)
        sub.title, sub.utc_minute, sub.created_by = title[:200], utc_minute, member_id
        sub.active, sub.ended_reason = True, None
        await self.s.flush()
        return sub

    async def end(self, channel: str, chat_id: str, reason: str) -> bool:
        result = await self.s.execute(
            update(Subscription)
            .where(
                Subscription.channel == channel,
                Subscription.chat_id == chat_id,
                Subscription.active.is_(True),
            )
            .values(active=False, ended_reason=reason[:200])
        )
        return result.rowcount == 1  # type: ignore[attr-defined]

    async def active(self, org_id: int) -> list[Subscription]:
        rows = await self.s.scalars(
            select(Subscription)
            .where(Subscription.org_id == org_id, Subscription.active.is_(True))
            .order_by(Subscription.id)
        )
        return list(rows)

    async def claimed(self, kind: str, target: str, period: str) -> bool:
        found = await self.s.scalar(
            select(ScheduledSend.id).where(
                ScheduledSend.kind == kind,
                ScheduledSend.target == target,
                ScheduledSend.period == period,
            )
        )
        return found is not None

    async def claimed_targets(self, kind: str, period: str) -> set[str]:
        rows = await self.s.scalars(
            select(ScheduledSend.target).where(
                ScheduledSend.kind == kind, ScheduledSend.period == period
            )
        )
        return set(rows)

    async def claim(
        self, kind: str, target: str, period: str, *, outcome: str, now: datetime
    ) -> bool:
        """True if this call took the claim; False if someone (or an earlier run) had it."""
        return bool(await self.claim_many(kind, [target], period, outcome=outcome, now=now))

    async def claim_many(
        self, kind: str, targets: list[str], period: str, *, outcome: str, now: datetime
    ) -> set[str]:
        """Claim many at once (a broadcast); returns the targets this call took."""
        insert = dialect_insert(self.s)
        taken: set[str] = set()
        for i in range(0, len(targets), CHUNK):
            rows = [
                {"kind": kind, "target": t, "period": period, "outcome": outcome, "at": now}
                for t in targets[i : i + CHUNK]
            ]
            result = await self.s.scalars(
                insert(ScheduledSend)
                .values(rows)
                .on_conflict_do_nothing(index_elements=["kind", "target", "period"])
                .returning(ScheduledSend.target)
            )
            taken.update(result)
        return taken

    async def prune_inbox(self, before: datetime) -> int:
        """Forget deliveries old enough that no channel will redeliver them."""
        result = await self.s.execute(delete(InboxEntry).where(InboxEntry.received_at < before))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

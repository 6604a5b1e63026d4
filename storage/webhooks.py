"""Webhook bodies stored before they are answered, and delivery receipts for what was sent."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DeliveryReceipt, OutboxMessage, ReceivedWebhook


class Webhooks:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def store(self, channel: str, body: bytes, now: datetime) -> int:
        row = ReceivedWebhook(channel=channel, body=body.decode("utf-8"), received_at=now)
        self.s.add(row)
        await self.s.flush()
        return row.id

    async def get(self, webhook_id: int) -> ReceivedWebhook | None:
        return await self.s.get(ReceivedWebhook, webhook_id)

    async def waiting(self, received_by: datetime) -> bool:
        """Whether something received by then is stored and not yet processed (queued)."""
        row = await self.s.scalar(
            select(ReceivedWebhook.id)
            .where(
                ReceivedWebhook.processed_at.is_(None), ReceivedWebhook.received_at <= received_by
            )
            .limit(1)
        )
        return row is not None

    async def unprocessed(self, limit: int = 500) -> list[int]:
        rows = await self.s.scalars(
            select(ReceivedWebhook.id)
            .where(ReceivedWebhook.processed_at.is_(None))
            .order_by(ReceivedWebhook.id)
            .limit(limit)
        )
        return list(rows)

    async def prune(self, before: datetime) -> int:
        result = await self.s.execute(
            delete(ReceivedWebhook).where(
                ReceivedWebhook.processed_at.is_not(None), ReceivedWebhook.received_at < before
            )
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def claim_backlog(
        self, worker: str, now: datetime, *, lease: timedelta, older_than: datetime, limit: int
    ) -> list[int]:
        """Take unprocessed bodies received by older_than that nobody holds (SKIP LOCKED:
        several processes sweep at once without waiting on, or taking, each other's)."""
        ids = list(
            await self.s.scalars(
                select(ReceivedWebhook.id)
                .where(
                    ReceivedWebhook.processed_at.is_(None),
                    ReceivedWebhook.received_at <= older_than,
                    or_(
                        ReceivedWebhook.claimed_until.is_(None),
                        ReceivedWebhook.claimed_until < now,
                    ),
                )
                .order_by(ReceivedWebhook.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        if ids:
            await self.s.execute(
                update(ReceivedWebhook)
                .where(ReceivedWebhook.id.in_(ids))
                .values(claimed_by=worker, claimed_until=now + lease)
            )
        return ids

    async def release(self, worker: str) -> int:
        """A restarted process takes back at once what it held when it died."""
        result = await self.s.execute(
            update(ReceivedWebhook)
            .where(ReceivedWebhook.processed_at.is_(None), ReceivedWebhook.claimed_by == worker)
            .values(claimed_by=None, claimed_until=None)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def mark_processed(self, webhook_id: int, now: datetime) -> None:
        await self.s.execute(
            update(ReceivedWebhook).where(ReceivedWebhook.id == webhook_id).values(processed_at=now)
        )


class Receipts:
    """Platform message ids of outbox messages, so status webhooks find what they are about."""

    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    def add(self, channel: str, external_ids: list[str], outbox_id: int, now: datetime) -> None:
        for external_id in external_ids:
            self.s.add(
                DeliveryReceipt(
                    channel=channel, external_id=external_id, outbox_id=outbox_id, updated_at=now
                )
            )

    async def prune(self, before: datetime) -> int:
        result = await self.s.execute(
            delete(DeliveryReceipt).where(DeliveryReceipt.updated_at < before)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def update(
        self, channel: str, external_id: str, status: str, error: str | None, now: datetime
    ) -> tuple[DeliveryReceipt, OutboxMessage, bool] | None:
        """Record a status; the bool says whether it changed the receipt's status (a repeated
        or late, lower status does not). Conditional, so of two identical statuses handled at
        once exactly one changes it."""
        row = await self.s.execute(
            select(DeliveryReceipt, OutboxMessage)
            .join(OutboxMessage, OutboxMessage.id == DeliveryReceipt.outbox_id)
            .where(DeliveryReceipt.channel == channel, DeliveryReceipt.external_id == external_id)
        )
        found = row.first()
        if found is None:
            return None
        receipt, message = found
        lower = [name for name, rank in RANK.items() if rank < RANK.get(status, 0)]
        result = await self.s.execute(  # statuses arrive out of order: only ever upwards
            update(DeliveryReceipt)
            .where(DeliveryReceipt.id == receipt.id, DeliveryReceipt.status.in_(lower))
            .values(status=status, error=error, updated_at=now)
        )
        return receipt, message, result.rowcount == 1  # type: ignore[attr-defined]


RANK = {"accepted": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4}

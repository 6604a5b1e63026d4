"""The inbox (seen deliveries) and the outbox (what the bot owes each chat)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    String,
    and_,
    case,
    event,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction, aliased

from storage.db import dialect_insert
from storage.models import DeliveryReceipt, InboxEntry, OutboxMessage, SentMessage

PENDING, SENT, FAILED = "pending", "sent", "failed"
QUEUED = "warta_outbox_queued"  # in session.info: this session gave the outbox work


QUEUED_ROWS = "warta_outbox_rows"  # in session.info: the messages to write at commit
SAVEPOINTS = "warta_outbox_savepoints"  # in session.info: savepoint -> rows queued before it


def queued(session: AsyncSession) -> bool:
    """Whether the session queued a message (or put one back in line): the outbox has work."""
    return bool(session.info.get(QUEUED))


@event.listens_for(Session, "before_commit")
def _write_queued(session: Session) -> None:
    """The messages a transaction queued, in one INSERT (an executemany), as it commits (the
    outermost transaction: a savepoint's release leaves them queued)."""
    if session.in_nested_transaction():
        return
    rows = session.info.pop(QUEUED_ROWS, None)
    session.info.pop(SAVEPOINTS, None)
    if rows:
        session.execute(insert(OutboxMessage), rows)


@event.listens_for(Session, "after_transaction_create")
def _mark_savepoint(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        marks = session.info.setdefault(SAVEPOINTS, {})
        marks[transaction] = len(session.info.get(QUEUED_ROWS, []))


@event.listens_for(Session, "after_soft_rollback")
def _forget_queued(session: Session, previous: SessionTransaction) -> None:
    """A savepoint rolled back forgets what was queued inside it; the transaction, all."""
    marks = session.info.get(SAVEPOINTS, {})
    if previous.nested and previous in marks:
        del session.info.get(QUEUED_ROWS, [])[marks.pop(previous) :]
    elif previous.parent is None and not previous.nested:
        session.info.pop(QUEUED_ROWS, None)
        session.info.pop(SAVEPOINTS, None)


# Why a message was given up on: the chat is gone (blocked, kicked), only a template may reach
# them (a template went instead: nothing is lost), it kept failing until too old, refused.
GONE, REPLACED, EXPIRED, REFUSED = "gone", "replaced", "expired", "refused"
FAILURES = (GONE, REPLACED, EXPIRED, REFUSED)
# A platform's receipt said failed and a coordinator sent the message again (the desk).
RETRIED = "retried"
# Given up on, and nothing went instead (a replaced message reached the person as a template).
GIVEN_UP = (
    OutboxMessage.status == FAILED,
    or_(OutboxMessage.failure.is_(None), OutboxMessage.failure != REPLACED),
)


def _takeable_heads(
    now: datetime,
    *,
    channel: str | None = None,
    chat_id: str | None = None,
    done: int | None = None,
) -> Select[int]:
    """Ids of the chats' heads (each chat's oldest pending message; done: one being marked
    sent, whose chat's next is the head) that are due and not held, oldest first. Locked as
    taken: PostgreSQL skips the rows another process is claiming (SKIP LOCKED); SQLite has
    one writer at a time. Aliased, so that an UPDATE of the outbox does not correlate them."""
    head, older = aliased(OutboxMessage), aliased(OutboxMessage)
    first = select(func.min(older.id)).where(
        older.status == PENDING, older.channel == head.channel, older.chat_id == head.chat_id
    )
    if done is not None:
        first = first.where(older.id != done)
    heads = select(head.id).where(
        head.status == PENDING,
        head.id == first.scalar_subquery(),
        head.next_attempt_at <= now,
        or_(head.claimed_until.is_(None), head.claimed_until < now),
    )
    if chat_id is not None:
        heads = heads.where(head.channel == channel, head.chat_id == chat_id)
    return heads.order_by(head.id).with_for_update(skip_locked=True, of=head)


class Inbox:
    """Repository of inbound deliveries already handled."""

    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def record(self, channel: str, external_id: str, now: datetime) -> bool:
        """Record a delivery; False if it was recorded before (a redelivery)."""
        return bool(await self.record_many(channel, [external_id], now))

    async def record_many(self, channel: str, external_ids: list[str], now: datetime) -> set[str]:
        """Record deliveries (an album's updates) in one statement, the unique key deciding
        with no savepoint around it; the ones new until now."""
        # In one order everywhere: two transactions recording overlapping albums cannot deadlock.
        rows = [
            {"channel": channel, "external_id": e, "received_at": now} for e in sorted(external_ids)
        ]
        insert_ = dialect_insert(self.s)(InboxEntry).values(rows)
        inserted = await self.s.scalars(
            insert_.on_conflict_do_nothing(index_elements=["channel", "external_id"]).returning(
                InboxEntry.external_id
            )
        )
        return set(inserted)


class Outbox:
    """Repository of outgoing messages: enqueue in a transaction, deliver in order per chat."""

    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    def enqueue(
        self,
        channel: str,
        chat_id: str,
        payload: dict[str, Any],
        *,
        now: datetime,
        ref: str | None = None,
    ) -> None:
        """Queue a message; written with the transaction's other queued ones when it commits
        (one statement for all: _write_queued), so this transaction does not read it back."""
        self.s.info[QUEUED] = True
        row: dict[str, Any] = {"channel": channel, "chat_id": chat_id, "payload": payload}
        row |= {"ref": ref, "next_attempt_at": now, "created_at": now}
        self.s.info.setdefault(QUEUED_ROWS, []).append(row)

    async def claim_due_heads(
        self,
        now: datetime,
        lease: timedelta,
        worker: str,
        *,
        limit: int = 100,
        channel: str | None = None,
        chat_id: str | None = None,
    ) -> list[OutboxMessage]:
        """Take for sending the oldest pending message of each chat (or of one chat), if due
        and not held, in one statement, oldest first."""
        heads = _takeable_heads(now, channel=channel, chat_id=chat_id).limit(limit)
        taken = await self.s.scalars(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(heads))
            .values(claimed_until=now + lease, claimed_by=worker)
            .returning(OutboxMessage)
            .execution_options(synchronize_session=False)
        )
        return sorted(taken, key=lambda row: row.id)

    async def sent_and_claim_next(
        self, row: OutboxMessage, now: datetime, lease: timedelta, worker: str
    ) -> OutboxMessage | None:
        """mark_sent, then claim_due_heads of the row's chat, in one statement: the chat's
        next pending message is taken if it is due and nobody holds it."""
        following = _takeable_heads(now, channel=row.channel, chat_id=row.chat_id, done=row.id)
        done = OutboxMessage.id == row.id
        moment = literal(now, OutboxMessage.sent_at.type)
        # The two ids as one list, not "id = done OR id IN (...)": PostgreSQL plans that OR as
        # a scan of the whole outbox (40 ms a message at 300,000 rows), this by index.
        candidate = following.subquery()
        both = union_all(select(literal(row.id, Integer())), select(candidate.c.id))
        taken = await self.s.scalars(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(both))
            .values(
                status=case((done, SENT), else_=OutboxMessage.status),
                sent_at=case((done, moment), else_=OutboxMessage.sent_at),
                attempts=case((done, OutboxMessage.attempts + 1), else_=OutboxMessage.attempts),
                claimed_until=case(
                    (done, null()), else_=literal(now + lease, OutboxMessage.claimed_until.type)
                ),
                claimed_by=case((done, null()), else_=literal(worker, String())),
            )
            .returning(OutboxMessage)
            .execution_options(synchronize_session=False)
        )
        return next((other for other in taken if other.id != row.id), None)

    async def claim(self, message_id: int, now: datetime, lease: timedelta, worker: str) -> bool:
        """Take one message for sending; another process holding it makes this False."""
        result = await self.s.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.status == PENDING,
                or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
            )
            .values(claimed_until=now + lease, claimed_by=worker)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]

    async def renew(self, message_ids: list[int], worker: str, until: datetime) -> None:
        """Keep holding messages still being sent (a long send outlives a short lease)."""
        if message_ids:
            await self.s.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id.in_(message_ids),
                    OutboxMessage.status == PENDING,
                    OutboxMessage.claimed_by == worker,
                    OutboxMessage.claimed_until.is_not(None),
                )
                .values(claimed_until=until)
            )

    async def release(self, worker: str) -> int:
        """Let go of what this worker held when it died: its restart sends it at once."""
        result = await self.s.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == PENDING, OutboxMessage.claimed_by == worker)
            .values(claimed_until=None, claimed_by=None)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def mark_sent(self, message_id: int, now: datetime) -> None:
        await self._end_claim(message_id, status=SENT, sent_at=now)

    async def mark_failed(
        self, message_id: int, error: str, *, failure: str, now: datetime
    ) -> None:
        await self._end_claim(
            message_id, status=FAILED, last_error=error[:2000], failure=failure, failed_at=now
        )

    async def retry_later(
        self, message_id: int, at: datetime, error: str, *, attempt: bool = True
    ) -> None:
        """Send again at `at`; attempt=False when the platform only asked us to wait (a 429),
        so the backoff does not grow for it."""
        await self._end_claim(
            message_id, attempt=attempt, next_attempt_at=at, last_error=error[:2000]
        )

    async def _end_claim(self, message_id: int, *, attempt: bool = True, **values: Any) -> None:
        """A send was tried: record its outcome and let go of the claim."""
        await self.s.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(
                claimed_until=None,
                claimed_by=None,
                attempts=OutboxMessage.attempts + int(attempt),
                **values,
            )
        )

    async def given_up(self, since: datetime, until: datetime) -> list[OutboxMessage]:
        """Messages given up on in [since, until) that nothing replaced, by chat, oldest first."""
        rows = await self.s.scalars(
            select(OutboxMessage)
            .where(*GIVEN_UP, OutboxMessage.failed_at >= since, OutboxMessage.failed_at < until)
            .order_by(OutboxMessage.channel, OutboxMessage.chat_id, OutboxMessage.id)
        )
        return list(rows)

    async def latest_given_up(self, since: datetime, limit: int) -> list[OutboxMessage]:
        """The same messages as given_up, given up on since then, newest first (the desk)."""
        rows = await self.s.scalars(
            select(OutboxMessage)
            .where(*GIVEN_UP, OutboxMessage.failed_at >= since)
            .order_by(OutboxMessage.failed_at.desc(), OutboxMessage.id.desc())
            .limit(limit)
        )
        return list(rows)

    async def failed_receipts(
        self, since: datetime, limit: int
    ) -> list[tuple[DeliveryReceipt, OutboxMessage]]:
        """Messages the platform took and then reported failed (WhatsApp's failed statuses),
        newest first, with what was sent."""
        rows = await self.s.execute(
            select(DeliveryReceipt, OutboxMessage)
            .join(OutboxMessage, OutboxMessage.id == DeliveryReceipt.outbox_id)
            .where(DeliveryReceipt.status == FAILED, DeliveryReceipt.updated_at >= since)
            .order_by(DeliveryReceipt.updated_at.desc(), DeliveryReceipt.id.desc())
            .limit(limit)
        )
        return [(receipt, message) for receipt, message in rows.all()]

    async def retry(self, message_id: int, now: datetime) -> bool:
        """A message given up on goes back in line as if new: pending, due now, attempts from
        zero, and its give-up clock (counted from created_at) started again. Conditional, so
        of two retries at once one does it; False when it is no longer given up on."""
        result = await self.s.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, *GIVEN_UP)
            .values(
                status=PENDING,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
                failed_at=None,
                failure=None,
                claimed_until=None,
                claimed_by=None,
            )
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return False
        self.s.info[QUEUED] = True
        return True

    async def resend(self, receipt_id: int, now: datetime) -> bool:
        """A message the platform reported failed after taking it: the same content queued
        again as a new message (what went out stays on record as sent); the receipt is marked
        retried, so it leaves the list and is sent again once."""
        result = await self.s.execute(
            update(DeliveryReceipt)
            .where(DeliveryReceipt.id == receipt_id, DeliveryReceipt.status == FAILED)
            .values(status=RETRIED, updated_at=now)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return False
        message = await self.s.scalar(
            select(OutboxMessage)
            .join(DeliveryReceipt, DeliveryReceipt.outbox_id == OutboxMessage.id)
            .where(DeliveryReceipt.id == receipt_id)
        )
        assert message is not None  # the receipt's foreign key
        payload = {k: v for k, v in message.payload.items() if k != "resent"}  # a fresh count
        self.enqueue(message.channel, message.chat_id, payload, now=now)
        return True

    async def next_head_at(self) -> datetime | None:
        """When a chat's oldest pending message can next be taken: when it is due, or when its
        lease ends while it is held. What waits behind a head does not count (it goes after
        the head), nor does a held head before its lease ends (whoever holds it goes on)."""
        heads = (
            select(func.min(OutboxMessage.id).label("id"))
            .where(OutboxMessage.status == PENDING)
            .group_by(OutboxMessage.channel, OutboxMessage.chat_id)
            .subquery()
        )
        due, held = OutboxMessage.next_attempt_at, OutboxMessage.claimed_until
        takeable = case((held > due, held), else_=due)  # an unheld head: NULL, so its due time
        return await self.s.scalar(
            select(func.min(takeable)).join(heads, OutboxMessage.id == heads.c.id)
        )

    async def pending_count(self) -> int:
        count = await self.s.scalar(select(func.count()).where(OutboxMessage.status == PENDING))
        return int(count or 0)

    async def remember_sent(self, ref: str, channel: str, chat_id: str, message_id: str) -> None:
        self.s.add(SentMessage(ref=ref, channel=channel, chat_id=chat_id, message_id=message_id))
        await self.s.flush()

    async def sent_message_id(self, ref: str, channel: str, chat_id: str) -> str | None:
        return await self.s.scalar(
            select(SentMessage.message_id).where(
                and_(
                    SentMessage.ref == ref,
                    SentMessage.channel == channel,
                    SentMessage.chat_id == chat_id,
                )
            )
        )

    async def sent_refs(self, ref: str) -> list[SentMessage]:
        rows = await self.s.scalars(select(SentMessage).where(SentMessage.ref == ref))
        return list(rows)

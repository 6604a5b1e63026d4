"""Delivers the outbox: in order per chat, retried with backoff, each message sent once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.messages import from_payload
from handlers.ports import DeliveryError, Messenger
from storage.models import OutboxMessage, utcnow
from storage.outbox import Outbox

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 25  # about a day and a half of backoff before giving up on a message
MAX_BACKOFF = 600.0


def backoff(attempts: int) -> float:
    return min(MAX_BACKOFF, 2.0**attempts) * random.uniform(0.8, 1.2)


class OutboxWorker:
    """Sends what handlers queued. Several processes may share the outbox (leases)."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        messengers: dict[str, Messenger],
        *,
        clock: Callable[[], datetime] = utcnow,
        concurrency: int = 16,
        lease: timedelta = timedelta(seconds=120),
        heartbeat: Callable[[], None] | None = None,
    ) -> None:
        self.heartbeat = heartbeat
        self.sessionmaker = sessionmaker
        self.messengers = messengers
        self.clock = clock
        self.lease = lease
        self._limit = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while not self._stopping:
            if self.heartbeat is not None:
                self.heartbeat()
            try:
                await self.drain()
            except Exception:
                log.exception("outbox pass failed; trying again shortly")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=await self._idle_time())
            self._wake.clear()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def _idle_time(self) -> float:
        async with self.sessionmaker() as session:
            due = await Outbox(session).next_due_at()
        if due is None:
            return 5.0
        return min(5.0, max(0.05, (due - self.clock()).total_seconds()))

    async def drain(self) -> int:
        """Send everything due now, chat by chat in order; returns how many went out."""
        sent = 0
        while True:
            heads = await self._claim_heads()
            if not heads:
                return sent
            results = await asyncio.gather(*(self._send(row) for row in heads))
            sent += sum(results)

    async def _claim_heads(self) -> list[OutboxMessage]:
        now = self.clock()
        async with self.sessionmaker() as session, session.begin():
            outbox = Outbox(session)
            heads = await outbox.due_heads(now)
            return [row for row in heads if await outbox.claim(row.id, now, self.lease)]

    async def _send(self, row: OutboxMessage) -> bool:
        messenger = self.messengers.get(row.channel)
        if messenger is None:
            await self._finish(
                row, error=DeliveryError(f"no channel {row.channel}", permanent=True)
            )
            return False
        async with self._limit:
            try:
                ids = await messenger.deliver(
                    row.chat_id, from_payload(row.payload), self._resolver(row)
                )
            except DeliveryError as exc:
                await self._finish(row, error=exc)
                return False
            except Exception as exc:
                log.exception("delivering outbox message %s crashed", row.id)
                await self._finish(row, error=DeliveryError(repr(exc)))
                return False
        await self._finish(row, ids=ids)
        return True

    def _resolver(self, row: OutboxMessage):  # type: ignore[no-untyped-def]
        async def resolve(ref: str) -> str | None:
            async with self.sessionmaker() as session:
                return await Outbox(session).sent_message_id(ref, row.channel, row.chat_id)

        return resolve

    async def _finish(
        self,
        row: OutboxMessage,
        *,
        ids: list[str] | None = None,
        error: DeliveryError | None = None,
    ) -> None:
        now = self.clock()
        async with self.sessionmaker() as session, session.begin():
            outbox = Outbox(session)
            if error is None:
                await outbox.mark_sent(row.id, now)
                if row.ref and ids:
                    await outbox.remember_sent(row.ref, row.channel, row.chat_id, ids[0])
            elif error.permanent or row.attempts + 1 >= MAX_ATTEMPTS:
                log.warning("outbox message %s to %s gave up: %s", row.id, row.chat_id, error)
                await outbox.mark_failed(row.id, str(error))
            else:
                delay = max(
                    0.5,
                    error.retry_after if error.retry_after is not None else backoff(row.attempts),
                )
                log.info(
                    "outbox message %s to %s retried in %.1fs: %s",
                    row.id,
                    row.chat_id,
                    delay,
                    error,
                )
                await outbox.retry_later(row.id, now + timedelta(seconds=delay), str(error))

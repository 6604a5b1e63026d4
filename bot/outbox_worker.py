"""Delivers the outbox: in order per chat, retried with backoff, each message sent once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.messages import from_payload, send_again
from handlers.ports import DeliveryError, Messenger
from storage.chats import Chats
from storage.models import OutboxMessage, utcnow
from storage.outbox import Outbox
from storage.reminders import Reminders
from storage.webhooks import Receipts

log = logging.getLogger(__name__)

SentCallback = Callable[[str, str, str, list[str]], Awaitable[None]]  # ref, channel, chat, ids
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
        on_sent: SentCallback | None = None,
    ) -> None:
        self.heartbeat, self.on_sent = heartbeat, on_sent
        self.sessionmaker = sessionmaker
        self.messengers = messengers
        self.clock = clock
        self.lease = lease
        self._limit = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self._stopping = False
        self._pipelines: set[asyncio.Task[int]] = set()
        self._sent = 0

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while not self._stopping:
            if self.heartbeat is not None:
                self.heartbeat()
            try:
                await self._dispatch()
            except Exception:
                log.exception("outbox pass failed; trying again shortly")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=await self._idle_time())
            self._wake.clear()
        if self._pipelines:
            await asyncio.gather(*self._pipelines, return_exceptions=True)

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
        """Send everything due now, in order per chat; returns how many went out (tests)."""
        before = self._sent
        while True:
            await self._dispatch()
            if not self._pipelines:
                return self._sent - before
            await asyncio.wait(set(self._pipelines), return_when=asyncio.FIRST_COMPLETED)
            await asyncio.sleep(0)  # let done-callbacks run

    async def _dispatch(self) -> None:
        """Start a pipeline for every chat whose head is due; a chat has at most one."""
        for row in await self._claim(self.clock()):
            task = asyncio.create_task(self._pipeline(row))
            self._pipelines.add(task)
            task.add_done_callback(self._pipeline_done)

    def _pipeline_done(self, task: asyncio.Task[int]) -> None:
        self._pipelines.discard(task)
        if not task.cancelled() and task.exception() is None:
            self._sent += task.result()
        elif not task.cancelled():
            log.error("outbox pipeline crashed", exc_info=task.exception())
        self._wake.set()  # look again: the chat may have more, or others may be waiting

    async def _pipeline(self, row: OutboxMessage | None) -> int:
        sent = 0
        while row is not None:
            ids, error = await self._deliver(row)
            sent += error is None
            following = await self._finish(row, ids=ids, error=error)
            if error is None and row.ref and self.on_sent is not None:
                try:  # e.g. a channel post: its link goes on the card
                    await self.on_sent(row.ref, row.channel, row.chat_id, ids)
                except Exception:
                    log.exception("after sending outbox message %s", row.id)
            row = following
        return sent

    async def _claim(
        self, now: datetime, chat: OutboxMessage | None = None, session: AsyncSession | None = None
    ) -> list[OutboxMessage]:
        if session is None:
            async with self.sessionmaker() as session, session.begin():
                return await self._claim(now, chat, session)
        outbox = Outbox(session)
        heads = await outbox.due_heads(
            now, channel=chat.channel if chat else None, chat_id=chat.chat_id if chat else None
        )
        return [row for row in heads if await outbox.claim(row.id, now, self.lease)]

    async def _deliver(self, row: OutboxMessage) -> tuple[list[str], DeliveryError | None]:
        messenger = self.messengers.get(row.channel)
        if messenger is None:
            return [], DeliveryError(f"no channel {row.channel}", permanent=True)
        async with self._limit:
            try:
                ids = await messenger.deliver(
                    row.chat_id, from_payload(row.payload), self._resolver(row)
                )
            except DeliveryError as exc:
                return [], exc
            except Exception as exc:
                log.exception("delivering outbox message %s crashed", row.id)
                return [], DeliveryError(repr(exc))
        return ids, None

    def _resolver(self, row: OutboxMessage):  # type: ignore[no-untyped-def]
        async def resolve(ref: str) -> str | None:
            async with self.sessionmaker() as session:
                return await Outbox(session).sent_message_id(ref, row.channel, row.chat_id)

        return resolve

    async def _chat_gone(
        self, session: AsyncSession, row: OutboxMessage, error: DeliveryError
    ) -> None:
        """Kicked from a group or blocked: stop sending it reminders."""
        if await Reminders(session).end(row.channel, row.chat_id, str(error)[:200]):
            log.warning("reminders to %s ended: %s", row.chat_id, error)

    async def _finish(
        self, row: OutboxMessage, *, ids: list[str], error: DeliveryError | None
    ) -> OutboxMessage | None:
        """Record the outcome; after a success, claim the chat's next message (same commit)."""
        now = self.clock()
        async with self.sessionmaker() as session, session.begin():
            outbox = Outbox(session)
            if error is None:
                await outbox.mark_sent(row.id, now)
                if getattr(self.messengers.get(row.channel), "tracks_status", False):
                    Receipts(session).add(row.channel, ids, row.id, now)
                if row.ref and ids:
                    await outbox.remember_sent(row.ref, row.channel, row.chat_id, ids[0])
                following = await self._claim(now, row, session)
                return following[0] if following else None
            if error.moved_to:
                log.warning("chat %s became %s; following it", row.chat_id, error.moved_to)
                await Chats(session).move(row.channel, row.chat_id, error.moved_to)
                await outbox.retry_later(row.id, now, str(error))  # goes next, to the new id
                return None
            if error.permanent or row.attempts + 1 >= MAX_ATTEMPTS:
                log.warning("outbox message %s to %s gave up: %s", row.id, row.chat_id, error)
                await outbox.mark_failed(row.id, str(error))
                if error.gone:
                    await self._chat_gone(session, row, error)
                # WhatsApp's 24-hour window closed: only an approved template reaches them now.
                again = send_again(row.payload, "window") if error.outside_window else None
                if again is not None:
                    outbox.enqueue(row.channel, row.chat_id, again, now=now)
                following = await self._claim(now, row, session)
                return following[0] if following else None
            delay = max(
                0.5, error.retry_after if error.retry_after is not None else backoff(row.attempts)
            )
            log.info(
                "outbox message %s to %s retried in %.1fs: %s", row.id, row.chat_id, delay, error
            )
            await outbox.retry_later(row.id, now + timedelta(seconds=delay), str(error))
            return None

"""Delivers the outbox: in order per chat, retried with backoff, each message sent once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.health import Pulse, is_outage
from handlers.messages import from_payload, send_again
from handlers.ports import DeliveryError, Messenger
from storage.chats import Chats
from storage.db import reading
from storage.models import OutboxMessage, utcnow
from storage.outbox import EXPIRED, GONE, REFUSED, REPLACED, Outbox
from storage.reminders import Reminders
from storage.webhooks import Receipts

log = logging.getLogger(__name__)

SentCallback = Callable[[str, str, str, list[str]], Awaitable[None]]  # ref, channel, chat, ids
MAX_BACKOFF = 600.0
MAX_PAUSE = 30.0  # longest wait between passes while the database is failing


def backoff(attempts: int) -> float:
    return min(MAX_BACKOFF, 2.0**attempts) * random.uniform(0.8, 1.2)


class OutboxWorker:
    """Sends what handlers queued. Several processes may share the outbox: each claims the
    messages it sends under its worker identity, for a short lease renewed while it sends."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        messengers: dict[str, Messenger],
        *,
        clock: Callable[[], datetime] = utcnow,
        concurrency: int = 16,
        lease: timedelta = timedelta(seconds=30),
        give_up_after: timedelta = timedelta(hours=36),
        worker: str = "warta",
        heartbeat: Callable[[], None] | None = None,
        on_sent: SentCallback | None = None,
    ) -> None:
        self.heartbeat, self.on_sent = heartbeat, on_sent
        self.sessionmaker = sessionmaker
        self.messengers = messengers
        self.clock = clock
        self.lease, self.give_up_after, self.worker = lease, give_up_after, worker
        self.pulse = Pulse("outbox", stale_after=60.0)
        self._limit = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self._stopping = False
        self._pipelines: set[asyncio.Task[int]] = set()
        self._held: set[int] = set()  # claimed by this process and not finished yet
        self._renewed_at = 0.0
        self._sent = 0

    def wake(self) -> None:
        self._wake.set()

    async def release_own(self) -> int:
        """On start: take back what this worker identity held when its last run was killed."""
        async with self.sessionmaker() as session, session.begin():
            released = await Outbox(session).release(self.worker)
        if released:
            log.info("took back %d outbox messages a previous run had claimed", released)
        return released

    async def run(self) -> None:
        """Pass after pass until stopped; a failing pass (database down) is retried, slower
        each time, and never ends the loop."""
        self.pulse.start()
        failures = 0
        while not self._stopping:
            try:
                pause = await self._pass()
            except Exception as exc:
                failures += 1
                self.pulse.fail(exc)
                pause = min(MAX_PAUSE, 0.5 * 2.0 ** min(failures, 6))
                if failures == 1 or not is_outage(exc):
                    log.exception("outbox pass failed; trying again in %.1f s", pause)
                else:
                    log.warning("outbox pass failed again (%s); next try in %.1f s", exc, pause)
            else:
                if failures:
                    log.info("outbox passes work again after %d failures", failures)
                failures = 0
                self.pulse.ok()
                if self.heartbeat is not None:
                    self.heartbeat()
            if self._held:  # come back in time to renew the leases of sends in flight
                pause = min(pause, self.lease.total_seconds() / 3)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=pause)
            self._wake.clear()
        await self._finish_pipelines()
        self.pulse.stop()

    async def _finish_pipelines(self) -> None:
        """Stopping: let the sends in flight end, their leases still renewed meanwhile."""
        while self._pipelines:
            await asyncio.wait(set(self._pipelines), timeout=self.lease.total_seconds() / 3)
            with contextlib.suppress(Exception):
                await self._renew()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def _pass(self) -> float:
        """Renew leases, start what is due; returns how long to wait for the next pass."""
        await self._renew()
        await self._dispatch()
        return await self._idle_time()

    async def _renew(self) -> None:
        """Extend the lease of messages still being sent, a third of a lease at a time."""
        if not self._held or time.monotonic() - self._renewed_at < self.lease.total_seconds() / 3:
            return
        async with self.sessionmaker() as session, session.begin():
            await Outbox(session).renew(sorted(self._held), self.worker, self.clock() + self.lease)
        self._renewed_at = time.monotonic()

    async def _idle_time(self) -> float:
        """Until a chat's head can be taken. A head this process sends wakes the loop when it
        is done (_pipeline_done), and new messages wake it (wake()); another process's held
        head is looked at when its lease ends, in case that process died."""
        async with reading(self.sessionmaker) as session:
            due = await Outbox(session).next_head_at()
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
            following = await self._record(row, ids=ids, error=error)
            if error is None and row.ref and self.on_sent is not None:
                try:  # e.g. a channel post: its link goes on the card
                    await self.on_sent(row.ref, row.channel, row.chat_id, ids)
                except Exception:
                    log.exception("after sending outbox message %s", row.id)
            row = following
        return sent

    async def _record(
        self, row: OutboxMessage, *, ids: list[str], error: DeliveryError | None
    ) -> OutboxMessage | None:
        """_finish until the database takes it: what was sent must be written down as sent,
        or it would go out again. The lease stays renewed meanwhile; when stopping, one more
        try, then the row is left to this worker's next start."""
        failures = 0
        while True:
            try:
                return await self._finish(row, ids=ids, error=error)
            except Exception as exc:
                failures += 1
                if self._stopping and failures > 1:
                    log.error("outbox message %s: outcome not recorded (%s)", row.id, exc)
                    return None
                pause = min(MAX_PAUSE, 0.2 * 2.0**failures)
                log.warning(
                    "recording outbox message %s failed (%s); again in %.1f s", row.id, exc, pause
                )
                await asyncio.sleep(pause)

    async def _claim(
        self, now: datetime, chat: OutboxMessage | None = None, session: AsyncSession | None = None
    ) -> list[OutboxMessage]:
        if session is None:
            async with self.sessionmaker() as session, session.begin():
                taken = await self._claim(now, chat, session)
            self._held.update(row.id for row in taken)  # committed: ours now
            return taken
        return await Outbox(session).claim_due_heads(
            now,
            self.lease,
            self.worker,
            channel=chat.channel if chat else None,
            chat_id=chat.chat_id if chat else None,
        )

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

    def _resolver(self, row: OutboxMessage):
        async def resolve(ref: str) -> str | None:
            async with reading(self.sessionmaker) as session:
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
            following = await self._outcome(session, row, ids, error, now)
        self._held.discard(row.id)
        if following is not None:
            self._held.add(following.id)
        return following

    async def _outcome(
        self,
        session: AsyncSession,
        row: OutboxMessage,
        ids: list[str],
        error: DeliveryError | None,
        now: datetime,
    ) -> OutboxMessage | None:
        outbox = Outbox(session)
        if error is None:
            if getattr(self.messengers.get(row.channel), "tracks_status", False):
                Receipts(session).add(row.channel, ids, row.id, now)
            if row.ref and ids:
                await outbox.remember_sent(row.ref, row.channel, row.chat_id, ids[0])
            return await outbox.sent_and_claim_next(row, now, self.lease, self.worker)
        if error.moved_to:
            log.warning("chat %s became %s; following it", row.chat_id, error.moved_to)
            await Chats(session).move(row.channel, row.chat_id, error.moved_to)
            await outbox.retry_later(row.id, now, str(error))  # goes next, to the new id
            return None
        # Given up by age, not by attempts: an outage of hours must not lose what is owed.
        too_old = now - row.created_at >= self.give_up_after
        if error.permanent or too_old:
            log.warning("outbox message %s to %s gave up: %s", row.id, row.chat_id, error)
            # WhatsApp's 24-hour window closed: only an approved template reaches them now.
            again = send_again(row.payload, "window") if error.outside_window else None
            failure = _failure(error, replaced=again is not None)
            await outbox.mark_failed(row.id, str(error), failure=failure, now=now)
            if error.gone:
                await self._chat_gone(session, row, error)
            if again is not None:
                outbox.enqueue(row.channel, row.chat_id, again, now=now)
            return await self._claim_next(now, row, session)
        # Told to wait (a 429): not a failed attempt, so the backoff does not grow for it.
        waited = error.retry_after is not None
        delay = max(
            0.5, error.retry_after if error.retry_after is not None else backoff(row.attempts)
        )
        log.info("outbox message %s to %s retried in %.1fs: %s", row.id, row.chat_id, delay, error)
        await outbox.retry_later(
            row.id, now + timedelta(seconds=delay), str(error), attempt=not waited
        )
        return None

    async def _claim_next(
        self, now: datetime, row: OutboxMessage, session: AsyncSession
    ) -> OutboxMessage | None:
        following = await self._claim(now, row, session)
        return following[0] if following else None


def _failure(error: DeliveryError, *, replaced: bool) -> str:
    if replaced:
        return REPLACED
    if error.gone:
        return GONE
    return REFUSED if error.permanent else EXPIRED

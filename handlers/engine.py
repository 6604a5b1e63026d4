"""Runs each inbound event: dedupe, fetch media, one transaction, then side effects."""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import router
from handlers.album_batch import AlbumGatherer, album_item, keep_only
from handlers.background import Background
from handlers.config import Core
from handlers.context import Context
from handlers.events import FetchedMedia, InboundEvent, Media
from handlers.inbound_text import tidy
from handlers.messages import T, send_again, t
from handlers.ports import MediaTooBig, Messenger
from storage import photo_search
from storage.db import reading
from storage.media import ImageProblem
from storage.models import Organization, utcnow
from storage.outbox import Outbox, queued
from storage.people import People
from storage.photo_checks import check_photo
from storage.webhooks import Receipts

log = logging.getLogger(__name__)
R = TypeVar("R")

IMAGE_MIMES = {"image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"}
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif")
# An album is 2-10 messages within seconds: the prefetch asks the database once whether the
# sender is a member, not once a photo. Only a download is at stake; the transaction checks.
KNOWN_FOR = 300.0


class Engine:
    """The core's entry point for every channel."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        core: Core,
        messengers: dict[str, Messenger],
        *,
        on_outbox: Callable[[], None] = lambda: None,
        on_publish: Callable[[], None] = lambda: None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.core = core
        self.messengers = messengers
        self.on_outbox, self.on_publish = on_outbox, on_publish
        self.clock = clock
        # Weak: a lock lives while someone's events are running, not for every person ever seen.
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._album_timers: dict[int, asyncio.TimerHandle] = {}
        self._album_senders: dict[int, str] = {}  # report -> its author's address
        self._in_flight: Counter[str] = Counter()  # address -> its events running or waiting
        self._background = Background()
        self._albums = AlbumGatherer()
        self._org: Organization | None = None
        self._known: dict[tuple[str, str], float] = {}  # (channel, address) -> monotonic time

    async def start(self) -> None:
        """Load (or create) the organization once; every event then reuses it."""
        async with self.sessionmaker() as session, session.begin():
            self._org = await People(session).default_org(
                name=self.core.org_name, timezone=self.core.tz.key
            )

    async def _context(self, session: AsyncSession, event: InboundEvent | None) -> Context:
        if self._org is None:
            await self.start()
        assert self._org is not None
        return Context(session, self.core, self._org, self.clock(), self.messengers, event)

    async def handle(self, event: InboundEvent) -> None:
        event.text = tidy(event.text)  # invisible-only is empty; no NUL reaches the database
        # One person's events run one at a time: album items must not race on the draft.
        # (Across processes the transaction takes a lock on the person: router.route.)
        self._in_flight[event.address] += 1
        try:
            if album_item(event):  # with the album's other items: one transaction
                await self._albums.handle(event, self._lock(event.address), self._handle_in_turn)
            else:
                async with self._lock(event.address):
                    await self._handle_in_turn(event)
        finally:
            self._in_flight[event.address] -= 1
            if not self._in_flight[event.address]:
                del self._in_flight[event.address]

    async def _handle_in_turn(self, event: InboundEvent) -> None:
        if event.media and event.is_private and not event.edited:
            try:
                await self._prefetch(event)
            except Exception:  # the database is down: said, and recorded, as _run would
                log.exception("prefetch of %s event %s failed", event.channel, event.event_id)
                await self._apologize(event)
                return
        await self._run(event)

    async def _run(self, event: InboundEvent) -> None:
        try:
            ctx = await self._transaction(event, router.route)
        except Exception:
            log.exception("handling %s event %s failed", event.channel, event.event_id)
            await self._apologize(event)
            return
        if ctx is not None:
            await self._after_commit(ctx)

    async def _transaction(
        self, event: InboundEvent | None, work: Callable[[Context], Awaitable[None]]
    ) -> Context | None:
        if self._org is None:
            await self.start()
        assert self._org is not None
        async with self.sessionmaker() as session, session.begin():
            # The organization was loaded once at start (read-only here: id, name, zone).
            ctx = Context(session, self.core, self._org, self.clock(), self.messengers, event)
            if event is not None and not await self._first_delivery(ctx, event):
                log.info("dropping redelivered %s event %s", event.channel, event.event_id)
                return None
            await work(ctx)
        return ctx

    async def _first_delivery(self, ctx: Context, event: InboundEvent) -> bool:
        """Record the event's update(s); False if all were handled before. Of a merged album
        redelivered in part, what came before is dropped."""
        if not event.also:
            return await ctx.inbox.record(event.channel, event.event_id, ctx.now)
        fresh = await ctx.inbox.record_many(event.channel, [event.event_id, *event.also], ctx.now)
        keep_only(event, fresh)
        return bool(fresh)

    async def record_status(
        self,
        channel: str,
        external_id: str,
        status: str,
        error: str | None,
        failure: str | None = None,
    ) -> None:
        """A delivery status from the platform (sent, delivered, read, failed).

        failure says why a failed one failed: "window" (the person's 24-hour window had
        closed: sent again as a template, the only kind that may still reach them),
        "transient" (Meta's side or a rate: sent again, a few times at most), or "permanent".
        """
        now = self.clock()
        async with self.sessionmaker() as session, session.begin():
            found = await Receipts(session).update(channel, external_id, status, error, now)
            if found is None:
                log.info("%s status %s for unknown message %s", channel, status, external_id)
                return
            _, message, changed = found
            if status != "failed" or not changed:  # Meta repeats statuses: act on the first
                return
            log.warning("%s message %s failed (%s): %s", channel, external_id, failure, error)
            again = send_again(message.payload, failure)
            if again is not None:
                Outbox(session).enqueue(channel, message.chat_id, again, now=now)
        self.on_outbox()

    async def after_sent(self, ref: str, channel: str, chat_id: str, ids: list[str]) -> None:
        """Something the outbox sent matters to the workflow (a channel post's link)."""
        from handlers import publishing

        if ref.startswith(publishing.PUBLISHED) and ids:
            report_id = int(ref.removeprefix(publishing.PUBLISHED))
            await self.run_job(lambda ctx: publishing.mark_published(ctx, report_id, chat_id, ids))

    async def run_job(self, work: Callable[[Context], Awaitable[None]]) -> None:
        """Run a scheduled job in one transaction, then send what it queued."""
        ctx = await self._transaction(None, work)
        if ctx is not None:
            await self._after_commit(ctx)

    async def act(
        self, member_id: int, work: Callable[[Context], Awaitable[R]], *, origin: str = "web"
    ) -> R:
        """Run a use case for a signed-in person with no chat event (the web desk): one
        transaction as that member, then send what it queued, as for a chat event."""
        results: list[R] = []

        async def as_member(ctx: Context) -> None:
            member = await ctx.people.member(member_id)
            if member is None or not member.active or member.org_id != ctx.org.id:
                raise PermissionError(f"member {member_id} may not act")
            ctx.member, ctx.origin = member, origin
            results.append(await work(ctx))

        ctx = await self._transaction(None, as_member)
        if ctx is not None:
            await self._after_commit(ctx)
        return results[0]

    async def _after_commit(self, ctx: Context) -> None:
        event = ctx.event
        if event is not None and event.callback_id:
            answer = ctx.answers[-1] if ctx.answers else None
            await self._answer_tap(
                event, answer.text if answer else None, bool(answer and answer.alert)
            )
        for report_id in ctx.albums_to_cancel:
            self.cancel_album_timer(report_id)
        for report_id in ctx.albums_to_settle:
            self._arm_album_timer(report_id, event.address if event else None)
        for work in ctx.deferred:
            self._background.spawn(work(self.run_job))
        if ctx.publishing_due:
            self.on_publish()
        if queued(ctx.session):  # most photos of an album queue nothing: no outbox pass
            self.on_outbox()

    async def _apologize(self, event: InboundEvent) -> None:
        """Record the delivery (so it is not retried forever) and say sorry in private chats.
        A tap is answered on the spot instead: nothing is written into a group."""
        if event.callback_id:
            await self._answer_tap(event, t("error.internal"))
        try:
            async with self.sessionmaker() as session, session.begin():
                ctx = await self._context(session, event)
                await ctx.inbox.record_many(event.channel, [event.event_id, *event.also], ctx.now)
                if event.is_private and not event.callback_id:
                    ctx.reply(t("error.internal"))
            self.on_outbox()
        except Exception:
            log.exception("could not even apologize for event %s", event.event_id)

    async def _answer_tap(self, event: InboundEvent, text: T | None, alert: bool = True) -> None:
        messenger = self.messengers[event.channel]
        rendered = self.core.texts.render(text) if text else None
        try:
            await messenger.answer_callback(event, rendered, alert)
        except Exception:  # an unanswered tap only shows a spinner; nothing is owed
            log.warning("answering callback %s failed", event.callback_id, exc_info=True)

    # Albums arrive as separate messages; acknowledge once the last one has come in. A photo
    # of the sender's still being handled (or waiting its turn) means more are coming: the
    # timer waits for it, so a busy machine shows one preview of the whole album, not several.
    def _arm_album_timer(self, report_id: int, sender: str | None = None) -> None:
        old = self._album_timers.pop(report_id, None)
        if old:
            old.cancel()
        if sender is not None:
            self._album_senders[report_id] = sender
        loop = asyncio.get_running_loop()
        self._album_timers[report_id] = loop.call_later(
            self.core.limits.album_wait, self._spawn_settle, report_id
        )

    def cancel_album_timer(self, report_id: int) -> None:
        timer = self._album_timers.pop(report_id, None)
        if timer:
            timer.cancel()
        self._album_senders.pop(report_id, None)

    def _spawn_settle(self, report_id: int) -> None:
        self._album_timers.pop(report_id, None)
        sender = self._album_senders.get(report_id)
        if sender is not None and self._in_flight[sender]:
            self._arm_album_timer(report_id)  # its next photo re-arms it too, once handled
            return
        self._background.spawn(self._settle_in_turn(report_id, sender))

    async def _settle_in_turn(self, report_id: int, sender: str | None) -> None:
        """Acknowledge in the sender's turn: a photo arriving now waits for the preview."""
        if sender is None:
            await self.settle_album(report_id)
        else:
            async with self._lock(sender):
                await self.settle_album(report_id)
        if report_id not in self._album_timers:  # not waiting again (more photos came)
            self._album_senders.pop(report_id, None)

    async def settle_album(self, report_id: int, *, now: bool = False) -> None:
        from handlers import report as report_flow

        try:
            ctx = await self._transaction(
                None, lambda c: report_flow.settle_album(c, report_id, now=now)
            )
        except Exception:
            log.exception("acknowledging album of report %s failed", report_id)
            return
        if ctx is not None:
            await self._after_commit(ctx)

    async def drain_background(self) -> None:
        """Wait for deferred work (packages, recaps) without settling albums early (tests)."""
        await self._background.drain()

    async def settle_now(self) -> None:
        """Acknowledge every waiting album at once (tests and shutdown)."""
        pending = list(self._album_timers)
        for report_id in pending:
            self.cancel_album_timer(report_id)
            await self.settle_album(report_id, now=True)
        await self._background.drain()

    def _lock(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock

    async def _prefetch(self, event: InboundEvent) -> None:
        """Download and check photos, and look for earlier uses of them, before the
        transaction: no write lock waits on the network, the decoding or the search."""
        if not await self._from_member(event):
            return
        messenger = self.messengers[event.channel]
        for media in event.media:
            event.fetched.append(await self._fetch(messenger, media))
        await self._search_earlier(event.fetched)

    async def _from_member(self, event: InboundEvent) -> bool:
        """Whether the sender is a member, asked once per KNOWN_FOR: a stranger's photos are
        not downloaded. A redelivery is downloaded again and dropped by the transaction."""
        key, now = (event.channel, event.sender), time.monotonic()
        if now - self._known.get(key, -KNOWN_FOR) < KNOWN_FOR:
            return True
        async with reading(self.sessionmaker) as session:
            if await People(session).member_by_address(event.channel, event.sender) is None:
                return False
        if len(self._known) > 10_000:  # a bound, not a cache policy: forget everyone at once
            self._known.clear()
        self._known[key] = now
        return True

    async def _search_earlier(self, fetched: list[FetchedMedia]) -> None:
        """The sent reports each photo appeared in before (nearest first): read outside the
        transaction, which only drops the draft's own number (handlers/photo_warnings.py)."""
        hashed = [(f, f.look.dhash) for f in fetched if f.look is not None and f.look.dhash]
        if not hashed or self._org is None:
            return
        try:
            async with reading(self.sessionmaker) as session:
                found = await photo_search.similar_to_each(
                    session,
                    self._org.id,
                    [dhash for _, dhash in hashed],
                    max_bits=self.core.limits.duplicate_bits,
                )
        except Exception:  # not fatal: the transaction searches itself (photo_warnings)
            log.warning("duplicate search before the transaction failed", exc_info=True)
            return
        for (f, _), earlier in zip(hashed, found, strict=True):
            f.earlier = earlier

    async def _fetch(self, messenger: Messenger, media: Media) -> FetchedMedia:
        limits = self.core.limits
        result = FetchedMedia(media)
        problem = _kind_problem(media)
        if problem:
            result.problem = problem
            return result
        if media.size and media.size > limits.max_photo_bytes:
            result.problem = "too_big"
            result.detail = {
                "mb": media.size / 1_048_576,
                "max_mb": limits.max_photo_bytes / 1_048_576,
            }
            return result
        try:
            data = await messenger.download(media)
        except MediaTooBig as exc:  # the channel knew before the download, or cut it short
            return _too_big(result, exc.size, limits.max_photo_bytes)
        except Exception:
            log.warning("download of %s failed", media.ref, exc_info=True)
            result.problem = "download_failed"
            return result
        if len(data) > limits.max_photo_bytes:
            result.problem = "too_big"
            result.detail = {
                "mb": len(data) / 1_048_576,
                "max_mb": limits.max_photo_bytes / 1_048_576,
            }
            return result
        try:  # one decode for the checks and the look
            info, result.look = await asyncio.to_thread(
                check_photo, data, max_pixels=limits.max_pixels
            )
        except ImageProblem as exc:
            result.problem = exc.code
            return result
        result.info = info
        result.stored = await asyncio.to_thread(self.core.media.put, data, info.mime)
        return result


def _too_big(result: FetchedMedia, size: int, limit: int) -> FetchedMedia:
    result.problem = "too_big"
    result.detail = {"mb": size / 1_048_576, "max_mb": limit / 1_048_576}
    return result


def _kind_problem(media: Media) -> str | None:
    if media.kind == "photo":
        return None
    name = (media.file_name or "").lower()
    mime = (media.mime or "").lower()
    if media.kind == "document" and (mime in IMAGE_MIMES or name.endswith(IMAGE_SUFFIXES)):
        return None
    return "video" if media.kind in ("video", "animation", "video_note") else "not_photo"

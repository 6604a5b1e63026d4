"""Takes due publications and posts them, each step recorded (exactly once across crashes).

Several processes may run it on one database: a publication is claimed for a lease renewed
at every recorded step, and a worker that lost its claim stops before its next call.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.health import Pulse
from bot.publishing.base import Posted, Target
from bot.publishing.errors import PublishError
from bot.publishing.steps import Hook, Steps, _no_hook
from handlers import targets as use
from handlers.context import Context
from handlers.engine import Engine
from handlers.publish_slots import next_free_slot
from storage.derivatives import ensure_derivatives
from storage.models import Publication, utcnow
from storage.models import PublicationStatus as S
from storage.publications import Publications

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 16  # backoff 1, 2, 4 … 60 min: about a day of a platform being unreachable
WAIT_FOR_WEBSITE = timedelta(minutes=1)


class LostClaim(Exception):
    """Another worker took this publication over (our lease ran out): stop touching it."""


def backoff(attempts: int) -> timedelta:
    minutes = min(60.0, 2.0 ** (attempts - 1)) * random.uniform(0.8, 1.2)
    return timedelta(minutes=minutes)


@dataclass
class Job:
    """One claimed publication as read at the start of its turn."""

    pub: Publication
    content: use.PostContent | None
    wait_until: datetime | None


class PublishWorker:
    def __init__(
        self,
        engine: Engine,
        targets: dict[str, Target],
        *,
        clock: Callable[[], datetime] = utcnow,
        worker: str = "warta",
        interval: float = 30.0,
        hook: Hook = _no_hook,  # called as ("<target>:<step>", "before" | "after")
    ) -> None:
        self.engine, self.targets, self.clock, self.worker = engine, targets, clock, worker
        self.interval, self.hook = interval, hook
        self.pulse = Pulse("publishing", stale_after=max(120.0, 4 * interval))
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    @property
    def sessionmaker(self) -> Any:
        return self.engine.sessionmaker

    async def run(self) -> None:
        """Pass after pass until stopped; a failing pass (database down) is logged and tried
        again after the interval, never ending the loop."""
        self.pulse.start()
        while not self._stop.is_set():
            try:
                await self.pass_once()
                self.pulse.ok()
            except Exception as exc:
                self.pulse.fail(exc)
                log.warning("publishing pass failed (%s); trying again", exc, exc_info=True)
            await self._sleep()
        self.pulse.stop()

    async def _sleep(self) -> None:
        """Until the interval is over, something became due here (wake), or stop."""
        waits = {asyncio.ensure_future(self._stop.wait()), asyncio.ensure_future(self._wake.wait())}
        await asyncio.wait(waits, timeout=self.interval, return_when=asyncio.FIRST_COMPLETED)
        for wait in waits:
            wait.cancel()
        self._wake.clear()

    def stop(self) -> None:
        self._stop.set()

    async def release_own(self) -> None:
        async with self.sessionmaker() as session, session.begin():
            await Publications(session).release(self.worker)

    async def drain(self) -> int:
        """Passes until nothing is due at the clock's time (tests)."""
        total = 0
        while done := await self.pass_once():
            total += done
        return total

    async def pass_once(self) -> int:
        async with self.sessionmaker() as session, session.begin():
            ids = await Publications(session).claim_due(self.clock(), self.worker, LEASE)
        for publication_id in ids:
            try:
                await self._work(publication_id)
            except LostClaim:
                log.warning("publication %s was taken over by another worker", publication_id)
        return len(ids)

    async def _work(self, publication_id: int) -> None:
        job = await self._load(publication_id)
        if job is None:
            return
        target = self.targets.get(job.pub.target)
        if target is None:  # configured no more: it waits, visible on the desk
            await self._update(publication_id, next_try_at=self.clock() + timedelta(hours=1))
            return
        if job.pub.status == S.REMOVING:
            await self._remove(job.pub, target)
        elif job.wait_until is not None:
            await self._update(publication_id, next_try_at=job.wait_until + WAIT_FOR_WEBSITE)
        elif job.content is None:
            await self._update(publication_id, status=S.CANCELLED)
        else:
            await self._publish(job.pub, job.content, target)

    async def _load(self, publication_id: int) -> Job | None:
        found: list[Job] = []

        async def read(ctx: Context) -> None:
            pub = await Publications(ctx.session).get(publication_id)
            if pub is None or pub.claimed_by != self.worker:
                return
            content = await use.post_content(ctx, pub) if pub.status == S.QUEUED else None
            found.append(Job(pub, content, await use.waits_for_website(ctx, pub)))

        await self.engine.run_job(read)
        return found[0] if found else None

    async def _publish(self, pub: Publication, content: use.PostContent, target: Target) -> None:
        async def hook(step: str, when: str) -> None:
            await self.hook(f"{pub.target}:{step}", when)

        steps = Steps(pub.progress, lambda progress: self._save(pub.id, progress), hook)
        try:
            photos = await asyncio.to_thread(self._photos, content, target.size)
            posted = await target.publish(content, photos, steps)
        except PublishError as exc:
            await self._failed(pub.id, exc, steps.progress)
            return
        except (LostClaim, asyncio.CancelledError):
            raise
        except Exception as exc:  # a bug or a broken photo: retried, and logged in full
            log.exception("publishing %s of report %s failed", pub.target, pub.report_id)
            await self._failed(pub.id, PublishError("transient", repr(exc)), steps.progress)
            return
        await self._published(pub.id, posted, steps.progress)

    def _photos(self, content: use.PostContent, size: str) -> list[Path]:
        media = self.engine.core.media
        return [Path(ensure_derivatives(media, path, sha)[size]) for path, sha in content.photos]

    async def _save(self, publication_id: int, progress: dict[str, Any]) -> None:
        until = self.clock() + LEASE
        async with self.sessionmaker() as session, session.begin():
            kept = await Publications(session).record(publication_id, self.worker, progress, until)
        if not kept:
            raise LostClaim(publication_id)

    async def _published(self, publication_id: int, posted: Posted, progress: dict) -> None:
        async def done(ctx: Context) -> None:
            pub = await self._mine(ctx, publication_id)
            pub.status, pub.progress = S.PUBLISHED, progress
            pub.external_id, pub.url, pub.published_at = posted.external_id, posted.url, ctx.now
            pub.error_kind = pub.error_text = None
            self._unclaim(pub)
            if pub.withdrawn_at is not None:  # withdrawn while being posted: take it down
                pub.status, pub.next_try_at = S.REMOVING, ctx.now
            await use.published(ctx, pub)

        await self.engine.run_job(done)
        log.info("report %s published on %s: %s", publication_id, posted.external_id, posted.url)

    async def _failed(self, publication_id: int, exc: PublishError, progress: dict) -> None:
        async def record(ctx: Context) -> None:
            pub = await self._mine(ctx, publication_id)
            pub.progress, pub.attempts = progress, pub.attempts + 1
            pub.error_kind, pub.error_text = exc.kind, exc.detail
            self._unclaim(pub)
            if exc.kind == "quota":
                pub.next_try_at = self._next_slot(ctx, pub)
            elif exc.transient and pub.attempts < MAX_ATTEMPTS:
                pub.next_try_at = ctx.now + backoff(pub.attempts)
            elif pub.withdrawn_at is not None:  # withdrawn meanwhile: nothing to tell or retry
                pub.status = S.CANCELLED
            else:
                pub.status = S.FAILED
                pub.error_kind = "unreachable" if exc.transient else exc.kind
                await use.failed(ctx, pub)

        log.warning("publication %s: %s", publication_id, exc)
        await self.engine.run_job(record)

    def _next_slot(self, ctx: Context, pub: Publication) -> datetime:
        slots = ctx.core.schedule.slots.get(pub.target, ())
        later = ctx.now + timedelta(minutes=1)
        return next_free_slot(slots, ctx.core.tz, later, set()) if slots else ctx.now + LEASE * 12

    async def _remove(self, pub: Publication, target: Target) -> None:
        if pub.external_id is None:
            await self._update(pub.id, status=S.REMOVED, removed_at=self.clock())
            return
        try:
            removed = await target.remove(pub.external_id)
        except PublishError as exc:
            log.warning("taking down publication %s: %s", pub.id, exc)
            await self._update(pub.id, next_try_at=self.clock() + backoff(pub.attempts + 1))
            return

        async def record(ctx: Context) -> None:
            mine = await self._mine(ctx, pub.id)
            mine.status = S.REMOVED if removed else S.REMOVE_BY_HAND
            mine.removed_at = ctx.now if removed else None
            self._unclaim(mine)
            await use.removed(ctx, mine)

        await self.engine.run_job(record)

    async def _update(self, publication_id: int, **values: Any) -> None:
        async def record(ctx: Context) -> None:
            pub = await self._mine(ctx, publication_id)
            for name, value in values.items():
                setattr(pub, name, value)
            self._unclaim(pub)

        await self.engine.run_job(record)

    async def _mine(self, ctx: Context, publication_id: int) -> Publication:
        pub = await Publications(ctx.session).get(publication_id)
        if pub is None or pub.claimed_by != self.worker:
            raise LostClaim(publication_id)
        return pub

    @staticmethod
    def _unclaim(pub: Publication) -> None:
        pub.claimed_by = pub.claimed_until = None

"""Runs the jobs Warta does by itself, every few seconds, on the clock it was given.

Jobs are idempotent: each claims what it sends (storage.reminders) in the same transaction as
the outbox rows, so running them often, after a restart or in two processes is safe. Tests call
tick() after moving their clock; nothing here sleeps on a schedule.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.health import Pulse, is_outage, keep_running
from handlers import nudges, reminders, report, schedule_edit, undeliverable, weekly
from handlers.context import Context
from handlers.engine import Engine
from handlers.pillars import reload_schedule
from storage.models import utcnow
from storage.webhooks import Receipts, Webhooks

log = logging.getLogger(__name__)

Job = Callable[[Context], Awaitable[None]]
INBOX_KEEP = timedelta(days=14)  # Telegram and Meta (7 days) stop redelivering before this
RECEIPTS_KEEP = timedelta(days=30)  # statuses come within days of sending


async def prune_inbox(ctx: Context) -> None:
    """Once a day: forget deliveries too old to be redelivered."""
    if not await ctx.reminders.claim(
        "prune", "inbox", ctx.today().isoformat(), outcome="sent", now=ctx.now
    ):
        return
    removed = await ctx.reminders.prune_inbox(ctx.now - INBOX_KEEP)
    removed += await Webhooks(ctx.session).prune(ctx.now - INBOX_KEEP)
    removed += await Receipts(ctx.session).prune(ctx.now - RECEIPTS_KEEP)
    if removed:
        log.info("forgot %d old deliveries, webhook bodies and receipts", removed)


def default_jobs() -> list[Job]:
    """What runs on every tick, in order (add a job here)."""
    return [
        schedule_edit.follow_saved,  # a schedule saved on the desk by another process
        report.settle_abandoned_albums,  # albums a killed process left unanswered
        reminders.send_group_reminders,
        reminders.send_personal_reminders,
        nudges.nudge_quiet_units,
        nudges.list_stale_reports,
        weekly.send_weekly,
        undeliverable.list_undeliverable,
        prune_inbox,
    ]


class Scheduler:
    def __init__(
        self,
        engine: Engine,
        *,
        clock: Callable[[], datetime] = utcnow,
        interval: float = 20.0,
        jobs: list[Job] | None = None,
    ) -> None:
        self.engine, self.clock, self.interval = engine, clock, interval
        self.jobs: list[Job] = jobs or default_jobs()
        self.pulse = Pulse("scheduler", stale_after=max(90.0, 4 * interval))
        self._stop = asyncio.Event()
        self._schedule_mtime = self._mtime()

    async def tick(self) -> None:
        """Run every job once; one failing job does not keep the others from running.

        The pulse fails when a job could not reach the database or the disk (a bug in one
        job is logged, and does not make the process look unable to work)."""
        outage: BaseException | None = None
        try:
            self._reload_if_changed()
        except Exception:
            log.exception("reloading the pillar schedule failed; the loaded one stays")
        for job in self.jobs:
            try:
                await self.engine.run_job(job)
            except Exception as exc:
                outage = exc if is_outage(exc) else outage
                log.exception("scheduled job %s failed; it runs again next tick", job.__name__)
        if outage is None:
            self.pulse.ok()
        else:
            self.pulse.fail(outage)

    async def run(self) -> None:
        await keep_running(
            self.tick, pulse=self.pulse, every=self.interval, stop=self._stop, log=log
        )

    def stop(self) -> None:
        self._stop.set()

    def _mtime(self) -> float | None:
        source = self.engine.core.schedule.source
        try:
            return source.stat().st_mtime if source else None
        except OSError:
            return None

    def _reload_if_changed(self) -> None:
        """An edited schedule file is picked up by every process, not only the one told."""
        mtime = self._mtime()
        if mtime != self._schedule_mtime:
            self._schedule_mtime = mtime
            reload_schedule(self.engine.core)

"""Assembles the process: database, core, Telegram adapter, outbox worker."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from bot.channels.telegram import CHANNEL as TELEGRAM
from bot.channels.telegram import TelegramChannel
from bot.health import Pulse, disk_problems, keep_running
from bot.identity import acquire
from bot.outbox_worker import OutboxWorker
from bot.scheduler import Scheduler
from bot.settings import Settings
from bot.web import TELEGRAM_PATH, WebApp
from handlers.caption_coach import Coaching
from handlers.config import Core, Letterhead, Limits, Rhythm
from handlers.engine import Engine
from handlers.events import InboundEvent
from handlers.ports import Messenger
from handlers.schedule import WEEKDAYS, load_reasons, load_schedule
from handlers.texts import Texts
from storage.chats import Chats
from storage.db import make_engine, make_sessionmaker, upgrade
from storage.media import MediaStore
from storage.models import utcnow
from storage.people import People
from storage.webhooks import Webhooks

if TYPE_CHECKING:  # imported when configured: pywa and the desk (jinja2, openpyxl) are ~15 MB
    from bot.channels.whatsapp import WhatsAppChannel
    from bot.desk import Desk
    from bot.publishing.public_media import PublicMedia
    from bot.publishing.worker import PublishWorker

log = logging.getLogger(__name__)
USERNAME_KEY = "telegram.username"
SWEEP_EVERY, SWEEP_GRACE = 15.0, timedelta(seconds=60)  # the webhook backlog's regular sweep
BEAT_EVERY = 5.0  # seconds between heartbeat touches at most
WHATSAPP = "whatsapp"  # bot.channels.whatsapp.CHANNEL, without importing pywa


def build_core(settings: Settings) -> Core:
    prompts = settings.prompts_dir
    return Core(
        texts=Texts.load(prompts / "id.toml"),
        schedule=load_schedule(prompts / "pillars" / f"{settings.schedule}.toml"),
        reasons=load_reasons(prompts / "reasons.toml"),
        media=MediaStore(settings.media_dir),
        tz=settings.tz,
        org_name=settings.org_name,
        limits=Limits(
            min_caption_chars=settings.min_caption_chars,
            max_photo_bytes=int(settings.max_photo_mb * 1024 * 1024),
            max_pixels=int(settings.max_photo_megapixels * 1_000_000),
            invite_days=settings.invite_days,
            album_wait=settings.album_wait_seconds,
            min_photo_side=settings.min_photo_side,
            dark_below=settings.dark_below,
            blurry_below=settings.blurry_below,
            old_photo_days=settings.old_photo_days,
            duplicate_bits=settings.duplicate_bits,
        ),
        rhythm=Rhythm(
            reminder_time=settings.reminder_time,
            grace_until=settings.reminder_grace_until,
            nudge_after_days=settings.nudge_after_days,
            nudge_time=settings.nudge_time,
            stale_after_hours=settings.stale_after_hours,
            weekly_weekday=WEEKDAYS.index(settings.weekly_report_day),
            weekly_time=settings.weekly_report_time,
        ),
        letterhead=Letterhead(settings.org_name, settings.org_address, settings.org_logo),
        reports_dir=settings.media_dir / "reports",
        publish_to=(TELEGRAM, settings.publish_channel) if settings.publish_channel else None,
        targets=settings.publishing_targets,
        public_url=settings.public_url,
        coaching=Coaching.load(prompts / "caption_coach.toml", settings.region_code),
        newsroom_sheet=settings.newsroom_photos == "sheet",
    )


class Warta:
    """One running bot. Tests build it with fake transports and a controllable clock."""

    def __init__(
        self,
        settings: Settings,
        *,
        httpx_kwargs: dict[str, Any] | None = None,
        whatsapp_httpx_kwargs: dict[str, Any] | None = None,
        publishing_httpx_kwargs: dict[str, dict[str, Any]] | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        if settings.telegram_token is None and not settings.whatsapp_enabled:
            raise ValueError(
                "no channel: set WARTA_TELEGRAM_TOKEN or the WARTA_WHATSAPP_* settings"
            )
        self.settings, self.clock = settings, clock
        self.db = make_engine(settings.database_url)
        self.sessionmaker = make_sessionmaker(self.db)
        self.core = build_core(settings)
        self.worker = acquire(settings.heartbeat_file.parent, settings.worker_id)
        self.telegram = self._telegram(httpx_kwargs)
        self.whatsapp = self._whatsapp(whatsapp_httpx_kwargs)
        self.messengers: dict[str, Messenger] = {}
        if self.telegram is not None:
            self.messengers[TELEGRAM] = self.telegram.messenger
        if self.whatsapp is not None:
            self.messengers[WHATSAPP] = self.whatsapp.messenger
        self.outbox = OutboxWorker(
            self.sessionmaker,
            self.messengers,
            clock=clock,
            give_up_after=timedelta(hours=settings.outbox_give_up_hours),
            worker=self.worker.name,
            heartbeat=self._beat,
            on_sent=self._on_sent,
        )
        self.engine = Engine(
            self.sessionmaker, self.core, self.messengers, on_outbox=self.outbox.wake, clock=clock
        )
        self.scheduler = Scheduler(self.engine, clock=clock)
        self.public_media: PublicMedia | None = None  # Instagram's photo links, when configured
        self.publisher = self._publisher(publishing_httpx_kwargs)
        if self.publisher is not None:
            self.engine.on_publish = self.publisher.wake
        secret = settings.telegram_webhook_secret
        self.web = WebApp(
            self.sessionmaker,
            whatsapp=self.whatsapp,
            # Polled updates are stored and processed here too; the route only with a webhook.
            telegram=self.telegram,
            telegram_secret=(
                secret.get_secret_value() if secret and settings.telegram_webhook_url else None
            ),
            healthy=self.health,
            clock=clock,
            concurrency=settings.webhook_concurrency,
            desk=self._desk(),
            extra_routes=[self.public_media.route()] if self.public_media else [],
        )
        self._outbox_task: asyncio.Task[None] | None = None
        self._scheduler_task: asyncio.Task[None] | None = None
        self._web_task: asyncio.Task[None] | None = None
        self._poll_task: asyncio.Task[None] | None = None
        self._sweep_task: asyncio.Task[None] | None = None
        self._publish_task: asyncio.Task[None] | None = None
        self._sweep_stop = asyncio.Event()
        self.sweep_pulse = Pulse("webhook backlog", stale_after=max(120.0, 4 * SWEEP_EVERY))
        self._beaten_at = 0.0
        self.sweep_every = SWEEP_EVERY

    def _publisher(self, httpx_kwargs: dict[str, dict[str, Any]] | None) -> PublishWorker | None:
        if not self.settings.publishing_targets:
            return None
        from bot.publishing.setup import build_targets
        from bot.publishing.worker import PublishWorker

        targets, self.public_media = build_targets(
            self.settings, self.core.media, self.clock, httpx_kwargs
        )
        return PublishWorker(self.engine, targets, clock=self.clock, worker=self.worker.name)

    def _desk(self) -> Desk | None:
        if self.settings.public_url is None:
            return None
        from bot.desk import Desk

        return Desk(self.engine, public_url=self.settings.public_url)

    def _telegram(self, httpx_kwargs: dict[str, Any] | None) -> TelegramChannel | None:
        settings = self.settings
        if settings.telegram_token is None:
            return None
        return TelegramChannel(
            token=settings.telegram_token.get_secret_value(),
            api_url=settings.telegram_api_url,
            on_event=self._on_event,
            texts=self.core.texts,
            media=self.core.media,
            username=settings.telegram_bot_username,
            httpx_kwargs=httpx_kwargs,
            group_rate=settings.telegram_group_rate,
            overall_rate=settings.telegram_overall_rate,
        )

    def _whatsapp(self, httpx_kwargs: dict[str, Any] | None) -> WhatsAppChannel | None:
        s = self.settings
        if not s.whatsapp_enabled:
            return None
        assert s.whatsapp_phone_id and s.whatsapp_token and s.whatsapp_app_secret
        assert s.whatsapp_verify_token
        from bot.channels.whatsapp import Templates, WhatsAppChannel

        return WhatsAppChannel(
            phone_id=s.whatsapp_phone_id,
            token=s.whatsapp_token.get_secret_value(),
            app_secret=s.whatsapp_app_secret.get_secret_value(),
            verify_token=s.whatsapp_verify_token.get_secret_value(),
            api_url=s.whatsapp_api_url,
            on_event=self._on_event,
            on_status=self._on_whatsapp_status,
            texts=self.core.texts,
            media=self.core.media,
            number=s.whatsapp_number,
            httpx_kwargs=httpx_kwargs,
            window=self._window_opened_at,
            per_second=s.whatsapp_rate,
            max_media_bytes=self.core.limits.max_photo_bytes,
            clock=self.clock,
            templates=Templates(
                s.whatsapp_template_notify,
                s.whatsapp_template_reminder,
                s.whatsapp_template_language,
            ),
        )

    async def _window_opened_at(self, chat_id: str) -> datetime | None:
        async with self.sessionmaker() as session:
            return await People(session).window_opened_at(WHATSAPP, chat_id)

    async def health(self) -> list[str]:
        """What keeps Warta from working right now; empty when healthy (/health)."""
        problems = self._loop_problems() + self._disk_problems()
        try:
            async with asyncio.timeout(10), self.db.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:
            problems.append(f"database: {type(exc).__name__}: {exc}"[:300])
        return problems

    def _loop_problems(self) -> list[str]:
        """A background loop that ended, or whose passes fail or stopped coming."""
        tasks = {
            "outbox": self._outbox_task,
            "scheduler": self._scheduler_task,
            "webhook backlog": self._sweep_task,
            "publishing": self._publish_task,
        }
        ended = [f"{name}: stopped" for name, task in tasks.items() if task and task.done()]
        pulses = [self.outbox.pulse, self.scheduler.pulse, self.sweep_pulse]
        if self.publisher is not None:
            pulses.append(self.publisher.pulse)
        return ended + [p for p in (pulse.problem() for pulse in pulses) if p]

    def _disk_problems(self) -> list[str]:
        folders = [self.settings.heartbeat_file.parent, self.settings.media_dir]
        return disk_problems(folders, self.settings.min_free_disk_mb * 1_048_576)

    @property
    def serves_web(self) -> bool:
        return self.whatsapp is not None or bool(
            self.settings.telegram_webhook_url or self.settings.public_url
        )

    def _beat(self) -> None:
        """After an outbox pass that worked: touch the heartbeat (`warta health` reads it),
        unless another loop or the disk is failing, so the heartbeat stops when Warta can't work."""
        if time.monotonic() - self._beaten_at < BEAT_EVERY:
            return
        problems = self._loop_problems() + self._disk_problems()
        if problems:
            log.warning("heartbeat held back: %s", "; ".join(problems))
            return
        path = self.settings.heartbeat_file
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch()
        except OSError:
            log.warning("cannot write heartbeat %s", path, exc_info=True)
            return
        self._beaten_at = time.monotonic()

    async def _sweep_webhooks(self) -> None:
        """The webhook backlog, swept regularly: bodies whose processing failed (the database
        was down) or that a killed process left get processed without a restart."""

        async def sweep() -> None:
            swept = await self.web.process_backlog(self.worker.name, grace=SWEEP_GRACE)
            self.sweep_pulse.ok()
            if swept:
                log.info("processed %d webhook bodies from the backlog", swept)

        await keep_running(
            sweep, pulse=self.sweep_pulse, every=self.sweep_every, stop=self._sweep_stop, log=log
        )

    async def _take_back_claims(self) -> None:
        """What a killed run under this worker identity held goes out now, not after a lease."""
        await self.outbox.release_own()
        if self.publisher is not None:
            await self.publisher.release_own()
        async with self.sessionmaker() as session, session.begin():
            await Webhooks(session).release(self.worker.name)

    async def _on_event(self, event: InboundEvent) -> None:
        await self.engine.handle(event)

    async def _on_sent(self, ref: str, channel: str, chat_id: str, ids: list[str]) -> None:
        await self.engine.after_sent(ref, channel, chat_id, ids)

    async def _on_whatsapp_status(
        self, external_id: str, status: str, error: str | None, failure: str | None
    ) -> None:
        await self.engine.record_status(WHATSAPP, external_id, status, error, failure)

    async def start(self, *, background: bool = True) -> None:
        """Migrate, connect, start; raises TokenRejected when the Telegram token is refused.

        background=False (tests): no outbox worker, scheduler or web server tasks; the test
        drives them.
        """
        await upgrade(self.db)
        await self._take_back_claims()
        await self.engine.start()
        if self.telegram is not None:
            await self.telegram.connect()
            async with self.sessionmaker() as session, session.begin():
                await Chats(session).set_value(USERNAME_KEY, self.telegram.username)
            await self.telegram.start()
        await self.web.process_backlog(self.worker.name)
        if background:
            self._outbox_task = asyncio.create_task(self.outbox.run())
            self._sweep_task = asyncio.create_task(self._sweep_webhooks())
            # The first tick runs at once: a reminder missed while down goes out now (grace).
            self._scheduler_task = asyncio.create_task(self.scheduler.run())
            if self.publisher is not None:
                self._publish_task = asyncio.create_task(self.publisher.run())
            if self.serves_web:
                host, port = self.settings.web_host, self.settings.web_port
                self._web_task = asyncio.create_task(self.web.serve(host, port))

    async def start_receiving(self) -> None:
        """Telegram: set the webhook when a public URL is configured, else poll."""
        if self.telegram is None:
            return
        url, secret = self.settings.telegram_webhook_url, self.settings.telegram_webhook_secret
        if url:
            await self.telegram.set_webhook(
                url.rstrip("/") + TELEGRAM_PATH, secret.get_secret_value() if secret else None
            )
        else:
            self._poll_task = asyncio.create_task(self.telegram.poll(self.web.receive))

    async def stop(self) -> None:
        """Stop taking work, finish what was taken, send what is owed, close."""
        if self._poll_task is not None:  # what it fetched is stored: cancelling loses nothing
            self._poll_task.cancel()
            await asyncio.gather(self._poll_task, return_exceptions=True)
            self._poll_task = None
        await _finish(self.scheduler.stop, self._scheduler_task)
        await _finish(self._sweep_stop.set, self._sweep_task)
        if self.publisher is not None:  # a post in flight finishes its step and is recorded
            await _finish(self.publisher.stop, self._publish_task)
            self._publish_task = None
        await _finish(self.web.stop, self._web_task)
        await self.web.drain()
        await self.engine.settle_now()
        await _finish(self.outbox.stop, self._outbox_task)
        self._outbox_task = self._scheduler_task = self._web_task = self._sweep_task = None
        if self.telegram is not None:
            await self.telegram.stop()
        await self.abandon()

    async def abandon(self) -> None:
        """Close what __init__ opened (also when start() did not finish: refused, stopped)."""
        if self.publisher is not None:
            for target in self.publisher.targets.values():
                await target.aclose()
        if self.whatsapp is not None:
            await self.whatsapp.close()
        await self.db.dispose()
        self.worker.release()

    async def process(self, update_json: dict[str, Any]) -> None:
        """Feed one raw Telegram update, as a webhook would (tests and benchmarks)."""
        assert self.telegram is not None
        await self.telegram.process(update_json)


async def _finish(stop: Callable[[], None], task: asyncio.Task[None] | None) -> None:
    if task is not None:
        stop()
        await task

"""Assembles the process: database, core, Telegram adapter, outbox worker."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.channels.telegram import CHANNEL, TelegramChannel
from bot.outbox_worker import OutboxWorker
from bot.scheduler import Scheduler
from bot.settings import Settings
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

log = logging.getLogger(__name__)
USERNAME_KEY = "telegram.username"


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
    )


class Warta:
    """One running bot. Tests build it with a fake transport and a controllable clock."""

    def __init__(
        self,
        settings: Settings,
        *,
        httpx_kwargs: dict[str, Any] | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        if settings.telegram_token is None:
            raise ValueError("WARTA_TELEGRAM_TOKEN is not set")
        self.settings = settings
        self.db = make_engine(settings.database_url)
        self.sessionmaker = make_sessionmaker(self.db)
        self.core = build_core(settings)
        self.telegram = TelegramChannel(
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
        self.messengers: dict[str, Messenger] = {CHANNEL: self.telegram.messenger}
        self.outbox = OutboxWorker(
            self.sessionmaker, self.messengers, clock=clock, heartbeat=self._beat
        )
        self.engine = Engine(
            self.sessionmaker, self.core, self.messengers, on_outbox=self.outbox.wake, clock=clock
        )
        self.scheduler = Scheduler(self.engine, clock=clock)
        self._outbox_task: asyncio.Task[None] | None = None
        self._scheduler_task: asyncio.Task[None] | None = None

    def _beat(self) -> None:
        path = self.settings.heartbeat_file
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch()
        except OSError:
            log.warning("cannot write heartbeat %s", path, exc_info=True)

    async def _on_event(self, event: InboundEvent) -> None:
        await self.engine.handle(event)

    async def start(self, *, background_outbox: bool = True) -> None:
        """Migrate, connect, start; raises TokenRejected when the token is refused."""
        await upgrade(self.db)
        await self.engine.start()
        await self.telegram.connect()
        async with self.sessionmaker() as session, session.begin():
            await Chats(session).set_value(USERNAME_KEY, self.telegram.username)
        await self.telegram.start()
        if background_outbox:
            self._outbox_task = asyncio.create_task(self.outbox.run())
            # The first tick runs at once: a reminder missed while down goes out now (grace).
            self._scheduler_task = asyncio.create_task(self.scheduler.run())

    async def start_polling(self) -> None:
        await self.telegram.start_polling()

    async def stop(self) -> None:
        if self._scheduler_task is not None:
            self.scheduler.stop()
            await self._scheduler_task
        await self.engine.settle_now()
        if self._outbox_task is not None:
            self.outbox.stop()
            await self._outbox_task
        await self.telegram.stop()
        await self.db.dispose()

    async def process(self, update_json: dict[str, Any]) -> None:
        """Feed one raw Telegram update, as a webhook would (tests and benchmarks)."""
        await self.telegram.process(update_json)

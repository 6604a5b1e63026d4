"""Assembles the process: database, core, Telegram adapter, outbox worker."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.channels.telegram import (
    CHANNEL,
    TelegramMessenger,
    build_application,
    register_commands,
    to_event,
)
from bot.outbox_worker import OutboxWorker
from bot.settings import Settings
from handlers.config import Core, Limits
from handlers.engine import Engine
from handlers.ports import Messenger
from handlers.schedule import load_reasons, load_schedule
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
        self.telegram: Application = build_application(
            token=settings.telegram_token.get_secret_value(),
            base_url=settings.telegram_base_url,
            base_file_url=settings.telegram_file_url,
            on_update=self.on_telegram_update,
            httpx_kwargs=httpx_kwargs,
            group_rate=settings.telegram_group_rate,
            overall_rate=settings.telegram_overall_rate,
        )
        self.messengers: dict[str, Messenger] = {
            CHANNEL: TelegramMessenger(
                self.telegram, self.core.texts, self.core.media, settings.telegram_bot_username
            ),
        }
        self.outbox = OutboxWorker(
            self.sessionmaker, self.messengers, clock=clock, heartbeat=self._beat
        )
        self.engine = Engine(
            self.sessionmaker, self.core, self.messengers, on_outbox=self.outbox.wake, clock=clock
        )
        self._outbox_task: asyncio.Task[None] | None = None

    def _beat(self) -> None:
        path = self.settings.heartbeat_file
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch()
        except OSError:
            log.warning("cannot write heartbeat %s", path, exc_info=True)

    async def on_telegram_update(self, update: Update) -> None:
        try:
            bot_id = self.telegram.bot.id
        except RuntimeError:  # not initialized
            bot_id = None
        event = to_event(update, bot_id)
        if event is not None:
            await self.engine.handle(event)

    async def start(self, *, background_outbox: bool = True) -> None:
        await upgrade(self.db)
        await self.engine.start()
        await self.telegram.initialize()
        async with self.sessionmaker() as session, session.begin():
            await Chats(session).set_value(USERNAME_KEY, self.telegram.bot.username)
        try:
            await register_commands(self.telegram)
        except Exception:  # menus are a convenience; never a reason not to start
            log.warning("registering command menus failed", exc_info=True)
        await self.telegram.start()
        if background_outbox:
            self._outbox_task = asyncio.create_task(self.outbox.run())

    async def start_polling(self) -> None:
        assert self.telegram.updater is not None
        await self.telegram.updater.start_polling(drop_pending_updates=False)

    async def stop(self) -> None:
        if self.telegram.updater is not None and self.telegram.updater.running:
            await self.telegram.updater.stop()
        await self.engine.settle_now()
        if self._outbox_task is not None:
            self.outbox.stop()
            await self._outbox_task
        if self.telegram.running:
            await self.telegram.stop()
        await self.telegram.shutdown()
        await self.db.dispose()

    async def process(self, update_json: dict[str, Any]) -> None:
        """Feed one raw update, as a webhook would (used by tests and benchmarks)."""
        await self.telegram.process_update(Update.de_json(update_json, self.telegram.bot))

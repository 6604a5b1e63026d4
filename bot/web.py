"""One ASGI app for webhooks, health and the web desk: verify, store, answer 200, then process.

A webhook body is written to the database before the 200 goes back, so a crash between the
two loses nothing: unprocessed bodies are processed again on start (the inbox dedupes).
Bodies are capped before they are read, and only a few are processed at once.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.channels.telegram import TelegramChannel
from handlers.background import Background
from storage.models import utcnow
from storage.webhooks import Webhooks

if TYPE_CHECKING:  # bot.desk reads forms with read_capped from here; pywa only when used
    import uvicorn

    from bot.channels.whatsapp import WhatsAppChannel
    from bot.desk import Desk

log = logging.getLogger(__name__)
TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WHATSAPP_PATH, TELEGRAM_PATH = "/webhooks/whatsapp", "/webhooks/telegram"
BACKLOG_BATCH, BACKLOG_LEASE = 20, timedelta(minutes=5)  # a batch is processed well within it
# Meta's and Telegram's updates are a few kB; a batch of many stays far below this.
MAX_BODY = 1024 * 1024


async def read_capped(request: Request, limit: int) -> bytes | None:
    """The body, or None once it is known to be over the limit (the rest is never read)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():  # chunked bodies declare no length
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large() -> Response:
    return PlainTextResponse("Payload Too Large", status_code=413)


class WebApp:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        whatsapp: WhatsAppChannel | None = None,
        telegram: TelegramChannel | None = None,
        telegram_secret: str | None = None,
        healthy: Callable[[], Awaitable[list[str]]] | None = None,
        clock: Callable[[], datetime] = utcnow,
        concurrency: int = 8,
        max_body: int = MAX_BODY,
        desk: Desk | None = None,
        extra_routes: list[BaseRoute] | None = None,
    ) -> None:
        self.sessionmaker, self.clock, self.healthy = sessionmaker, clock, healthy or _no_problems
        self.whatsapp, self.telegram, self.telegram_secret = whatsapp, telegram, telegram_secret
        self.max_body = max_body
        self._background = Background()
        # A burst of webhooks waits here, stored, instead of running the engine all at once.
        self._slots = asyncio.Semaphore(concurrency)
        routes: list[BaseRoute] = [Route("/health", self._health, methods=["GET"])]
        if whatsapp is not None:
            routes.append(Route(WHATSAPP_PATH, self._whatsapp_challenge, methods=["GET"]))
            routes.append(Route(WHATSAPP_PATH, self._whatsapp_post, methods=["POST"]))
        if telegram is not None and telegram_secret:
            routes.append(Route(TELEGRAM_PATH, self._telegram_post, methods=["POST"]))
        if desk is not None:
            routes.extend(desk.routes())
        routes.extend(extra_routes or [])
        self.app = Starlette(routes=routes)
        self._server: uvicorn.Server | None = None

    # ---- routes -----------------------------------------------------------------------------
    async def _health(self, _request: Request) -> Response:
        """503 while Warta cannot work (database, disk, a stuck loop), with what is wrong."""
        problems = await self.healthy()
        if problems:
            return JSONResponse({"ok": False, "problems": problems}, status_code=503)
        return JSONResponse({"ok": True})

    async def _whatsapp_challenge(self, request: Request) -> Response:
        assert self.whatsapp is not None
        q = request.query_params
        body, status = await self.whatsapp.challenge(
            q.get("hub.mode"), q.get("hub.verify_token"), q.get("hub.challenge")
        )
        return PlainTextResponse(body, status_code=status)

    async def _whatsapp_post(self, request: Request) -> Response:
        assert self.whatsapp is not None
        from bot.channels.whatsapp import SIGNATURE_HEADER  # loaded: self.whatsapp exists

        body = await read_capped(request, self.max_body)
        if body is None:
            return _too_large()
        if not await self.whatsapp.is_signed(body, request.headers.get(SIGNATURE_HEADER)):
            log.warning("refused a WhatsApp webhook with a missing or wrong signature")
            return PlainTextResponse("Unauthorized", status_code=401)
        return await self._accept("whatsapp", body)

    async def _telegram_post(self, request: Request) -> Response:
        given = request.headers.get(TELEGRAM_SECRET_HEADER, "")
        if not hmac.compare_digest(given, self.telegram_secret or ""):
            log.warning("refused a Telegram webhook with a wrong secret token")
            return PlainTextResponse("Unauthorized", status_code=401)
        body = await read_capped(request, self.max_body)
        return _too_large() if body is None else await self._accept("telegram", body)

    async def _accept(self, channel: str, body: bytes) -> Response:
        try:
            json.loads(body.decode("utf-8"))  # stored as UTF-8 text
        except (ValueError, RecursionError):  # RecursionError: nested thousands of levels deep
            log.warning("refused a %s webhook that is not JSON we can read", channel)
            return PlainTextResponse("Bad Request", status_code=400)
        await self.receive(channel, [body])
        return PlainTextResponse("ok")

    async def receive(self, channel: str, bodies: list[bytes]) -> None:
        """Store what came in, in one transaction, then process it in the background. Stored
        first: a webhook is answered 200, and polling moves its offset, only after this."""
        now = self.clock()
        async with self.sessionmaker() as session, session.begin():
            webhooks = Webhooks(session)
            ids = [await webhooks.store(channel, body, now) for body in bodies]
        for webhook_id in ids:
            self._background.spawn(self.process(webhook_id))

    # ---- processing -------------------------------------------------------------------------
    async def process(self, webhook_id: int) -> None:
        async with self._slots:
            await self._process(webhook_id)

    async def _process(self, webhook_id: int) -> None:
        async with self.sessionmaker() as session:
            row = await Webhooks(session).get(webhook_id)
        if row is None or row.processed_at is not None:
            return
        try:
            await self._dispatch(row.channel, row.body.encode("utf-8"))
        except Exception:  # a body that breaks the parser must not be retried forever
            log.exception("processing %s webhook %s failed", row.channel, webhook_id)
        async with self.sessionmaker() as session, session.begin():
            await Webhooks(session).mark_processed(webhook_id, self.clock())

    async def _dispatch(self, channel: str, body: bytes) -> None:
        if channel == "whatsapp" and self.whatsapp is not None:
            await self.whatsapp.process(body)
        elif channel == "telegram" and self.telegram is not None:
            await self.telegram.process(json.loads(body))

    async def process_backlog(self, worker: str, *, grace: timedelta = timedelta(0)) -> int:
        """Process bodies stored and not processed (a stopped or killed process, a database
        that failed meanwhile), received more than grace ago (younger ones are presumably still
        being processed by whoever received them). Claimed a batch at a time under a lease with
        SKIP LOCKED, so processes sweeping side by side never take the same body. Raises when
        the database fails: what it had claimed is swept again once the lease is over."""
        done = 0
        while True:
            now = self.clock()
            async with self.sessionmaker() as session, session.begin():
                batch = await Webhooks(session).claim_backlog(
                    worker, now, lease=BACKLOG_LEASE, older_than=now - grace, limit=BACKLOG_BATCH
                )
            if not batch:
                return done
            for webhook_id in batch:
                await self.process(webhook_id)
                done += 1

    async def drain(self) -> None:
        """Wait for everything received so far to be processed (tests, shutdown)."""
        await self._background.drain()

    # ---- serving ----------------------------------------------------------------------------
    async def serve(self, host: str, port: int) -> None:
        import uvicorn  # only a process that serves the web loads it

        config = uvicorn.Config(self.app, host=host, port=port, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        await self._server.serve()

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True


async def _no_problems() -> list[str]:
    return []

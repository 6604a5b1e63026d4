"""Serving the sandbox: its page and Warta's own web app (the desk) on one address.

The page's routes come first; everything else goes to the Warta running now, so a reset, which
starts a new Warta, keeps the address and the server.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.types import Receive, Scope, Send

from bot.sandbox.page import SandboxPage
from bot.sandbox.run import Sandbox
from bot.settings import Settings

ANY_HOST = "0.0.0.0"
GRACE = 2  # seconds a stop waits for requests: open chats hold a long poll each


def lan_address() -> str:
    """This machine's address on the room's network, for trainees' phones. A UDP socket
    "connected" to a private address sends nothing; it only picks the interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            return str(probe.getsockname()[0])
        except OSError:
            return "127.0.0.1"


def page_address(host: str, port: int) -> str:
    shown = lan_address() if host == ANY_HOST else host
    return f"http://{shown}:{port}"


def sandbox_app(sandbox: Sandbox, address: str) -> Starlette:
    page = SandboxPage(sandbox, address=address)

    async def current_warta(scope: Scope, receive: Receive, send: Send) -> None:
        await sandbox.warta.web.app(scope, receive, send)

    app = Starlette(routes=[*page.routes(), Mount("/", app=current_warta)])
    app.state.page = page  # closed before the server stops: its long polls end at once
    return app


async def serve_sandbox(
    settings: Settings,
    *,
    host: str,
    port: int,
    stop: asyncio.Event,
    ready: Callable[[str], None] = lambda _address: None,
    folder: Path | None = None,
) -> None:
    """Start the sandbox, serve it until `stop` is set, then stop it; `ready(address)` once
    the page answers (seeding the demo takes a few seconds)."""
    # Bound first: a port in use is said before the demo is seeded; once listening, a browser
    # opened at once waits in the backlog until uvicorn takes it.
    sock = socket.create_server((host, port))
    address = page_address(host, port)
    sandbox = Sandbox(settings, folder or settings.media_dir.parent / "sandbox", public_url=address)
    app = sandbox_app(sandbox, address)
    config = uvicorn.Config(
        app, log_level="warning", lifespan="off", timeout_graceful_shutdown=GRACE
    )
    server = uvicorn.Server(config)
    try:
        await sandbox.start()
        ready(address)
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        app.state.page.close()
        server.should_exit = True
        await asyncio.gather(serving, return_exceptions=True)
    finally:
        sock.close()
        await sandbox.stop()

"""What desk tests share (a pytest plugin, see conftest.py): Warta with its desk, a browser
of its own on the app, signing in through the chat link, and a real Chromium.

Never `playwright install` (it downloads a browser): Playwright's driver launches
/usr/bin/chromium (.ci/run installs the package when it is missing).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.async_api import Browser, Page, async_playwright

from tests.channels import Person
from tests.fake_telegram import FakeTelegram
from tests.fake_whatsapp import FakeGraph
from tests.harness import Clock, Harness, make_settings, whatsapp_settings

URL = "https://warta.example.go.id"
SAME_ORIGIN = {"Origin": URL, "Sec-Fetch-Site": "same-origin"}
LINK = re.compile(r"(https?://[^\s/]+)/masuk/([A-Za-z0-9_-]+)")
MakeDesk = Callable[[str | None], Awaitable[Harness]]


@pytest.fixture
async def make_desk(
    fake: FakeTelegram, graph: FakeGraph, tmp_path: Path, database_url: str, clock: Clock
) -> AsyncIterator[MakeDesk]:
    """Warta on both channels with WARTA_PUBLIC_URL set to the given address (None: unset)."""
    started: list[Harness] = []

    async def start(public_url: str | None = URL) -> Harness:
        settings = make_settings(
            tmp_path, database_url, public_url=public_url, **whatsapp_settings(graph)
        )
        harness = await Harness(fake, settings, clock, graph).start()
        started.append(harness)
        return harness

    yield start
    for harness in started:
        await harness.stop()


@pytest.fixture
async def desk(make_desk: MakeDesk) -> Harness:
    return await make_desk(URL)


def browser(h: Harness, base: str = URL) -> httpx.AsyncClient:
    """A browser of its own (its own cookie jar) on Warta's web app."""
    transport = httpx.ASGITransport(app=h.w.web.app)
    return httpx.AsyncClient(transport=transport, base_url=base)


async def link_for(person: Person) -> tuple[str, str]:
    """/dasbor in chat; the (origin, code) of the login link in the answer."""
    await person.command("dasbor")
    found = LINK.search(person.last_text())
    assert found, person.last_text()
    return found.group(1), found.group(2)


async def sign_in(h: Harness, person: Person, client: httpx.AsyncClient) -> httpx.Response:
    _, code = await link_for(person)
    return await client.post(f"/masuk/{code}", headers=SAME_ORIGIN)


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",  # root in CI
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
async def served(
    fake: FakeTelegram, graph: FakeGraph, tmp_path: Path, database_url: str, clock: Clock
) -> AsyncIterator[tuple[Harness, str]]:
    """Warta with its desk on a free port of 127.0.0.1: (harness, the desk's address)."""

    async def start(url: str) -> Harness:
        settings = make_settings(tmp_path, database_url, public_url=url, **whatsapp_settings(graph))
        return await Harness(fake, settings, clock, graph).start()

    async with serving(start) as found:
        yield found


@contextlib.asynccontextmanager
async def serving(
    start: Callable[[str], Awaitable[Harness]],
) -> AsyncIterator[tuple[Harness, str]]:
    """A free port of 127.0.0.1, Warta started by `start(its address)` and served there."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen()  # connections wait in the backlog until uvicorn accepts: no polling for it
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    harness = await start(url)
    config = uvicorn.Config(harness.w.web.app, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield harness, url
    finally:
        server.should_exit = True
        await task
        sock.close()
        await harness.stop()


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """Debian's Chromium, headless, through Playwright's driver."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=ARGS, headless=True
        )
        try:
            yield browser
        finally:
            await browser.close()


needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"
)


def watch(page: Page) -> list[str]:
    """What went wrong on the page as it is used: console errors and failed requests."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: problems.append(r.url) if r.status >= 400 else None)
    return problems


async def no_sideways_scroll(page: Page, width: int = 360) -> bool:
    scrolled: int = await page.evaluate("document.documentElement.scrollWidth")
    return scrolled <= width


async def login_link(person: Person) -> str:
    """/dasbor in chat; the login link in the answer, whole."""
    origin, code = await link_for(person)
    return f"{origin}/masuk/{code}"

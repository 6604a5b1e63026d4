"""The sandbox page in a real browser (Debian's Chromium through Playwright): a trainee joins by
picking a name, reports with a photo from the device, is sent back for a revision by the
editor in the newsroom chat, revises, is approved; the trainer sends the weekly recap and it
arrives in the leaders' chat. All through the page, against the real Warta and the emulator.

Never `playwright install`: Playwright's driver launches /usr/bin/chromium.
"""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import uvicorn
from playwright.async_api import Locator, Page, expect

from bot.sandbox.run import LEADERS, NEWSROOM, Sandbox
from bot.sandbox.serve import sandbox_app
from tests.desk_helpers import chromium, needs_chromium, no_sideways_scroll, watch
from tests.harness import CAPTION, MONDAY_9_WIB, RunningClock, jpeg, make_settings

pytestmark = needs_chromium
WAIT = 20_000  # ms: the bot answers through its polling, and the page through its long poll


@pytest.fixture
async def served_sandbox(tmp_path: Path) -> AsyncIterator[tuple[Sandbox, str]]:
    (tmp_path / "real").mkdir()
    base = make_settings(tmp_path / "real", f"sqlite+aiosqlite:///{tmp_path / 'real.db'}")
    base = base.model_copy(update={"album_wait_seconds": 0.3})
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    sandbox = Sandbox(base, tmp_path / "sandbox", public_url=url, clock=RunningClock(MONDAY_9_WIB))
    await sandbox.start()
    app = sandbox_app(sandbox, url)
    config = uvicorn.Config(app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield sandbox, url
    finally:
        app.state.page.close()
        server.should_exit = True
        await task
        sock.close()
        await sandbox.stop()


def bubble(page: Page, text: str) -> Locator:
    """The latest message in the open chat that shows this text."""
    return page.locator(".bubble", has_text=text).last


async def send_photo(page: Page, caption: str, color: tuple[int, int, int]) -> None:
    photo = {"name": "kegiatan.jpg", "mimeType": "image/jpeg", "buffer": jpeg(color=color)}
    await page.set_input_files("#foto", files=[photo])
    await page.fill("#keterangan", caption)
    await page.get_by_role("button", name="Kirim foto").click()


async def test_a_trainee_reports_revises_and_is_approved_and_the_recap_arrives(
    served_sandbox: tuple[Sandbox, str],
) -> None:
    _sandbox, url = served_sandbox
    async with chromium() as browser:
        trainee_ctx = await browser.new_context(viewport={"width": 360, "height": 780})
        trainee = await trainee_ctx.new_page()
        trainee.set_default_timeout(WAIT)
        problems = watch(trainee)
        await trainee.goto(url)
        await trainee.fill("#nama", "Budi Santoso")
        await trainee.select_option("#peran", "Kecamatan Bogor Barat")
        await trainee.get_by_role("button", name="Mulai").click()
        await expect(bubble(trainee, "Bogor Barat")).to_be_visible()

        await send_photo(trainee, CAPTION, (40, 120, 200))
        preview = bubble(trainee, "Pratinjau")
        await preview.get_by_role("button", name="✅ Kirim", exact=True).click()
        await expect(bubble(trainee, "#2026-0001")).to_be_visible()
        assert await no_sideways_scroll(trainee)

        # The trainer's laptop: the newsroom, acting as the demo editor.
        desk_ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
        newsroom = await desk_ctx.new_page()
        newsroom.set_default_timeout(WAIT)
        await newsroom.goto(f"{url}/obrolan/{NEWSROOM['id']}")
        card = bubble(newsroom, "Laporan #")
        await expect(card).to_contain_text("Budi Santoso")
        await card.get_by_role("button", name=re.compile("revisi")).click()
        reasons = bubble(newsroom, "Laporan #")
        await reasons.get_by_role("button", name=re.compile("Foto buram")).click()
        await expect(bubble(newsroom, "Laporan #")).to_contain_text("Diminta revisi")

        notice = bubble(trainee, "perlu revisi")
        await expect(notice).to_contain_text("buram")
        await notice.get_by_role("button", name=re.compile("Kirim revisi")).click()
        await expect(bubble(trainee, "Revisi ke-2")).to_be_visible()
        await send_photo(trainee, CAPTION + " Foto baru.", (200, 10, 10))
        preview = bubble(trainee, "1 foto diterima")  # the preview of the new photo
        await expect(preview).to_contain_text("Revisi ke-2")
        await preview.get_by_role("button", name="✅ Kirim", exact=True).click()

        revised = bubble(newsroom, "Revisi ke-2 dari #2026-0001")
        await revised.get_by_role("button", name=re.compile("Setujui")).click()
        await expect(bubble(newsroom, "Revisi ke-2 dari #2026-0001")).to_contain_text("Disetujui")
        await expect(bubble(trainee, "disetujui")).to_be_visible()

        await newsroom.goto(url)
        await newsroom.get_by_role("button", name="Kirim rekap pekanan sekarang").click()
        await expect(newsroom.get_by_role("status")).to_contain_text("Rekap pekan ini")
        await newsroom.goto(f"{url}/obrolan/{LEADERS['id']}")
        await expect(newsroom.locator(".doc a", has_text=".xlsx")).to_be_visible()
        await expect(newsroom.locator(".doc a", has_text=".pdf")).to_be_visible()
        assert problems == [], problems

"""The coordinator pages in a real browser: Debian's Chromium driven by Playwright, Warta served
by uvicorn on 127.0.0.1 with a prompts folder of its own. A coordinator signs in through the
chat link, adds a unit, makes an invite and sees its QR codes load, edits the schedule with an
error (the line-numbered message shows) and fixes it, and sends a failed message again; /unit
has no sideways scroll at 360 px."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.models import Role
from tests.channels import join
from tests.desk_admin_helpers import start_warta
from tests.desk_helpers import (
    chromium,
    login_link,
    needs_chromium,
    no_sideways_scroll,
    serving,
    watch,
)
from tests.fake_telegram import FakeTelegram
from tests.fake_whatsapp import FakeGraph
from tests.harness import Clock, Harness

pytestmark = needs_chromium


@pytest.fixture
async def served(
    fake: FakeTelegram, graph: FakeGraph, tmp_path: Path, database_url: str, clock: Clock
) -> AsyncIterator[tuple[Harness, str]]:
    """Warta with its desk on a free port of 127.0.0.1, its schedule file its own."""

    async def start(url: str) -> Harness:
        return await start_warta(fake, graph, tmp_path, database_url, clock, public_url=url)

    async with serving(start) as found:
        yield found


async def test_a_coordinator_manages_units_schedule_and_deliveries(
    served: tuple[Harness, str],
) -> None:
    h, url = served
    boss = await join(h, "telegram", "Kartika", Role.COORDINATOR)
    operator = await join(h, "telegram", "Budi", Role.OPERATOR, "Kecamatan Bogor Barat")
    h.fake.fail_next("sendMessage", 403)  # Budi blocked the bot: this answer is given up on
    await operator.command("status")
    link = await login_link(boss)

    async with chromium() as browser:
        page = await browser.new_page(viewport={"width": 360, "height": 640})
        problems = watch(page)
        await page.goto(link)
        await page.get_by_role("button", name="Masuk").click()
        await page.wait_for_url(f"{url}/dasbor")

        await page.get_by_role("link", name="Unit & anggota").click()
        await page.wait_for_url(f"{url}/unit")
        assert await no_sideways_scroll(page)
        await page.get_by_label("Nama unit").fill("Kecamatan Tanah Sareal")
        await page.get_by_role("button", name="Tambah unit").click()
        said = page.locator("#said [role=status]")
        await said.wait_for()
        assert "Kecamatan Tanah Sareal ditambahkan" in await said.inner_text()
        assert await page.get_by_role("link", name="Kecamatan Tanah Sareal").count() == 1

        await page.get_by_label("Peran").select_option("operator")
        await page.get_by_label("Unit (wajib untuk operator)").select_option(
            label="Kecamatan Tanah Sareal"
        )
        await page.get_by_role("button", name="Buat undangan").click()
        qr = page.get_by_role("img", name="Kode QR undangan lewat Telegram")
        await qr.wait_for()
        widths = await page.evaluate(  # decode() waits for the image, and fails on a broken one
            """() => Promise.all([...document.querySelectorAll("ul.qr img")]
                .map(i => i.decode().then(() => i.naturalWidth)))"""
        )
        assert len(widths) == 2 and min(widths) > 0  # Telegram and WhatsApp, both drawn
        assert "Undangan operator dibuat" in await said.inner_text()
        assert await no_sideways_scroll(page)

        await page.get_by_role("link", name="Jadwal").click()
        await page.wait_for_url(f"{url}/jadwal")
        editor = page.get_by_label("Isi file kota-bogor.toml")
        original = await editor.input_value()
        await editor.fill(original.replace('days = ["senin"]', 'days = ["funday"]'))
        await page.get_by_role("button", name="Simpan jadwal").click()
        error = page.locator("#teks-salah")
        await error.wait_for()
        assert "kota-bogor.toml baris 19, pilar ke-1: hari 'funday'" in await error.inner_text()
        assert await page.locator("li.wrong").inner_text() == 'days = ["funday"]'
        await page.get_by_label("Isi file kota-bogor.toml").fill(
            original.replace('name = "Informasi"', 'name = "Info Publik"')
        )
        await page.get_by_role("button", name="Simpan jadwal").click()
        await page.locator("#said [role=status]").wait_for()
        assert "disimpan dan langsung dipakai" in await page.locator("#said").inner_text()
        assert await page.locator("#teks-salah").count() == 0
        assert h.w.engine.core.schedule.pillars[0].name == "Info Publik"

        await page.get_by_role("link", name="Pengiriman").click()
        await page.wait_for_url(f"{url}/pengiriman")
        row = page.locator("tr", has_text="Budi")
        assert "Bot diblokir" in await row.inner_text()
        await row.get_by_role("button", name=re.compile("Kirim ulang")).click()
        await page.get_by_text("Masuk antrean lagi").wait_for()
        assert await page.get_by_role("button", name=re.compile("Kirim ulang")).count() == 0
        assert await no_sideways_scroll(page)
        await h.w.outbox.drain()
        assert "Belum ada laporan" in operator.last_text()
        assert problems == []

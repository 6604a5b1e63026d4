"""Laporan in a real browser: Debian's Chromium driven by Playwright, Warta served by uvicorn.

Filters through the form change the URL; the URL, shared with a colleague who signs in
first, shows them the same rows; the count arrives by htmx; the gallery's photos load; an
export downloads; and nothing scrolls sideways at 360 px.
"""

from __future__ import annotations

import re

from playwright.async_api import BrowserContext, Page

from storage.models import ReportStatus, Role
from tests.channels import Person, join
from tests.desk_helpers import chromium, login_link, needs_chromium, no_sideways_scroll, watch
from tests.harness import Harness
from tests.report_seed import Spec, seed_reports

pytestmark = needs_chromium


async def test_filter_share_gallery_export_at_360px(served: tuple[Harness, str]) -> None:
    h, url = served
    rina = await join(h, "telegram", "Rina", Role.EDITOR)
    sari = await join(h, "whatsapp", "Sari", Role.EDITOR)
    await seed_reports(
        h,
        [
            Spec(caption="Posyandu balita di RW 03", photos=2),
            Spec(caption="Posyandu lansia di RW 07", status=ReportStatus.APPROVED),
            Spec(caption="Posyandu remaja di RW 01", photos=3),
            Spec(caption="Rapat warga tentang sampah"),
        ],
    )
    async with chromium() as browser:
        context = await browser.new_context(viewport={"width": 1280, "height": 800})
        page = await context.new_page()
        problems = watch(page)
        await sign_in(page, rina, url)
        await page.goto(f"{url}/laporan")
        assert await shown(page) == ["2026-0004", "2026-0003", "2026-0002", "2026-0001"]

        # Filters through the form: the URL carries them.
        await page.get_by_label("Menunggu").check()
        await page.get_by_label("Cari kata atau nomor").fill("posyandu")
        await page.get_by_role("button", name="Terapkan").click()
        await page.wait_for_url(re.compile(r"/laporan\?status=menunggu&q=posyandu"))
        filtered = await shown(page)
        assert filtered == ["2026-0003", "2026-0001"]
        await page.get_by_text("2 laporan cocok").wait_for()  # the count, by htmx
        shared = page.url

        # A colleague opens the shared link, signs in, and lands on the same rows.
        other = await browser.new_context(viewport={"width": 360, "height": 640})
        theirs = await other.new_page()
        problems += watch(theirs)
        await theirs.goto(shared)
        await theirs.wait_for_url(f"{url}/masuk")
        await sign_in(theirs, sari, url, lands=shared)
        assert await shown(theirs) == filtered
        assert await no_sideways_scroll(theirs)

        # The gallery: every photo of the rows, loaded through the photo route.
        await page.get_by_role("link", name="Galeri").click()
        await page.wait_for_url(re.compile(r"tampilan=galeri"))
        images = page.locator(".gallery img")
        assert await images.count() == 5
        for image in await images.all():  # decode() fails for an image that did not load
            await image.scroll_into_view_if_needed()  # loading="lazy"
            assert await image.evaluate("i => i.decode().then(() => i.naturalWidth)") == 320
        await page.set_viewport_size({"width": 360, "height": 640})
        assert await no_sideways_scroll(page)

        # An export of the filtered set downloads.
        async with page.expect_download() as event:
            await page.get_by_role("link", name="CSV").click()
        download = await event.value
        assert download.suggested_filename.endswith(".csv")
        path = await download.path()
        text = path.read_text(encoding="utf-8-sig")
        assert "2026-0003" in text and "2026-0001" in text and "2026-0004" not in text
        assert problems == []
        await close(context, other)


async def sign_in(page: Page, person: Person, url: str, lands: str | None = None) -> None:
    """The chat link, opened and confirmed; where the browser lands (the desk's home, or
    the page it wanted before signing in)."""
    await page.goto(await login_link(person))
    await page.get_by_role("button", name="Masuk").click()
    await page.wait_for_url(lands or f"{url}/dasbor")


async def shown(page: Page) -> list[str]:
    return [n.removeprefix("#") for n in await page.locator("tbody th a").all_inner_texts()]


async def close(*contexts: BrowserContext) -> None:
    for context in contexts:
        await context.close()

"""The desk in a real browser: Debian's Chromium driven by Playwright, Warta served by uvicorn.

Never `playwright install` (it downloads a browser): Playwright's driver launches
/usr/bin/chromium (.ci/run installs the package when it is missing).
"""

from __future__ import annotations

import httpx
from playwright.async_api import Page, async_playwright

from storage.models import Role
from tests.channels import join
from tests.desk_helpers import ARGS, CHROMIUM, login_link, needs_chromium, no_sideways_scroll, watch
from tests.harness import Harness

pytestmark = needs_chromium


async def test_login_by_link_at_360px_in_chromium(served: tuple[Harness, str]) -> None:
    h, url = served
    editor = await join(h, "telegram", "Rina", Role.EDITOR)
    link = await login_link(editor)
    async with httpx.AsyncClient() as robot:  # the preview robot comes first
        preview = await robot.get(link, headers={"User-Agent": "TelegramBot (like TwitterBot)"})
        assert preview.status_code == 200 and "Rina" in preview.text

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=ARGS, headless=True
        )
        try:
            page = await browser.new_page(viewport={"width": 360, "height": 640})
            problems = watch(page)
            await page.goto(link)
            assert await no_sideways_scroll(page)
            await page.get_by_role("button", name="Masuk").click()
            await page.wait_for_url(f"{url}/dasbor")
            heading = page.get_by_role("heading", level=1)
            assert await heading.inner_text() == "Selamat datang, Rina"
            assert await no_sideways_scroll(page)
            await page.keyboard.press("Tab")  # the first stop is the skip link
            assert await page.evaluate("document.activeElement.textContent") == "Langsung ke isi"
            assert await page.evaluate("typeof htmx") == "object", problems  # CSP let it load
            await _htmx_post_carries_the_csrf_header(page)
            await page.goto(f"{url}/dasbor")
            await page.wait_for_url(f"{url}/masuk")  # signed out by that request
            assert problems == []
        finally:
            await browser.close()


async def _htmx_post_carries_the_csrf_header(page: Page) -> None:
    """A button in <main>, as later pages have, posts through htmx: the token set on <body>
    with hx-headers:inherited reaches the server (htmx 4 does not inherit plain hx-headers)."""
    await page.evaluate(
        """() => {
            const button = document.createElement("button");
            button.textContent = "Keluar lewat htmx";
            button.setAttribute("hx-post", "/keluar");
            document.querySelector("main").append(button);
            htmx.process(button);
        }"""
    )
    async with page.expect_response(lambda r: r.url.endswith("/keluar")) as answer:
        await page.get_by_role("button", name="Keluar lewat htmx").click()
    response = await answer.value
    assert response.status == 303 or response.ok, response.status
    assert "x-csrf-token" in await response.request.all_headers()

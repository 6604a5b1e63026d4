"""The report page in a real browser (Debian's Chromium through Playwright, Warta served by
uvicorn): an editor fixes the caption and approves at 360 px; the newsroom card in the fake
Bot API shows the outcome with the new caption and the operator is told both.

Never `playwright install`: Playwright's driver launches /usr/bin/chromium.
"""

from __future__ import annotations

import io

from PIL import Image
from playwright.async_api import Route

from storage.models import Role
from tests.channels import join
from tests.desk_helpers import chromium, login_link, needs_chromium, no_sideways_scroll, watch
from tests.harness import CAPTION, Harness, jpeg

pytestmark = needs_chromium

NEW = CAPTION.replace("Senin pagi,", "Senin pagi pukul 07.00,")


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (40, 120, 200)).save(out, "PNG")
    return out.getvalue()


PNG = _png()


async def _photo(route: Route) -> None:
    """Photos come from bot/desk/photos.py's route; this test is about the report page, so
    they are answered here, whether or not that route is there."""
    await route.fulfill(status=200, content_type="image/png", body=PNG)


async def test_fix_the_caption_and_approve_at_360px(served: tuple[Harness, str]) -> None:
    h, url = served
    editor = await join(h, "telegram", "Rina", Role.EDITOR)
    operator = await join(h, "telegram", "Budi", Role.OPERATOR, "Kecamatan Bogor Barat")
    await operator.photo(jpeg(), caption=CAPTION)
    await operator.tap("Kirim")
    card = h.card()
    link = await login_link(editor)

    async with chromium() as browser:
        page = await browser.new_page(viewport={"width": 360, "height": 640})
        problems = watch(page)
        await page.route("**/foto/**", _photo)
        # Asked for before signing in: after the chat's link, the page itself opens.
        await page.goto(f"{url}/laporan/2026-0001")
        await page.wait_for_url(f"{url}/masuk")
        await page.goto(link)
        await page.get_by_role("button", name="Masuk").click()
        await page.wait_for_url(f"{url}/laporan/2026-0001")
        heading = page.get_by_role("heading", level=1)
        assert await heading.inner_text() == "Laporan #2026-0001"
        assert await no_sideways_scroll(page)

        await page.get_by_text("Ubah keterangan").click()  # the <details> opens
        box = page.get_by_label("Keterangan baru")
        assert await box.input_value() == CAPTION
        await box.fill(NEW)
        await page.get_by_role("button", name="Simpan keterangan").click()
        status = page.get_by_role("status")
        await status.wait_for()
        assert "Keterangan disimpan." in await status.inner_text()
        assert await page.evaluate("document.activeElement.id") == "hasil"  # read out first
        await h.w.outbox.drain()
        assert NEW in h.fake.message(card.chat_id, card.message_id).text
        assert "diperbaiki redaksi (Rina)" in h.last_to(operator.user).text  # type: ignore[attr-defined]
        ins = page.locator("ins").first
        assert "pukul 07.00" in await ins.inner_text()
        assert await no_sideways_scroll(page)

        await page.get_by_role("button", name="Setujui").click()
        await page.get_by_text("Laporan disetujui.").wait_for()
        await h.w.engine.drain_background()
        await h.w.outbox.drain()
        assert await page.get_by_role("button", name="Setujui").count() == 0
        assert "Disetujui" in await page.locator(".state").inner_text()
        assert await no_sideways_scroll(page)
        assert problems == []

    edited = h.fake.message(card.chat_id, card.message_id).text.replace("*", "")
    assert "Disetujui oleh Rina" in edited and NEW in edited
    assert "Keterangan diperbaiki oleh Rina" in edited
    assert "disetujui redaksi" in h.last_to(operator.user).text  # type: ignore[attr-defined]

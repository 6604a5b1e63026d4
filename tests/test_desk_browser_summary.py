"""Ringkasan in Chromium at 360 px: the unit filter swaps its part in place (htmx)."""

from __future__ import annotations

from sqlalchemy import update

from storage.models import Role, Unit
from tests.channels import join
from tests.desk_helpers import chromium, login_link, needs_chromium, no_sideways_scroll, watch
from tests.harness import CAPTION, Harness, jpeg

pytestmark = needs_chromium


async def test_unit_filter_in_place_at_360px(served: tuple[Harness, str]) -> None:
    h, url = served
    editor = await join(h, "telegram", "Rina", Role.EDITOR)
    budi = await join(h, "telegram", "Budi", Role.OPERATOR, "Kecamatan Bogor Barat")
    await join(h, "whatsapp", "Sari", Role.OPERATOR, "Dinas Kesehatan")
    async with h.w.sessionmaker() as session, session.begin():
        await session.execute(update(Unit).where(Unit.name == "Dinas Kesehatan").values(kind="opd"))
    await budi.photo(jpeg(), caption=CAPTION)
    await budi.tap("Kirim")
    link = await login_link(editor)
    async with chromium() as browser:
        page = await browser.new_page(viewport={"width": 360, "height": 640})
        problems = watch(page)
        await page.goto(link)
        await page.get_by_role("button", name="Masuk").click()
        await page.wait_for_url(f"{url}/dasbor")
        units = page.locator("#aktivitas")
        assert "Kecamatan Bogor Barat" in await units.inner_text()
        await page.get_by_label("Tampilkan").select_option("opd")
        async with page.expect_response(lambda r: "/dasbor/unit?jenis=opd" in r.url):
            await page.get_by_role("button", name="Terapkan").click()
        # A locator's wait, not wait_for_function: that needs eval, which the CSP forbids.
        swapped = page.locator("#aktivitas").filter(has_not_text="Bogor Barat")
        await swapped.wait_for()
        assert "Dinas Kesehatan" in await swapped.inner_text()
        assert await page.get_by_role("heading", level=1).count() == 1  # swapped, not nested
        assert await no_sideways_scroll(page)
        assert problems == []

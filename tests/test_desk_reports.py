"""Laporan (/laporan): the list with its filters in the URL, keyset pages, the lazy count,
the gallery, the photo route and bulk approval, signed in as each role (issue 11).

Through the real app: chat on the fake Bot API and Graph API, web requests to Warta's own
Starlette app (httpx.ASGITransport), reports either sent through the chat or written
straight into the database (tests/report_seed.py) when a test needs many.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
from PIL import Image

from bot.desk import reports
from storage.models import ReportStatus, Role
from tests.channels import Person, join
from tests.desk_helpers import SAME_ORIGIN, browser, csrf_of, sign_in
from tests.harness import CAPTION, Harness, jpeg
from tests.report_seed import Spec, seed_many, seed_reports, unit_id

HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}
ROW = re.compile(r'<th scope="row"><a href="/laporan/([0-9-]+)">')


def numbers(page: str) -> list[str]:
    return ROW.findall(page)


@contextlib.asynccontextmanager
async def signed(h: Harness, person: Person) -> AsyncIterator[httpx.AsyncClient]:
    async with browser(h) as client:
        assert (await sign_in(h, person, client)).status_code == 303
        yield client


async def sent_report(operator: Person, caption: str = CAPTION) -> None:
    await operator.photo(jpeg(), caption=caption)
    await operator.tap("Kirim")


async def test_editors_see_every_unit_operators_only_their_own(desk: Harness) -> None:
    editor = await join(desk, "telegram", "Rina", Role.EDITOR)
    west = await join(desk, "telegram", "Budi", Role.OPERATOR, "Kecamatan Bogor Barat")
    east = await join(desk, "whatsapp", "Sari", Role.OPERATOR, "Kecamatan Bogor Timur")
    await sent_report(west)
    await sent_report(east)
    east_id = await unit_id(desk, "Kecamatan Bogor Timur")
    async with signed(desk, editor) as client:
        page = (await client.get("/laporan")).text
        assert len(numbers(page)) == 2 and "Bogor Timur" in page and "Bogor Barat" in page
        assert 'action="/laporan/setujui"' in page and 'name="unit"' in page
        assert 'aria-current="page">Laporan' in page  # the menu links the page now
    async with signed(desk, west) as client:
        page = (await client.get("/laporan")).text
        assert len(numbers(page)) == 1 and "Bogor Timur" not in page
        assert "/laporan/setujui" not in page and 'name="r-' not in page  # read-only
        asked = (await client.get(f"/laporan?unit={east_id}")).text  # another unit, by URL
        assert numbers(asked) == numbers(page)
        count = await client.get(f"/laporan/jumlah?unit={east_id}", headers=HTMX)
        assert "<strong>1</strong>" in count.text
        form = {"csrf": csrf_of(page), "r-1": "1", "r-2": "1"}
        refused = await client.post("/laporan/setujui", data=form, headers=SAME_ORIGIN)
        assert refused.status_code == 403
    async with browser(desk) as stranger:
        gone = await stranger.get("/laporan?status=menunggu")
        assert gone.status_code == 303 and gone.headers["location"] == "/masuk"
        assert (await stranger.get("/laporan/jumlah", headers=HTMX)).status_code == 401


async def test_filters_sit_in_the_url_and_apply(desk: Harness) -> None:
    editor = await join(desk, "telegram", "Rina", Role.EDITOR)
    late_evening = datetime(2026, 11, 9, 18, 30, tzinfo=UTC)  # Tue 10 Nov, 01.30 WIB
    await seed_reports(
        desk,
        [
            Spec(caption="Posyandu balita di RW 03", pillar="umkm"),
            Spec(status=ReportStatus.APPROVED, unit="Dinas Kesehatan", kind="opd"),
            Spec(status=ReportStatus.REJECTED, warned=True),
            Spec(caption="Banjir di jalan 100%_ naik", at=late_evening),
        ],
    )
    async with signed(desk, editor) as client:

        async def shown(query: str) -> list[str]:
            answer = await client.get(f"/laporan?{query}")
            assert answer.status_code == 200
            return numbers(answer.text)

        assert await shown("") == ["2026-0004", "2026-0003", "2026-0002", "2026-0001"]
        assert await shown("status=menunggu") == ["2026-0004", "2026-0001"]
        assert await shown("status=disetujui&status=ditolak") == ["2026-0003", "2026-0002"]
        assert await shown("jenis=opd") == ["2026-0002"]
        opd = await unit_id(desk, "Dinas Kesehatan")
        assert await shown(f"unit={opd}") == ["2026-0002"]
        assert await shown("pilar=umkm") == ["2026-0001"]
        assert await shown("peringatan=1") == ["2026-0003"]
        assert await shown("q=POSYANDU") == ["2026-0001"]
        assert await shown("q=100%25_") == ["2026-0004"]  # wildcards are literal
        assert await shown("q=2026-0002") == ["2026-0002"]
        # Dates are the org's days: 01.30 WIB on 10 Nov is the 10th, though 9 Nov in UTC.
        assert await shown("dari=2026-11-10&sampai=2026-11-10") == ["2026-0004"]
        assert await shown("sampai=2026-11-09") == ["2026-0003", "2026-0002", "2026-0001"]
        assert await shown("dari=2026-11-02") == ["2026-0004"]
        # The form's empty fields, and what a link cannot mean, are dropped: one short URL.
        form = "status=menunggu&unit=&jenis=&pilar=&dari=&sampai=&q=++Banjir++di+&x=1"
        tidied = await client.get(f"/laporan?{form}")
        assert tidied.status_code == 303
        assert tidied.headers["location"] == "/laporan?status=menunggu&q=Banjir+di"
        junk = await client.get("/laporan?status=bogus&unit=abc&dari=2026-13-01&pilar=x&jenis=x")
        assert junk.headers["location"] == "/laporan"
        stored = await client.get("/laporan?status=pending")  # the chat's "Buka di dasbor"
        assert stored.headers["location"] == "/laporan?status=menunggu"
        page = (await client.get("/laporan?status=menunggu&q=banjir&tampilan=galeri")).text
        assert 'value="menunggu" checked' in page and 'value="banjir"' in page
        assert "ekspor.csv?status=menunggu&amp;q=banjir" in page  # exports take the same view
        assert 'hx-get="/laporan/jumlah?status=menunggu&amp;q=banjir"' in page


async def test_pages_follow_by_cursor_and_the_count_comes_apart(desk: Harness) -> None:
    editor = await join(desk, "telegram", "Rina", Role.EDITOR)
    await seed_many(desk, reports.PAGE_SIZE + 5)
    async with signed(desk, editor) as client:
        first = (await client.get("/laporan?status=menunggu")).text
        assert len(numbers(first)) == reports.PAGE_SIZE
        found = re.search(r'href="(/laporan\?status=menunggu&amp;setelah=[^"]+)" rel="next"', first)
        assert found, first
        second = (await client.get(found.group(1).replace("&amp;", "&"))).text
        assert len(numbers(second)) == 5 and not set(numbers(first)) & set(numbers(second))
        assert 'rel="next"' not in second and "« Terbaru" in second
        # The rows do not wait for the count: the page only asks for it.
        assert "laporan cocok" not in first
        fragment = await client.get("/laporan/jumlah?status=menunggu", headers=HTMX)
        total = reports.PAGE_SIZE + 5
        assert fragment.text.startswith(f'<p id="jumlah"><strong>{total}</strong>')
        assert "<html" not in fragment.text
        whole = await client.get("/laporan/jumlah?status=menunggu")  # without JavaScript
        assert "<html" in whole.text and f"{total}</strong> laporan cocok" in whole.text
        # A hand-edited cursor starts over rather than failing.
        assert numbers((await client.get("/laporan?setelah=rubbish")).text) == numbers(first)


async def test_the_count_is_capped(desk: Harness) -> None:
    editor = await join(desk, "telegram", "Rina", Role.EDITOR)
    await seed_many(desk, 1005)
    async with signed(desk, editor) as client:
        fragment = await client.get("/laporan/jumlah", headers=HTMX)
        assert "<strong>1.000+</strong>" in fragment.text


async def test_an_expired_session_gets_a_line_in_place_of_the_count(desk: Harness) -> None:
    editor = await join(desk, "telegram", "Rina", Role.EDITOR)
    async with signed(desk, editor) as client:
        assert (await client.get("/laporan/jumlah", headers=HTMX)).status_code == 200
        desk.clock.advance(hours=9)  # sessions last 8 hours
        gone = await client.get("/laporan/jumlah", headers=HTMX)
        assert gone.status_code == 401 and gone.text.startswith('<p id="jumlah" role="alert">')


async def test_the_gallery_shows_every_photo_of_the_page(desk: Harness) -> None:
    editor = await join(desk, "telegram", "Rina", Role.EDITOR)
    await seed_reports(desk, [Spec(photos=3), Spec(photos=2)])
    async with signed(desk, editor) as client:
        table = (await client.get("/laporan")).text
        assert len(re.findall(r'src="/foto/\d+/kecil"', table)) == 2  # one per row
        gallery = (await client.get("/laporan?tampilan=galeri")).text
        photos = re.findall(r'<a href="/foto/(\d+)/web"><img src="/foto/\1/kecil"', gallery)
        assert len(photos) == 5
        assert 'alt="Foto 3 dari #2026-0001"' in gallery


async def test_photos_by_size_for_those_who_may_see_them(desk: Harness) -> None:
    editor = await join(desk, "telegram", "Rina", Role.EDITOR)
    west = await join(desk, "telegram", "Budi", Role.OPERATOR, "Kecamatan Bogor Barat")
    east = await join(desk, "telegram", "Sari", Role.OPERATOR, "Kecamatan Bogor Timur")
    original = jpeg(2400, 1800)
    await west.photo(original, caption=CAPTION)
    await west.tap("Kirim")
    async with signed(desk, editor) as client:
        page = (await client.get("/laporan")).text
        photo_id = re.findall(r'src="/foto/(\d+)/kecil"', page)[0]
        small = await client.get(f"/foto/{photo_id}/kecil")
        assert small.status_code == 200 and small.headers["content-type"] == "image/jpeg"
        assert max(Image.open(io.BytesIO(small.content)).size) == 320
        assert small.headers["cache-control"] == "private, max-age=3600"
        again = await client.get(
            f"/foto/{photo_id}/kecil", headers={"If-None-Match": small.headers["etag"]}
        )
        assert again.status_code == 304 and again.content == b""
        web = await client.get(f"/foto/{photo_id}/web")
        assert max(Image.open(io.BytesIO(web.content)).size) == 1080
        assert web.headers["etag"] != small.headers["etag"]
        full = await client.get(f"/foto/{photo_id}/asli")
        assert full.content == original and "attachment" in full.headers["content-disposition"]
        assert "2026-0001-1.jpg" in full.headers["content-disposition"]
        assert (await client.get(f"/foto/{photo_id}/besar")).status_code == 404
        assert (await client.get("/foto/999999/kecil")).status_code == 404
    # Made once, kept content-addressed beside the publication derivatives.
    cached = list(Path(desk.settings.media_dir, "derivatives").glob("*/*/desk-*.jpg"))
    assert sorted(p.name for p in cached) == ["desk-1080.jpg", "desk-320.jpg"]
    async with signed(desk, west) as client:
        assert (await client.get(f"/foto/{photo_id}/kecil")).status_code == 200
    async with signed(desk, east) as client:  # another unit's photo: not found
        assert (await client.get(f"/foto/{photo_id}/kecil")).status_code == 404
        assert (await client.get(f"/foto/{photo_id}/asli")).status_code == 404
    async with browser(desk) as stranger:
        assert (await stranger.get(f"/foto/{photo_id}/kecil")).status_code == 303


async def test_bulk_approval_decides_each_and_says_who_was_first(desk: Harness) -> None:
    editor = await join(desk, "telegram", "Rina", Role.EDITOR)
    operator = await join(desk, "telegram", "Budi", Role.OPERATOR, "Kecamatan Bogor Barat")
    for caption in (CAPTION, CAPTION + " Hari kedua.", CAPTION + " Hari ketiga."):
        await sent_report(operator, caption)
    async with signed(desk, editor) as client:
        page = (await client.get("/laporan?status=menunggu")).text
        boxes = re.findall(r'name="(r-\d+)"', page)
        assert len(boxes) == 3
        await editor.tap("Setujui", on=desk.card())  # one is approved in the chat meanwhile
        form = {
            "csrf": csrf_of(page),
            "kembali": "/laporan?status=menunggu",
            **dict.fromkeys(boxes, "1"),
        }
        forged = await client.post(
            "/laporan/setujui", data={**form, "csrf": "x"}, headers=SAME_ORIGIN
        )
        assert forged.status_code == 403
        answer = await client.post("/laporan/setujui", data=form, headers=SAME_ORIGIN)
        await desk.w.outbox.drain()
        assert answer.status_code == 200
        text = answer.text
        assert text.count("disetujui.") == 2, text
        assert "#2026-0003 sudah disetujui oleh Rina" in text
        assert 'href="/laporan?status=menunggu"' in text
        assert numbers((await client.get("/laporan?status=menunggu")).text) == []
    told = [m for m in operator.texts() if "disetujui redaksi" in m]
    assert len(told) == 3  # once per report, wherever it was decided
    decided = [
        m for m in desk.newsroom_messages() if "Disetujui oleh Rina" in m.text.replace("*", "")
    ]
    assert len(decided) == 3  # every card updated


async def test_first_load_weighs_at_most_60_kb_without_photos(desk: Harness) -> None:
    """A full page of long captions, 46 units in the filter (Kota Bogor's kecamatan and
    OPD), its CSS and htmx, uncompressed: the issue's budget is 60 KB."""
    editor = await join(desk, "telegram", "Rina", Role.EDITOR)
    units = [f"Dinas Komunikasi dan Informatika Bidang {i}" for i in range(40)]
    long = CAPTION + " " + "Warga bergotong royong membersihkan lingkungan. " * 5
    specs = [Spec(unit=units[i % 40], kind="opd", caption=long, photos=3) for i in range(40)]
    await seed_reports(desk, [Spec(unit=f"Kecamatan Bogor {i}") for i in range(6)] + specs)
    async with signed(desk, editor) as client:
        for view in ("/laporan", "/laporan?tampilan=galeri"):
            page = await client.get(view)
            assert len(set(numbers(page.text) or re.findall(r"#(2026-\d+)", page.text))) == (
                reports.PAGE_SIZE
            )
            linked = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
            assets = [await client.get(path) for path in linked]
            assert len(linked) == 2 and all(a.status_code == 200 for a in assets)  # CSS, htmx
            weight = len(page.content) + sum(len(a.content) for a in assets)
            assert weight <= 60 * 1024, (view, len(page.content), weight)

"""The report detail page (/laporan/<number>): photos, versions with the caption changes marked
in place, the audit trail, and decisions through the same use cases as a tap (issue 11).

Through the real app: chat on the fake Bot API and Graph API, web requests to Warta's own
Starlette app (httpx.ASGITransport), both databases.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from PIL import ExifTags, Image
from sqlalchemy import update

from bot.desk import report_page
from bot.desk.report_page import diff_html, diff_segments
from storage.models import Photo, ReportStatus, Role
from storage.reports import Reports
from tests.channels import Person, join
from tests.desk_helpers import SAME_ORIGIN, URL, browser, csrf_of, sign_in
from tests.fake_telegram import FakeTelegram
from tests.fake_whatsapp import FakeGraph
from tests.harness import CAPTION, Clock, Harness, jpeg, make_settings, whatsapp_settings

PAGE = "/laporan/2026-0001"
HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}  # as htmx 4 sends for a target
CHANNEL = -1001112223334


async def people(h: Harness, channel: str = "telegram") -> tuple[Person, Person]:
    editor = await join(h, channel, "Rina", Role.EDITOR)
    operator = await join(h, channel, "Budi", Role.OPERATOR, "Kecamatan Bogor Barat")
    return editor, operator


async def report(operator: Person, caption: str = CAPTION, data: bytes | None = None) -> None:
    await operator.photo(data or jpeg(), caption=caption)
    await operator.tap("Kirim")


async def post(
    h: Harness,
    client: httpx.AsyncClient,
    path: str,
    fields: dict[str, str],
    *,
    htmx: bool = False,
) -> httpx.Response:
    """A form on the page, posted as the browser would (its CSRF token, same origin); then
    what it queued for the chats is delivered."""
    page = (await client.get(PAGE)).text
    versi = re.search(r'name="versi" value="(\d+)"', page)
    data = {"csrf": csrf_of(page), "versi": versi.group(1) if versi else "", **fields}
    headers = {**SAME_ORIGIN, **(HTMX if htmx else {})}
    response = await client.post(path, data=data, headers=headers)
    await h.w.engine.drain_background()
    await h.w.outbox.drain()
    return response


def shown_hash(page: str) -> str:
    found = re.search(r'name="tampil" value="([0-9a-f]+)"', page)
    assert found, page
    return found.group(1)


def gps_photo() -> bytes:
    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2026:11:23 08:15:00"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {
            ExifTags.GPS.GPSLatitudeRef: "S",
            ExifTags.GPS.GPSLatitude: (6.0, 35.0, 24.0),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (106.0, 47.0, 24.0),
        }
    )
    return jpeg(1600, 1200, exif=exif)


# ---- the diff, in place ---------------------------------------------------------------------
def test_the_caption_diff_is_marked_in_place_word_by_word() -> None:
    old = "Kerja bakti di RW 05,\nSenin pagi."
    new = "Kerja bakti warga di RW 06,\nSenin pagi."
    assert diff_segments(old, new) == [
        ("same", "Kerja bakti "),
        ("ins", "warga"),
        ("same", " "),
        ("same", "di RW "),
        ("del", "05"),
        ("ins", "06"),
        ("same", ",\nSenin pagi."),
    ]
    # Punctuation is its own word: "pagi," and "pagi pukul 07.00," differ by the time only.
    assert diff_segments("Senin pagi, bersama", "Senin pagi pukul 07.00, bersama") == [
        ("same", "Senin pagi "),
        ("ins", "pukul 07.00"),
        ("same", ", bersama"),
    ]
    html = str(diff_html("a b", "a <i>"))
    assert html == (
        'a <del><span class="vh">[dihapus: </span>b<span class="vh">]</span></del>'
        '<ins><span class="vh">[ditambah: </span>&lt;i&gt;<span class="vh">]</span></ins>'
    )
    assert diff_segments("sama  saja", "sama saja") == [("same", "sama saja")]  # spaces only


def test_report_numbers_only_the_lists_own_paths_are_not_swallowed() -> None:
    # Only the routes' paths are looked at here: a desk that wraps nothing will do.
    routes = report_page.routes(SimpleNamespace(page=lambda endpoint: endpoint))  # type: ignore[arg-type]

    def matched(path: str, method: str = "GET") -> bool:
        scope = {"type": "http", "path": path, "method": method, "root_path": ""}
        return any(route.matches(scope)[0].name == "FULL" for route in routes)

    assert matched("/laporan/2026-0001") and matched("/laporan/2026-0123/putusan", "POST")
    for path in ("/laporan/ekspor.csv", "/laporan/ekspor.xlsx", "/laporan/jumlah"):
        assert not matched(path)
    assert not matched("/laporan/foto.zip") and not matched("/laporan/setujui", "POST")


# ---- what the page shows --------------------------------------------------------------------
async def test_an_editor_sees_photos_place_time_warnings_and_the_trail(desk: Harness) -> None:
    editor, operator = await people(desk)
    await report(operator, data=gps_photo())
    async with desk.w.sessionmaker() as session, session.begin():
        await session.execute(update(Photo).values(warnings=[{"code": "dark"}]))
    async with browser(desk) as client:
        await sign_in(desk, editor, client)
        response = await client.get(PAGE)
    page = response.text
    assert response.status_code == 200
    assert "<h1>Laporan #2026-0001</h1>" in page and "Menunggu keputusan" in page
    assert 'src="/foto/1/web"' in page and 'href="/foto/1/asli"' in page
    assert "Diambil: Senin, 23 Nov 2026 08.15 WIB" in page
    assert "-6.59000, 106.79000" in page
    assert "https://www.openstreetmap.org/?mlat=-6.59000&amp;mlon=106.79000" in page
    assert "Foto 1 terlalu gelap." in page
    assert "Versi 1 dikirim ke redaksi" in page and "lewat Telegram" in page
    assert "Kecamatan Bogor Barat" in page and CAPTION in page
    for form in ("/laporan/2026-0001/putusan", "/laporan/2026-0001/keterangan"):
        assert f'action="{form}"' in page
    assert "Tidak sesuai pilar" in page  # the preset reasons
    assert "Sudah pernah dikirim" in page  # a rejection-only one, under Tolak


async def test_every_version_with_the_changes_marked_and_the_editors_fix(desk: Harness) -> None:
    editor, operator = await people(desk)
    await report(operator)
    async with browser(desk) as client:
        await sign_in(desk, editor, client)
        asked = await post(
            desk,
            client,
            f"{PAGE}/putusan",
            {"aksi": "revisi", "alasan": "caption", "alasan_lain": ""},
        )
        assert asked.status_code == 303 and asked.headers["location"] == f"{PAGE}?selesai=revisi"
        await operator.tap("Kirim revisi")
        await operator.say(CAPTION.replace("Senin pagi", "Senin pagi pukul 07.00"))
        await operator.tap("Ya, ganti")
        await operator.tap("Kirim")
        page = (await client.get(PAGE)).text
        fixed = page.replace("&#39;", "'")
        fields = {"keterangan": CAPTION.replace("RW 05", "RW 06"), "tampil": shown_hash(fixed)}
        saved = await post(desk, client, f"{PAGE}/keterangan", fields)
        assert saved.status_code == 303
        page = (await client.get(saved.headers["location"])).text
    assert "Keterangan disimpan." in page
    assert "Versi 2, dikirim Budi" in page and "Versi 1, dikirim Budi" in page
    assert "Versi 2, keterangan diperbaiki Rina" in page
    assert '<ins><span class="vh">[ditambah: </span>pukul 07.00' in page  # v1 -> v2
    assert '<del><span class="vh">[dihapus: </span>05' in page  # the editor's fix
    assert '<ins><span class="vh">[ditambah: </span>06' in page
    assert "Versi 1: Menunggu keputusan → Diminta revisi" in page and "lewat dasbor web" in page
    assert "Keterangan versi 2 diperbaiki" in page
    assert 'href="#versi-2-perbaikan-1"' in page and 'id="versi-2-perbaikan-1"' in page


# ---- deciding -------------------------------------------------------------------------------
async def test_a_web_approval_edits_the_card_and_tells_the_operator(desk: Harness) -> None:
    editor, operator = await people(desk)
    await report(operator)
    card = desk.card()
    async with browser(desk) as client:
        await sign_in(desk, editor, client)
        done = await post(desk, client, f"{PAGE}/putusan", {"aksi": "setujui"}, htmx=True)
    assert done.status_code == 200 and "<html" not in done.text  # the swapped part only
    assert 'role="status"' in done.text and "Laporan disetujui." in done.text
    assert 'action="/laporan/2026-0001/putusan"' not in done.text  # decided: no forms left
    edited = desk.fake.message(card.chat_id, card.message_id)
    assert "Disetujui oleh Rina" in edited.text.replace("*", "")
    assert "disetujui redaksi" in operator.last_text()


async def test_a_stale_form_is_told_who_decided(desk: Harness) -> None:
    editor, operator = await people(desk)
    await report(operator)
    async with browser(desk) as client:
        await sign_in(desk, editor, client)
        page = (await client.get(PAGE)).text
        await editor.tap("Setujui")  # in chat, while the page is open
        form = {"csrf": csrf_of(page), "versi": "1", "aksi": "tolak", "alasan": "blur"}
        refused = await client.post(f"{PAGE}/putusan", data=form, headers=SAME_ORIGIN)
    assert refused.status_code == 409 and 'role="alert"' in refused.text
    assert "Laporan #2026-0001 sudah disetujui oleh Rina." in refused.text


@pytest.mark.parametrize("channel", ["telegram", "whatsapp"])
async def test_reject_with_a_preset_or_a_typed_reason(desk: Harness, channel: str) -> None:
    editor, operator = await people(desk, channel)
    await report(operator)
    async with browser(desk) as client:
        await sign_in(desk, editor, client)
        missing = await post(desk, client, f"{PAGE}/putusan", {"aksi": "tolak"})
        assert missing.status_code == 409 and "Tulis alasannya dulu" in missing.text
        typed = {"aksi": "tolak", "alasan": "blur", "alasan_lain": "Sudah dimuat kemarin."}
        assert (await post(desk, client, f"{PAGE}/putusan", typed)).status_code == 303
        page = (await client.get(PAGE)).text
    assert "tidak dapat dimuat" in operator.last_text()
    assert "Sudah dimuat kemarin." in operator.last_text()  # the typed reason wins
    assert "Ditolak oleh Rina" in page and "Alasan: Sudah dimuat kemarin." in page
    assert ("lewat " + {"telegram": "Telegram", "whatsapp": "WhatsApp"}[channel]) in page


async def test_a_preset_revision_reason_reaches_the_operator(desk: Harness) -> None:
    editor, operator = await people(desk, "whatsapp")
    await report(operator)
    async with browser(desk) as client:
        await sign_in(desk, editor, client)
        fields = {"aksi": "revisi", "alasan": "blur"}
        assert (await post(desk, client, f"{PAGE}/putusan", fields)).status_code == 303
    assert "perlu revisi" in operator.last_text() and "lebih tajam" in operator.last_text()
    # WhatsApp cards cannot be edited: the outcome comes as a new message to the editor.
    assert "Diminta revisi* oleh Rina" in editor.last_text()


@pytest.fixture
async def pub(
    fake: FakeTelegram, graph: FakeGraph, tmp_path: Path, database_url: str, clock: Clock
) -> AsyncIterator[Harness]:
    """The desk with an official channel to publish to."""
    settings = make_settings(
        tmp_path,
        database_url,
        public_url=URL,
        publish_channel=str(CHANNEL),
        **whatsapp_settings(graph),
    )
    harness = await Harness(fake, settings, clock, graph).start()
    try:
        yield harness
    finally:
        await harness.stop()


async def test_withdraw_an_approved_published_report(pub: Harness) -> None:
    editor, operator = await people(pub)
    await report(operator)
    async with browser(pub) as client:
        await sign_in(pub, editor, client)
        pending = (await client.get(PAGE)).text
        assert "Tarik dari kanal" not in pending
        await editor.tap("Setujui")
        approved = (await client.get(PAGE)).text
        assert 'name="aksi" value="tarik"' in approved and "Ubah keterangan" not in approved
        fields = {"aksi": "tarik", "alasan": "misread"}
        assert (await post(pub, client, f"{PAGE}/putusan", fields)).status_code == 303
        page = (await client.get(PAGE)).text
    assert pub.fake.messages_to(CHANNEL) == [] and pub.fake.deleted
    assert "ditarik dari kanal resmi" in operator.last_text()
    assert "Versi 1: Disetujui → Ditarik dari kanal" in page and "disalahpahami" in page


# ---- fixing the caption from the page --------------------------------------------------------
async def test_fix_the_caption_then_approve(desk: Harness) -> None:
    editor, operator = await people(desk)
    await report(operator)
    card = desk.card()
    new = CAPTION.replace("Senin pagi", "Senin pagi (23/11)")
    async with browser(desk) as client:
        await sign_in(desk, editor, client)
        hashed = shown_hash((await client.get(PAGE)).text)
        saved = await post(
            desk, client, f"{PAGE}/keterangan", {"keterangan": new, "tampil": hashed}
        )
        assert saved.status_code == 303
        fixed_card = desk.fake.message(card.chat_id, card.message_id).text
        assert new in fixed_card and "Keterangan diperbaiki oleh Rina" in fixed_card
        told = operator.last_text()
        assert "diperbaiki redaksi (Rina)" in told and "Ditambah: pagi (23/11)" in told
        assert new in told
        assert (await post(desk, client, f"{PAGE}/putusan", {"aksi": "setujui"})).status_code == 303
    final = desk.fake.message(card.chat_id, card.message_id).text.replace("*", "")
    assert "Disetujui oleh Rina" in final and new in final
    assert "Keterangan diperbaiki oleh Rina" in final  # whose words these are, decided too
    async with desk.w.sessionmaker() as session:
        reports = Reports(session)
        row = await reports.get(1)
        assert row is not None and row.caption == new and row.status == ReportStatus.APPROVED
        fixes = await reports.caption_fixes([1])
    assert [(f.before, f.after, f.via) for f in fixes] == [(CAPTION, new, "web")]


async def test_a_fix_refused_keeps_what_was_typed(desk: Harness) -> None:
    editor, operator = await people(desk)
    await report(operator)
    async with browser(desk) as client:
        await sign_in(desk, editor, client)
        page = (await client.get(PAGE)).text
        short = await post(
            desk, client, f"{PAGE}/keterangan", {"keterangan": "Rapat.", "tampil": ""}
        )
        assert short.status_code == 409 and "terlalu singkat" in short.text
        assert ">Rapat.</textarea>" in short.text and "<details open>" in short.text
        same = {"keterangan": CAPTION, "tampil": shown_hash(page)}
        assert (
            "tidak ada yang diubah" in (await post(desk, client, f"{PAGE}/keterangan", same)).text
        )
        # Someone fixed it meanwhile: the form that showed the old caption is refused.
        first = {"keterangan": CAPTION + " Lokasi: RW 05.", "tampil": shown_hash(page)}
        assert (await post(desk, client, f"{PAGE}/keterangan", first)).status_code == 303
        late = {"keterangan": CAPTION + " Tambahan.", "tampil": shown_hash(page)}
        stale = await post(desk, client, f"{PAGE}/keterangan", late)
    assert stale.status_code == 409 and "baru saja diubah orang lain" in stale.text


# ---- who may do what ------------------------------------------------------------------------
async def test_operators_read_their_own_units_reports_only(desk: Harness) -> None:
    editor, operator = await people(desk)
    colleague = await join(desk, "whatsapp", "Sari", Role.OPERATOR, "Kecamatan Bogor Barat")
    other = await join(desk, "telegram", "Tono", Role.OPERATOR, "Kecamatan Tanah Sareal")
    await report(operator)
    async with browser(desk) as client:
        await sign_in(desk, colleague, client)
        page = await client.get(PAGE)
        assert page.status_code == 200 and CAPTION in page.text
        assert "/putusan" not in page.text and "Ubah keterangan" not in page.text
        csrf = csrf_of(page.text)
        form = {"csrf": csrf, "versi": "1", "aksi": "setujui"}
        refused = await client.post(f"{PAGE}/putusan", data=form, headers=SAME_ORIGIN)
        assert refused.status_code == 403
        fix = {"csrf": csrf, "versi": "1", "keterangan": CAPTION + " Diubah."}
        assert (
            await client.post(f"{PAGE}/keterangan", data=fix, headers=SAME_ORIGIN)
        ).status_code == 403
    async with browser(desk) as client:
        await sign_in(desk, other, client)
        assert (await client.get(PAGE)).status_code == 404
    async with browser(desk) as client:
        await sign_in(desk, editor, client)
        assert (await client.get("/laporan/2026-0002")).status_code == 404  # none such
    async with desk.w.sessionmaker() as session:
        row = await Reports(session).get(1)
        assert row is not None and row.status == ReportStatus.PENDING and row.caption == CAPTION


async def test_signed_out_or_forged_requests_do_nothing(desk: Harness) -> None:
    editor, operator = await people(desk)
    await report(operator)
    async with browser(desk) as client:
        bounced = await client.get(PAGE)
        assert bounced.status_code == 303 and bounced.headers["location"] == "/masuk"
        form = {"versi": "1", "aksi": "setujui"}
        assert (
            await client.post(f"{PAGE}/putusan", data=form, headers=SAME_ORIGIN)
        ).status_code == 401
        await sign_in(desk, editor, client)
        no_token = await client.post(f"{PAGE}/putusan", data=form, headers=SAME_ORIGIN)
        assert no_token.status_code == 403
        csrf = csrf_of((await client.get(PAGE)).text)
        elsewhere = {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
        forged = await client.post(
            f"{PAGE}/putusan", data={**form, "csrf": csrf}, headers=elsewhere
        )
        assert forged.status_code == 403
        wrong = {**form, "csrf": csrf, "versi": "999"}
        assert (
            await client.post(f"{PAGE}/putusan", data=wrong, headers=SAME_ORIGIN)
        ).status_code == 404
    async with desk.w.sessionmaker() as session:
        row = await Reports(session).get(1)
        assert row is not None and row.status == ReportStatus.PENDING


async def test_first_load_weighs_at_most_60_kb_without_photos(desk: Harness) -> None:
    editor, operator = await people(desk)
    await report(operator, caption=CAPTION + " " + "Warga bergotong royong. " * 30)
    async with browser(desk) as client:
        await sign_in(desk, editor, client)
        page = await client.get(PAGE)
        linked = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
        assets = [await client.get(path) for path in linked]
    assert len(linked) == 2 and all(a.status_code == 200 for a in assets)  # the CSS, htmx
    weight = len(page.content) + sum(len(a.content) for a in assets)
    assert weight <= 60 * 1024, weight

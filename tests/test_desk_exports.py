"""Exports of the whole filtered report list: CSV, XLSX and a ZIP of its photos, the ZIP
streamed in constant memory (KoboToolbox's media exports fail on large projects; issue 11).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import shutil
import subprocess
import tempfile
import tracemalloc
import zipfile
import zlib
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from bot.desk.guard import SESSION_COOKIE
from bot.desk.zipstream import ZipStream
from storage.models import ReportStatus, Role
from tests.channels import Person, join
from tests.desk_helpers import browser, sign_in
from tests.harness import Harness, jpeg
from tests.report_seed import Spec, seed_many, seed_reports

FORMULA = '=HYPERLINK("http://evil.example","klik")'


@contextlib.asynccontextmanager
async def signed(h: Harness, person: Person) -> AsyncIterator[httpx.AsyncClient]:
    async with browser(h) as client:
        assert (await sign_in(h, person, client)).status_code == 303
        yield client


async def test_csv_and_xlsx_hold_the_whole_filtered_set(desk: Harness) -> None:
    editor = await join(desk, "telegram", "Rina", Role.EDITOR)
    await seed_many(desk, 1200)  # more than one chunk of the walk (500)
    await seed_reports(
        desk,
        [
            Spec(caption=FORMULA, status=ReportStatus.APPROVED),
            Spec(caption="Rapat\x07 warga, “tanda kutip”, koma", status=ReportStatus.APPROVED),
            Spec(unit="Dinas Kesehatan", kind="opd", status=ReportStatus.APPROVED),
        ],
    )
    async with signed(desk, editor) as client:
        answer = await client.get("/laporan/ekspor.csv?status=menunggu")
        assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
        assert answer.headers["content-type"].startswith("text/csv")
        assert answer.content.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
        rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
        assert rows[0][:4] == ["Nomor", "Versi", "Status", "Dikirim (WIB)"]
        numbers = [r[0] for r in rows[1:]]
        assert len(numbers) == len(set(numbers)) == 1200 and numbers == sorted(numbers)[::-1]
        assert rows[1][10] == f"{desk.settings.public_url}/laporan/{numbers[0]}"

        approved = await client.get("/laporan/ekspor.csv?status=disetujui&jenis=kecamatan")
        rows = list(csv.reader(io.StringIO(approved.content.decode("utf-8-sig"))))
        assert [r[0] for r in rows[1:]] == ["2026-0002", "2026-0001"]
        assert rows[2][9] == "'" + FORMULA  # never run as a formula
        assert rows[1][9] == "Rapat\x07 warga, “tanda kutip”, koma"

        book = await client.get("/laporan/ekspor.xlsx?status=disetujui")
        assert book.status_code == 200
        sheet = load_workbook(io.BytesIO(book.content), read_only=True)["Laporan"]
        cells = [[c for c in row] for row in sheet.iter_rows(min_row=2)]
        assert [row[0].value for row in cells] == ["2026-0003", "2026-0002", "2026-0001"]
        formula = cells[2][9]
        assert formula.value == FORMULA and formula.data_type == "s"
        assert cells[1][9].value == "Rapat warga, “tanda kutip”, koma"  # XML refuses \x07
        assert isinstance(cells[0][3].value, datetime)  # a date Excel sorts, in WIB
        assert cells[0][4].value == "Dinas Kesehatan" and cells[0][2].value == "Disetujui"
    # The temporary workbook is gone once sent.
    assert not list(Path(tempfile.gettempdir()).glob("warta-ekspor-*.xlsx"))


async def test_an_operator_exports_only_their_unit(desk: Harness) -> None:
    operator = await join(desk, "telegram", "Budi", Role.OPERATOR, "Kecamatan Bogor Barat")
    await seed_reports(desk, [Spec(), Spec(unit="Kecamatan Bogor Timur"), Spec(photos=2)])
    async with signed(desk, operator) as client:
        rows = list(
            csv.reader(io.StringIO((await client.get("/laporan/ekspor.csv")).content.decode()))
        )
        assert [r[0] for r in rows[1:]] == ["2026-0003", "2026-0001"]
        archive = zipfile.ZipFile(io.BytesIO((await client.get("/laporan/foto.zip")).content))
        assert archive.namelist() == ["2026-0003/1.jpg", "2026-0003/2.jpg", "2026-0001/1.jpg"]
    async with browser(desk) as stranger:
        assert (await stranger.get("/laporan/foto.zip")).status_code == 303


async def test_the_photo_zip_has_every_photo_of_the_set(desk: Harness) -> None:
    editor = await join(desk, "telegram", "Rina", Role.EDITOR)
    await seed_reports(
        desk, [Spec(photos=3), Spec(photos=1, status=ReportStatus.APPROVED), Spec(photos=2)]
    )
    async with signed(desk, editor) as client:
        answer = await client.get("/laporan/foto.zip?status=menunggu")
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
        assert "attachment" in answer.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    assert archive.testzip() is None
    assert archive.namelist() == [
        "2026-0003/1.jpg",
        "2026-0003/2.jpg",
        "2026-0001/1.jpg",
        "2026-0001/2.jpg",
        "2026-0001/3.jpg",
    ]
    originals = sorted((desk.settings.media_dir / "originals").glob("*/*/*.jpg"))
    stored = {p.read_bytes() for p in originals}
    assert {archive.read(name) for name in archive.namelist()} <= stored
    assert all(i.compress_type == zipfile.ZIP_STORED for i in archive.infolist())
    assert archive.getinfo("2026-0001/1.jpg").date_time[:4] == (2026, 11, 1, 10)  # sent, WIB


async def test_the_photo_zip_streams_in_constant_memory(desk: Harness, tmp_path: Path) -> None:
    """2,000 photos take no more memory than 200: nothing is held per photo (bytes, entries)."""
    editor = await join(desk, "telegram", "Rina", Role.EDITOR)
    stored = desk.w.core.media.put(jpeg(400, 300), "image/jpeg")
    photo = (stored.sha256, stored.path)
    await seed_many(desk, 67, first=0, photos=3, photo_path=photo)  # 1 Nov (WIB)
    await seed_many(desk, 600, first=10000, photos=3, photo_path=photo)  # 8 Nov
    async with signed(desk, editor) as client:
        cookie = client.cookies[SESSION_COOKIE]
    small, large = "dari=2026-11-01&sampai=2026-11-01", "dari=2026-11-01&sampai=2026-11-30"
    for query in (small, large):  # the same statements either way, compiled and cached once
        await stream_to(desk, cookie, query, tmp_path / "warm.zip")
    peak_small = await stream_to(desk, cookie, small, tmp_path / "small.zip")
    peak_large = await stream_to(desk, cookie, large, tmp_path / "large.zip")
    with zipfile.ZipFile(tmp_path / "small.zip") as archive:
        assert len(archive.namelist()) == 201
    with zipfile.ZipFile(tmp_path / "large.zip") as archive:
        names = archive.namelist()
        assert len(names) == 2001 == len(set(names)) and archive.testzip() is None
    assert (tmp_path / "large.zip").stat().st_size > 2001 * stored.size
    assert peak_large < peak_small * 1.5, (peak_small, peak_large)


async def stream_to(h: Harness, cookie: str, query: str, path: Path) -> int:
    """GET /laporan/foto.zip through the ASGI app, each chunk straight to disk; the peak of
    Python memory (tracemalloc) while it streamed."""
    asked, finished = False, asyncio.Event()

    async def receive() -> dict[str, Any]:
        nonlocal asked
        if not asked:  # the request (no body), then nothing until the response is out
            asked = True
            return {"type": "http.request", "body": b""}
        await finished.wait()
        return {"type": "http.disconnect"}

    with path.open("wb") as out:

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                assert message["status"] == 200
            elif message["type"] == "http.response.body":
                out.write(message.get("body", b""))
                if not message.get("more_body", False):
                    finished.set()

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "https",
            "path": "/laporan/foto.zip",
            "raw_path": b"/laporan/foto.zip",
            "query_string": query.encode(),
            "headers": [
                (b"host", b"warta.example.go.id"),
                (b"cookie", f"{SESSION_COOKIE}={cookie}".encode()),
            ],
            "client": ("127.0.0.1", 1),
            "server": ("warta.example.go.id", 443),
        }
        tracemalloc.start()
        try:
            await h.w.web.app(scope, receive, send)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


@pytest.mark.parametrize("small", [False, True], ids=["zip", "zip64"])
def test_the_zip_writer_is_read_by_other_readers(tmp_path: Path, small: bool) -> None:
    """The ZIP64 records (more than 65,535 files, past 4 GiB) are reached with low limits."""
    limits = {"zip64_from": 1000, "zip64_entries_from": 3} if small else {}
    files = {
        f"2026-000{i}/{j}.jpg": bytes([i, j]) * (300 * i + j) for i in range(1, 4) for j in (1, 2)
    }
    target = tmp_path / "foto.zip"
    with target.open("wb") as out, ZipStream(**limits) as archive:
        for name, data in files.items():
            out.write(
                archive.entry(name, len(data), zlib.crc32(data), datetime(2026, 11, 23, 9, 15))
            )
            out.write(data)
        for piece in archive.finish():
            out.write(piece)
    with zipfile.ZipFile(target) as read:
        assert read.testzip() is None
        assert {name: read.read(name) for name in read.namelist()} == files
        assert read.getinfo("2026-0001/1.jpg").date_time == (2026, 11, 23, 9, 15, 0)
    if shutil.which("unzip"):  # Info-ZIP, another reader entirely
        tested = subprocess.run(["unzip", "-t", str(target)], capture_output=True, text=True)
        assert tested.returncode == 0 and "No errors detected" in tested.stdout, tested.stdout
    raw = target.read_bytes()
    assert (b"PK\x06\x06" in raw) == small  # the ZIP64 end record only when needed

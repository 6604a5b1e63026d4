"""The whole filtered report list as a file: CSV, XLSX, and a ZIP of its photos.

Same filters as the page (the same URL fields), the whole set rather than one page, walked a
chunk at a time with a short session per chunk: memory stays flat however many reports match,
and a slow download never holds a database connection. The CSV and the ZIP are streamed as
they are made; the XLSX is written to a temporary file in write-only mode, then sent.
"""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import os
import re
import tempfile
import zlib
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from bot.desk.guard import require
from bot.desk.report_query import STATUS_LABELS, ListQuery
from bot.desk.zipstream import ZipStream
from handlers.timefmt import zone_label
from storage.report_list import ListedReport, ReportFilter, ReportList, walk_apart

if TYPE_CHECKING:
    from bot.desk.site import Desk

log = logging.getLogger(__name__)
CHUNK = 500  # reports per database round trip
ZIP_CHUNK = 50  # reports per round trip for the photo ZIP (about 150 photos)
READ = 1 << 16  # bytes read from a photo at a time
# A cell that starts like a formula runs as one in a spreadsheet (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # XML (xlsx) refuses these


def routes(desk: Desk) -> list[BaseRoute]:
    exports = Exports(desk)
    return [
        Route("/laporan/ekspor.csv", desk.page(exports.csv), methods=["GET"]),
        Route("/laporan/ekspor.xlsx", desk.page(exports.xlsx), methods=["GET"]),
        Route("/laporan/foto.zip", desk.page(exports.photos), methods=["GET"]),
    ]


class Exports:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    async def _wanted(self, request: Request) -> tuple[int, ReportFilter]:
        viewer = await require(request)
        pillars = frozenset(p.key for p in self.desk.core.schedule.pillars)
        query = ListQuery.parse(request.query_params, pillars)
        return viewer.org_id, query.filter(self.desk.tz, viewer)

    def _name(self, suffix: str) -> str:
        return f"laporan-{self.desk.clock().astimezone(self.desk.tz):%Y%m%d-%H%M}.{suffix}"

    def _headers(self, suffix: str) -> dict[str, str]:
        return {"Content-Disposition": f'attachment; filename="{self._name(suffix)}"'}

    def _rows(
        self, org_id: int, wanted: ReportFilter, chunk: int
    ) -> AsyncIterator[list[ListedReport]]:
        return walk_apart(self.desk.sessionmaker, org_id, wanted, chunk=chunk)

    # ---- the table ----------------------------------------------------------------------------
    def columns(self) -> list[str]:
        zone = zone_label(self.desk.clock().astimezone(self.desk.tz))
        return [
            "Nomor",
            "Versi",
            "Status",
            f"Dikirim ({zone})",
            "Unit",
            "Pengirim",
            "Pilar",
            "Foto",
            "Peringatan foto",
            "Keterangan",
            "Tautan",
        ]

    def values(self, row: ListedReport) -> list[str | int | datetime]:
        sent = row.submitted_at.astimezone(self.desk.tz).replace(tzinfo=None)
        return [
            row.number,
            row.version,
            STATUS_LABELS.get(row.status, str(row.status)),
            sent,
            row.unit_name or "",
            row.member_name,
            row.pillar_name or "",
            row.photos,
            "ya" if row.warned else "",
            row.caption,
            f"{self.desk.gate.public_url}/laporan/{row.number}",
        ]

    async def csv(self, request: Request) -> Response:
        org_id, wanted = await self._wanted(request)

        async def body() -> AsyncIterator[bytes]:
            # The BOM tells Excel the file is UTF-8 (é, ’ and emoji in captions).
            yield _csv_lines([self.columns()]).encode("utf-8-sig")
            async for rows in self._rows(org_id, wanted, CHUNK):
                yield _csv_lines([[_csv_cell(v) for v in self.values(r)] for r in rows]).encode()

        return StreamingResponse(
            body(), media_type="text/csv; charset=utf-8", headers=self._headers("csv")
        )

    async def xlsx(self, request: Request) -> Response:
        org_id, wanted = await self._wanted(request)
        fd, name = tempfile.mkstemp(prefix="warta-ekspor-", suffix=".xlsx")
        os.close(fd)
        path = Path(name)
        try:
            book = Workbook(write_only=True)  # rows go to a temporary file as they are added
            sheet = book.create_sheet("Laporan")
            sheet.append(self.columns())
            async for rows in self._rows(org_id, wanted, CHUNK):
                await asyncio.to_thread(self._append, sheet, rows)
            await asyncio.to_thread(book.save, path)
        except BaseException:
            _discard(path)
            raise
        return FileResponse(
            path,
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            filename=self._name("xlsx"),
            background=BackgroundTask(_discard, path),
        )

    def _append(self, sheet: WriteOnlyWorksheet, rows: list[ListedReport]) -> None:
        for row in rows:
            cells = []
            for value in self.values(row):
                cell = WriteOnlyCell(
                    sheet, CONTROL.sub("", value) if isinstance(value, str) else value
                )
                if isinstance(value, str):
                    cell.data_type = "s"  # text, even when it starts with "=": never a formula
                elif isinstance(value, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                cells.append(cell)
            sheet.append(cells)

    # ---- the photos ---------------------------------------------------------------------------
    async def photos(self, request: Request) -> Response:
        org_id, wanted = await self._wanted(request)
        return StreamingResponse(
            self.zip_body(org_id, wanted),
            media_type="application/zip",
            headers=self._headers("zip"),
        )

    async def zip_body(self, org_id: int, wanted: ReportFilter) -> AsyncIterator[bytes]:
        """Every photo of the set as <number>/<position>.<ext> (position from 1), originals."""
        with ZipStream() as archive:
            async for piece in self._zip_entries(archive, org_id, wanted):
                yield piece
            for piece in archive.finish():
                yield piece

    async def _zip_entries(
        self, archive: ZipStream, org_id: int, wanted: ReportFilter
    ) -> AsyncIterator[bytes]:
        media = self.desk.core.media
        async for rows in self._rows(org_id, wanted, ZIP_CHUNK):
            async with self.desk.sessionmaker() as session:
                photos = await ReportList(session).photos_of([row.id for row in rows])
            for row in rows:
                when = row.submitted_at.astimezone(self.desk.tz).replace(tzinfo=None)
                for photo in photos[row.id]:
                    path = media.path(photo.path)
                    try:
                        size, crc = await asyncio.to_thread(_size_and_crc, path)
                    except OSError:
                        log.error(
                            "photo %s of %s: no file in the media folder", photo.id, row.number
                        )
                        continue
                    name = f"{row.number}/{photo.position + 1}.{_extension(photo.mime)}"
                    yield archive.entry(name, size, crc, when)
                    async for piece in _read(path, size):
                        yield piece


def _csv_cell(value: object) -> str:
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv_lines(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def _discard(path: Path) -> None:
    path.unlink(missing_ok=True)


def _extension(mime: str) -> str:
    return {"image/png": "png", "image/webp": "webp", "image/heic": "heic"}.get(mime, "jpg")


def _size_and_crc(path: Path) -> tuple[int, int]:
    """Read once before sending: the header carries both, so no reader needs a descriptor."""
    crc, size = 0, 0
    with path.open("rb") as f:
        while piece := f.read(READ):
            crc, size = zlib.crc32(piece, crc), size + len(piece)
    return size, crc


async def _read(path: Path, size: int) -> AsyncIterator[bytes]:
    f = await asyncio.to_thread(path.open, "rb")
    try:
        sent = 0
        while piece := await asyncio.to_thread(f.read, READ):
            sent += len(piece)
            yield piece
        if sent != size:  # stored files never change; a broken archive must not look whole
            raise OSError(f"{path} changed while it was being sent")
    finally:
        f.close()

"""The recap as an XLSX workbook: every report version of the period, and totals per unit."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from handlers.recap import Recap

REPORT_COLUMNS = (
    ("Nomor", 12),
    ("Versi", 7),
    ("Unit", 28),
    ("Operator", 22),
    ("Pilar", 20),
    ("Keterangan", 60),
    ("Status", 14),
    ("Diputuskan oleh", 22),
    ("Dikirim", 18),
    ("Diputuskan", 18),
    ("Alasan", 40),
)
HEADER_FILL = PatternFill("solid", fgColor="1D4ED8")
DATE_FORMAT = "dd/mm/yyyy hh:mm"


def render_sheet(recap: Recap) -> bytes:
    book = Workbook()
    reports = book.active
    assert reports is not None
    reports.title = "Laporan"
    _header(reports, REPORT_COLUMNS)
    for row in recap.rows:
        reports.append(
            [
                f"#{row.number}",
                row.version,
                row.unit,
                row.operator,
                row.pillar,
                row.caption,
                row.status,
                row.decided_by,
                _local(row.submitted_at, recap.tz),
                _local(row.decided_at, recap.tz),
                row.reason,
            ]
        )
    for cells in reports.iter_rows(min_row=2, min_col=9, max_col=10):
        for cell in cells:
            cell.number_format = DATE_FORMAT
    for cell in reports["F"][1:]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    units = book.create_sheet("Per unit")
    _header(units, (("Unit", 36), ("Dikirim", 10), ("Disetujui", 10)))
    for line in recap.units:
        units.append([line.name, line.sent, line.approved])
    for name in recap.silent_units:
        units.append([name, 0, 0])
    pillars = book.create_sheet("Per pilar")
    _header(pillars, (("Pilar", 30), ("Laporan", 10)))
    for name, count in recap.pillars:
        pillars.append([name, count])
    for sheet in (reports, units, pillars):
        sheet.auto_filter.ref = sheet.dimensions
    book.properties.title = f"Rekap laporan {recap.period.label}"
    book.properties.creator = recap.org
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _header(sheet: Worksheet, columns: tuple[tuple[str, int], ...]) -> None:
    sheet.append([name for name, _ in columns])
    for i, (_, width) in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(i)].width = width
        cell = sheet.cell(row=1, column=i)
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), HEADER_FILL
    sheet.freeze_panes = "A2"


def _local(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    # Excel has no time zones: write the organization's local time, as people read it.
    return moment.astimezone(tz).replace(tzinfo=None) if moment else None

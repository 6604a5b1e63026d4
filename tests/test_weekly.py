"""The weekly recap: numbers checked against reports made here; PNG, XLSX and PDF read back."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from handlers.recap import month_of, week_of
from handlers.weekly import parse_period
from storage.models import Role
from tests.fake_telegram import Sent
from tests.harness import CAPTION, Harness, jpeg
from tests.telegram_users import LEADERS_CHAT, TgUser

LONG_UNIT = "Dinas Komunikasi, Informatika, Statistik dan Persandian Kabupaten"


def wib(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC) - timedelta(hours=7)


def card_of(bot: Harness, number: str) -> Sent:
    cards = [m for m in bot.newsroom_messages() if f"Laporan #{number}" in m.text]
    return cards[-1]


async def report(bot: Harness, operator: TgUser, at: datetime) -> None:
    bot.clock.now = at
    await bot.send(operator.photo(jpeg(), caption=CAPTION))
    await bot.send(operator.tap_button(bot.last_to(operator), "Kirim"))


async def decide(bot: Harness, editor: TgUser, number: str, button: str, at: datetime) -> None:
    bot.clock.now = at
    await bot.send(editor.tap_button(card_of(bot, number), button))
    if button != "Setujui":
        await bot.send(editor.tap_button(card_of(bot, number), "buram"))


async def a_week_of_reports(bot: Harness) -> tuple[TgUser, TgUser]:
    """16–22 Nov 2026: four reports from two of four units, one of them revised."""
    bot.clock.now = wib(16, 8)
    coordinator = await bot.join(bot.user("Kori", "Koordinator"), Role.COORDINATOR)
    editor = await bot.join(bot.user("Rina", "Redaktur"), Role.EDITOR)
    await bot.newsroom(editor)
    await bot.send(coordinator.text("/pimpinan", chat=LEADERS_CHAT))
    ani = await bot.join(bot.user("Ani"), Role.OPERATOR, "Kecamatan Bogor Barat")
    adi = await bot.join(bot.user("Adi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    budi = await bot.join(bot.user("Budi"), Role.OPERATOR, "Kecamatan Tanah Sareal")
    await bot.invite_code(Role.OPERATOR, "Kecamatan Bogor Timur")
    await bot.invite_code(Role.OPERATOR, LONG_UNIT)

    await report(bot, ani, wib(16, 9))  # 0001, Informasi: approved after 1 h
    await decide(bot, editor, "2026-0001", "Setujui", wib(16, 10))
    await report(bot, ani, wib(17, 9))  # 0002, UMKM: still waiting
    await report(bot, adi, wib(17, 10))  # 0003, UMKM: rejected after 2 h
    await decide(bot, editor, "2026-0003", "Tolak", wib(17, 12))
    await report(bot, budi, wib(18, 9))  # 0004, Wisata: revision after 30 min ...
    await decide(bot, editor, "2026-0004", "revisi", wib(18, 9, 30))
    bot.clock.now = wib(18, 11)
    await bot.send(budi.tap_button(bot.last_to(budi), "Kirim revisi"))
    await bot.send(budi.photo(jpeg(color=(9, 9, 9)), caption=CAPTION + " Foto baru."))
    await bot.send(budi.tap_button(bot.last_to(budi), "Kirim"))
    await decide(bot, editor, "2026-0004", "Setujui", wib(18, 14))  # ... approved after 3 h
    await report(bot, ani, wib(23, 7))  # next week: not in the recap
    return coordinator, editor


def leaders_messages(bot: Harness) -> list[Sent]:
    return [m for m in bot.fake.messages_to(LEADERS_CHAT["id"]) if "grup pimpinan" not in m.text]


async def test_weekly_recap_goes_to_the_leaders_once(bot: Harness) -> None:
    await a_week_of_reports(bot)
    bot.clock.now = wib(23, 7, 59)
    await bot.tick()
    assert leaders_messages(bot) == []
    bot.clock.now = wib(23, 8)
    await bot.tick()
    await bot.tick()
    chart, summary, sheet, letter = leaders_messages(bot)
    assert (chart.kind, sheet.kind, letter.kind) == ("photo", "document", "document")
    assert "16–22 Nov 2026" in chart.text
    check_summary(summary.text)
    check_chart(bot.fake.files[chart.file_id or ""])
    assert sheet.file_name == "rekap-2026-11-16-2026-11-22.xlsx"
    check_sheet(bot.fake.files[sheet.file_id or ""])
    assert letter.file_name == "rekap-2026-11-16-2026-11-22.pdf"
    check_letter(bot.fake.files[letter.file_id or ""])
    await bot.restart()
    await bot.tick()
    assert len(leaders_messages(bot)) == 4


def check_summary(text: str) -> None:
    assert "Rekap laporan 16–22 Nov 2026" in text and "Diskominfo Kota Bogor" in text
    assert "Laporan masuk: 4 dari 2 unit · disetujui 2 (50%)" in text
    assert "Median waktu sampai keputusan: 1 jam 30 menit" in text
    assert "Pilar paling ramai: UMKM (2 laporan)" in text
    assert f"Belum melapor: {LONG_UNIT}, Kecamatan Bogor Timur" in text


def check_chart(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG" and image.width == 1080
        assert 1000 < image.height < 3000


def check_sheet(data: bytes) -> None:
    book = load_workbook(io.BytesIO(data))
    rows = list(book["Laporan"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Nomor", "Versi", "Unit")
    body = [(r[0], r[1], r[2], r[3], r[4], r[6], r[7]) for r in rows[1:]]
    assert body == [
        (
            "#2026-0001",
            1,
            "Kecamatan Bogor Barat",
            "Ani",
            "Informasi",
            "Disetujui",
            "Rina Redaktur",
        ),
        ("#2026-0002", 1, "Kecamatan Bogor Barat", "Ani", "UMKM", "Menunggu", None),
        ("#2026-0003", 1, "Kecamatan Bogor Barat", "Adi", "UMKM", "Ditolak", "Rina Redaktur"),
        (
            "#2026-0004",
            1,
            "Kecamatan Tanah Sareal",
            "Budi",
            "Wisata",
            "Perlu revisi",
            "Rina Redaktur",
        ),
        ("#2026-0004", 2, "Kecamatan Tanah Sareal", "Budi", "Wisata", "Disetujui", "Rina Redaktur"),
    ]
    first = rows[1]
    assert first[8] == datetime(2026, 11, 16, 9, 0) and first[9] == datetime(2026, 11, 16, 10, 0)
    assert "Foto buram" in (rows[3][10] or "") or rows[3][10]
    units = list(book["Per unit"].iter_rows(values_only=True))
    assert units[1:] == [
        ("Kecamatan Bogor Barat", 3, 1),
        ("Kecamatan Tanah Sareal", 1, 1),
        (LONG_UNIT, 0, 0),
        ("Kecamatan Bogor Timur", 0, 0),
    ]


def check_letter(data: bytes) -> None:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Diskominfo Kota Bogor" in text and "Jl. Ir. H. Juanda No. 10" in text
    assert "REKAP LAPORAN KEGIATAN" in text and "16–22 Nov 2026" in text
    assert "Laporan masuk: 4 dari 2 unit" in text
    assert reader.pages[0].images  # the chart (and the logo)


async def test_recap_on_demand_for_last_week(bot: Harness) -> None:
    _coordinator, editor = await a_week_of_reports(bot)
    bot.clock.now = wib(24, 9)
    await bot.send(editor.text("/laporan lalu"))
    messages = bot.fake.messages_to(editor.id)[-4:]
    assert [m.kind for m in messages] == ["photo", "text", "document", "document"]
    check_summary(messages[1].text)
    await bot.send(editor.text("/laporan"))  # this week: one report so far, waiting
    assert "Laporan masuk: 1 dari 1 unit · disetujui 0 (0%)" in bot.fake.texts_to(editor.id)[-3]
    await bot.send(editor.text("/laporan besok"))
    assert "Cara pakai" in bot.last_to(editor).text


async def test_operators_get_no_recap(bot: Harness) -> None:
    operator = await bot.join(bot.user("Ani"), Role.OPERATOR, "Kecamatan A")
    await bot.send(operator.text("/laporan"))
    assert "hanya untuk redaktur" in bot.last_to(operator).text


async def test_empty_week_still_reads_well(bot: Harness) -> None:
    editor = await bot.join(bot.user("Rina"), Role.EDITOR)
    await bot.send(editor.text("/laporan"))
    _chart, summary, _sheet, letter = bot.fake.messages_to(editor.id)[-4:]
    assert "Belum ada laporan pada periode ini" in summary.text
    assert len(PdfReader(io.BytesIO(bot.fake.files[letter.file_id or ""])).pages) == 1


async def test_a_hundred_units_stay_on_one_pdf_page(bot: Harness) -> None:
    editor = await bot.join(bot.user("Rina"), Role.EDITOR)
    for i in range(100):
        await bot.invite_code(Role.OPERATOR, f"Kelurahan Nomor {i:03d} dengan Nama Panjang")
    operator = await bot.join(
        bot.user("Ani"), Role.OPERATOR, "Kelurahan Nomor 007 dengan Nama Panjang"
    )
    await report(bot, operator, wib(23, 10))
    await bot.send(editor.text("/laporan"))
    chart, summary, _sheet, letter = bot.fake.messages_to(editor.id)[-4:]
    assert "dan 84 unit lain" in summary.text
    with Image.open(io.BytesIO(bot.fake.files[chart.file_id or ""])) as image:
        assert image.width + image.height <= 10_000  # Telegram's limit for photos
    assert len(PdfReader(io.BytesIO(bot.fake.files[letter.file_id or ""])).pages) == 1


def test_chart_of_many_long_named_units_fits_telegram() -> None:
    from zoneinfo import ZoneInfo

    from handlers.recap import Recap, UnitLine
    from handlers.recap.chart import render_chart

    recap = Recap("Diskominfo", week_of(date(2026, 11, 23)), ZoneInfo("Asia/Jakarta"))
    recap.units = [UnitLine(f"{LONG_UNIT} Nomor {i}", 100 - i, i % 7) for i in range(90)]
    recap.pillars = [("UMKM", 50), ("Informasi", 40)]
    with Image.open(io.BytesIO(render_chart(recap))) as image:
        assert image.width == 1080 and image.width + image.height <= 10_000


def test_periods() -> None:
    today = date(2026, 11, 24)
    assert parse_period("", today) == week_of(today)
    assert parse_period("lalu", today) == week_of(today, 1) == parse_period("pekan lalu", today)
    assert parse_period("bulan", today) == month_of(2026, 11)
    assert parse_period("bulan lalu", today) == month_of(2026, 10)
    assert parse_period("2026-02", today) == month_of(2026, 2)
    assert parse_period("desember", today) == month_of(2025, 12)
    assert parse_period("des 2026", today) == month_of(2026, 12)
    assert parse_period("besok", today) is None and parse_period("2026-13", today) is None
    assert month_of(2026, 12).last == date(2026, 12, 31)
    assert week_of(today).label == "23–29 Nov 2026"


def test_letterhead_logo_is_optional(tmp_path: Path) -> None:
    from handlers.config import Letterhead
    from handlers.recap.letter import render_letter

    png = io.BytesIO()
    Image.new("RGB", (200, 100), (0, 0, 0)).save(png, "PNG")
    broken = tmp_path / "logo.png"
    broken.write_bytes(b"not a png")
    for logo in (None, broken):
        pdf = render_letter(
            Letterhead("Diskominfo", "Jl. X", logo), "Rekap", "P", ["a"], png.getvalue(), "m"
        )
        assert len(PdfReader(io.BytesIO(pdf)).pages) == 1

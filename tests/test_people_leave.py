"""People and units can leave: deactivated members are refused, invites revoked, units
renamed, merged and archived, and the history stays."""

from __future__ import annotations

import asyncio
import io
import os
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.cli import main
from storage.models import Member, Report, ReportEvent, ReportStatus, Role, Unit
from storage.people import People
from tests.channels import CHANNELS, Person, TelegramPerson, WhatsAppPerson, join
from tests.fake_telegram import Sent
from tests.harness import CAPTION, Harness, jpeg
from tests.telegram_users import ADMINS_CHAT

BOGOR_BARAT = "Kecamatan Bogor Barat"
both_channels = pytest.mark.parametrize("channel", CHANNELS)


def start_with(channel: str, code: str) -> str:
    return f"/start {code}" if channel == "telegram" else f"GABUNG {code}"


def told(h: Harness, person: Person) -> str:
    """What a tap was answered with: Telegram's alert, or on WhatsApp the message it becomes."""
    if isinstance(person, TelegramPerson):
        return [a["text"] for a in h.fake.answers.values()][-1]
    return person.last_text()


async def member_count(h: Harness) -> int:
    async with h.w.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(Member)) or 0)


async def report_row(h: Harness, report_id: int) -> Report:
    async with h.w.sessionmaker() as session:
        report = await session.get(Report, report_id)
        assert report is not None
        return report


async def send_report(operator: Person) -> None:
    await operator.photo(jpeg(), caption=CAPTION)
    await operator.tap("Kirim")


@both_channels
async def test_a_deactivated_operator_is_refused_and_their_report_stays_reviewable(
    both: Harness, channel: str
) -> None:
    boss = await join(both, channel, "Kori Koordinator", Role.COORDINATOR)
    editor = await join(both, channel, "Rina Redaktur", Role.EDITOR)
    operator = await join(both, channel, "Budi Santoso", Role.OPERATOR, BOGOR_BARAT)
    await send_report(operator)
    await boss.command("anggota", "nonaktifkan", "Budi")
    assert "Budi Santoso" in boss.last_text() and "dinonaktifkan" in boss.last_text()

    for attempt in ("/lapor", "/status", "halo"):
        await operator.say(attempt)
        assert "dinonaktifkan oleh koordinator" in operator.last_text(), attempt
    await operator.photo(jpeg(color=(10, 200, 10)), caption=CAPTION)
    assert "dinonaktifkan oleh koordinator" in operator.last_text()
    # An old or new invite does not make them a new member behind the coordinator's back.
    members = await member_count(both)
    await operator.say(start_with(channel, await both.invite_code(Role.OPERATOR, BOGOR_BARAT)))
    assert "dinonaktifkan oleh koordinator" in operator.last_text()
    assert await member_count(both) == members

    await editor.tap("Setujui")  # what they sent before stays reviewable
    report = await report_row(both, 1)
    assert report.status == ReportStatus.APPROVED and report.number == "2026-0001"
    async with both.w.sessionmaker() as session:
        budi = await session.get(Member, report.member_id)
        assert budi is not None and budi.name == "Budi Santoso" and not budi.active
        assert budi.deactivated_at is not None and budi.deactivated_by is not None
        assert await session.scalar(select(func.count()).select_from(Report)) == 1  # no draft

    await boss.command("anggota")
    assert re.search(
        r"Budi Santoso — operator · Kecamatan Bogor Barat · nonaktif", boss.last_text()
    )
    await boss.command("anggota", "aktifkan", "Budi")
    assert "aktif lagi" in boss.last_text()
    await operator.command("status")
    assert "#2026-0001" in operator.last_text() and "disetujui" in operator.last_text()


@both_channels
async def test_a_deactivated_editors_taps_are_refused(both: Harness, channel: str) -> None:
    boss = await join(both, channel, "Kori Koordinator", Role.COORDINATOR)
    editor = await join(both, channel, "Rina Redaktur", Role.EDITOR)
    operator = await join(both, channel, "Budi Santoso", Role.OPERATOR, BOGOR_BARAT)
    await send_report(operator)
    await boss.command("anggota", "nonaktifkan", "Rina")
    await editor.tap("Setujui")
    assert "dinonaktifkan" in told(both, editor)
    assert (await report_row(both, 1)).status == ReportStatus.PENDING
    await boss.tap("Setujui")  # another decider still can
    assert (await report_row(both, 1)).status == ReportStatus.APPROVED


async def test_a_deactivated_members_link_code_is_refused(both: Harness) -> None:
    boss = await join(both, "telegram", "Kori Koordinator", Role.COORDINATOR)
    operator = await join(both, "telegram", "Budi Santoso", Role.OPERATOR, BOGOR_BARAT)
    await operator.command("hubungkan")
    code = re.search(r"GABUNG (\w+)", operator.last_text())
    assert code
    await boss.command("anggota", "nonaktifkan", "Budi")
    members = await member_count(both)
    phone = both.wa_user("Budi di WA")
    await both.wa_post(phone.text(f"GABUNG {code.group(1)}"))
    assert "dinonaktifkan" in phone.last().text
    assert await member_count(both) == members


async def test_a_coordinator_cannot_switch_themselves_off_nor_an_editor_anyone(
    bot: Harness,
) -> None:
    boss = await join(bot, "telegram", "Kori Koordinator", Role.COORDINATOR)
    editor = await join(bot, "telegram", "Rina Redaktur", Role.EDITOR)
    await boss.command("anggota", "nonaktifkan", "Kori")
    assert "sendiri" in boss.last_text()
    await editor.command("anggota", "nonaktifkan", "Kori")
    assert "Hanya koordinator" in editor.last_text()
    await boss.command("anggota", "nonaktifkan", "Tidak Ada")
    assert "tidak ditemukan" in boss.last_text()
    await boss.command("anggota", "nonaktifkan", "R")  # "Kori" and "Rina" both have an r
    assert "beberapa anggota" in boss.last_text()


@both_channels
async def test_a_revoked_invite_is_refused(both: Harness, channel: str) -> None:
    boss = await join(both, channel, "Kori Koordinator", Role.COORDINATOR)
    await boss.command("unit", "tambah", BOGOR_BARAT)
    await boss.command("undang", "operator", BOGOR_BARAT)
    code = re.search(r"Kode: (\w+)", boss.last_text())
    assert code
    await boss.command("undang", "daftar")
    assert code.group(1) in boss.last_text()
    await boss.command("undang", "cabut", code.group(1))
    assert "dicabut" in boss.last_text()
    await boss.command("undang", "daftar")
    assert code.group(1) not in boss.last_text()
    newcomer = (
        TelegramPerson(both, both.user("Ani"))
        if channel == "telegram"
        else await _wa_person(both, "Ani")
    )
    members = await member_count(both)
    await newcomer.say(start_with(channel, code.group(1)))
    assert "kode undangan ini sudah dicabut" in newcomer.last_text().lower()
    assert await member_count(both) == members


async def _wa_person(h: Harness, name: str) -> Person:
    return WhatsAppPerson(h, h.wa_user(name))


async def test_a_used_invite_cannot_be_revoked(bot: Harness) -> None:
    boss = await join(bot, "telegram", "Kori Koordinator", Role.COORDINATOR)
    code = await bot.invite_code(Role.EDITOR)
    await bot.send(bot.user("Rina").text(f"/start {code}"))
    await boss.command("undang", "cabut", code)
    assert "terpakai habis" in boss.last_text()
    await boss.command("undang", "cabut", "tidakada")
    assert "tidak dikenal" in boss.last_text()


async def test_merge_moves_members_and_reports_and_keeps_numbers(both: Harness) -> None:
    boss = await join(both, "telegram", "Kori Koordinator", Role.COORDINATOR)
    await join(both, "telegram", "Rina Redaktur", Role.EDITOR)
    short = await join(both, "whatsapp", "Budi", Role.OPERATOR, "Bogor Barat")
    await send_report(short)
    async with both.w.sessionmaker() as session:
        people = People(session)
        org = await people.default_org(name="x", timezone="Asia/Jakarta")
        source = await people.unit_named(org.id, "Bogor Barat")
        target = await people.add_unit(org, name=BOGOR_BARAT, kind="kecamatan")
        await session.commit()
        assert source is not None
        ids = (source.id, target.id)
    await boss.command("unit", "gabung", str(ids[0]), str(ids[1]))
    assert "1 anggota dan 1 laporan" in boss.last_text()
    async with both.w.sessionmaker() as session:
        report = await session.get(Report, 1)
        assert report is not None and report.unit_id == ids[1] and report.number == "2026-0001"
        merged = await session.get(Unit, ids[0])
        assert merged is not None and merged.archived_at and merged.merged_into_id == ids[1]
        budi = await session.scalar(select(Member).where(Member.name == "Budi"))
        assert budi is not None and budi.unit_id == ids[1]
        [event] = await session.scalars(
            select(ReportEvent).where(ReportEvent.reason.contains("digabung"))
        )
        assert event.from_status == event.to_status == "pending"
        assert "Bogor Barat" in (event.reason or "") and BOGOR_BARAT in (event.reason or "")
    await short.photo(jpeg(color=(5, 5, 120)), caption=CAPTION)
    await short.tap("Kirim")  # a new report goes to the unit they now belong to
    assert (await report_row(both, 2)).unit_id == ids[1]
    await boss.command("unit")
    assert boss.last_text().count("Bogor Barat (") == 1  # only "Kecamatan Bogor Barat"
    assert "Diarsipkan: 1 unit" in boss.last_text()
    await boss.command("undang", "operator", "Bogor Barat")  # a unique part of the name
    assert "Kecamatan Bogor Barat" in boss.last_text()  # the archived one is no choice


async def test_archive_leaves_lists_recaps_and_invites_but_not_the_export(bot: Harness) -> None:
    boss = await join(bot, "telegram", "Kori Koordinator", Role.COORDINATOR)
    await join(bot, "telegram", "Rina Redaktur", Role.EDITOR)
    operator = await join(bot, "telegram", "Budi", Role.OPERATOR, "Kecamatan Lama")
    await join(bot, "telegram", "Ani", Role.OPERATOR, "Kecamatan Sepi")
    await send_report(operator)
    unit_id = await _unit_id(bot, "Kecamatan Lama")
    await boss.command("unit", "arsip", str(unit_id))
    assert "masih punya 1 anggota aktif" in boss.last_text()
    await boss.command("anggota", "nonaktifkan", "Budi")
    await boss.command("unit", "arsip", str(unit_id))
    assert "diarsipkan" in boss.last_text()
    await boss.command("unit", "tambah", "Kecamatan Tutup")  # archived before it ever reported
    invite = await bot.invite_code(Role.OPERATOR, "Kecamatan Tutup")
    await boss.command("unit", "arsip", str(await _unit_id(bot, "Kecamatan Tutup")))
    latecomer = bot.user("Telat")
    await bot.send(latecomer.text(f"/start {invite}"))
    assert "dicabut" in bot.last_to(latecomer).text
    await boss.command("unit")
    assert "Kecamatan Lama" not in boss.last_text() and "Kecamatan Sepi" in boss.last_text()
    await boss.command("unit", "arsip")
    assert "Kecamatan Lama" in boss.last_text()
    await boss.command("undang", "operator", "Kecamatan Lama")
    assert "tidak ditemukan" in boss.last_text()
    # Reactivating Budi while his unit is archived would file reports nobody counts.
    await boss.command("anggota", "aktifkan", "Budi")
    assert "diarsipkan" in boss.last_text()

    await boss.command("laporan")
    await bot.w.engine.drain_background()
    await bot.w.outbox.drain()
    summary = next(m.text for m in bot.fake.messages_to(boss.user.id) if "Belum melapor" in m.text)
    assert "Kecamatan Sepi" in summary and "Kecamatan Tutup" not in summary
    sheet = next(m for m in bot.fake.messages_to(boss.user.id) if m.kind == "document")
    assert _sheet_units(bot, sheet) == ["Kecamatan Lama"]  # the past report, under its unit

    await boss.command("unit", "pulihkan", str(unit_id))
    assert "aktif lagi" in boss.last_text()
    await boss.command("unit", "ganti", str(unit_id), "Kecamatan", "Baru")
    assert "Kecamatan Baru" in boss.last_text()
    await boss.command("unit")
    assert "Kecamatan Baru" in boss.last_text()


async def _unit_id(h: Harness, name: str) -> int:
    async with h.w.sessionmaker() as session:
        people = People(session)
        org = await people.default_org(name="x", timezone="Asia/Jakarta")
        unit = await people.unit_named(org.id, name)
        assert unit is not None
        return unit.id


def _sheet_units(h: Harness, sent: Sent) -> list[str]:
    book = load_workbook(io.BytesIO(h.fake.files[sent.file_id or ""]))
    return [row[2] for row in book["Laporan"].iter_rows(min_row=2, values_only=True)]


async def test_an_archived_unit_is_not_nudged(bot: Harness) -> None:
    from tests.test_nudges import nudges_to, wib

    bot.clock.now = wib(16, 9)
    quiet = await bot.join(bot.user("Ani"), Role.OPERATOR, "Kecamatan Sepi")
    gone = await bot.join(bot.user("Budi"), Role.OPERATOR, "Kecamatan Lama")
    async with bot.w.sessionmaker() as session, session.begin():
        unit = await session.scalar(select(Unit).where(Unit.name == "Kecamatan Lama"))
        assert unit is not None
        await People(session).archive_unit(unit, bot.clock())  # as a unit archived with him
    bot.clock.now = wib(20, 9)
    await bot.tick()
    assert len(nudges_to(bot, quiet)) == 1 and nudges_to(bot, gone) == []


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str) -> Path:
    for key in [k for k in os.environ if k.startswith("WARTA_")]:
        monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WARTA_DATABASE_URL", database_url)
    return tmp_path


def warta(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out + out.err


async def test_the_command_line_does_the_same(bot: Harness, cli_env: Path, capsys) -> None:
    async def run(*args: str) -> tuple[int, str]:
        return await asyncio.to_thread(warta, capsys, *args)

    await join(bot, "telegram", "Rina Redaktur", Role.EDITOR)
    operator = await join(bot, "telegram", "Budi Santoso", Role.OPERATOR, "Bogor Barat")
    await send_report(operator)
    code, out = await run("members")
    assert code == 0 and "redaktur" in out and "operator" in out and "editor" not in out
    assert (await run("members", "deactivate", "Budi"))[0] == 0
    assert "nonaktif" in (await run("members"))[1]
    await operator.say("/lapor")
    assert "dinonaktifkan" in operator.last_text()
    assert (await run("members", "deactivate", "Siapa"))[0] == 1
    assert (await run("members", "activate", "Budi"))[0] == 0
    await operator.say("/status")
    assert "#2026-0001" in operator.last_text()

    assert (await run("unit", "add", "Kecamatan Bogor Barat", "--force"))[0] == 0
    code, out = await run("unit", "merge", "Bogor Barat", "Kecamatan Bogor Barat")
    assert code == 0 and "1 anggota, 1 laporan" in out, out
    listed = (await run("unit", "list"))[1]
    assert "Kecamatan Bogor Barat" in listed and listed.count("Bogor Barat") == 1
    assert "digabung ke unit" in (await run("unit", "archived"))[1]
    assert (await run("unit", "rename", "Kecamatan Bogor Barat", "Kec. Bogor Barat"))[0] == 0
    assert (await run("unit", "add", "Kecamatan Sepi"))[0] == 0
    assert (await run("unit", "archive", "Kecamatan Sepi"))[0] == 0
    assert "Kecamatan Sepi" not in (await run("unit", "list"))[1]
    assert (await run("invite", "operator", "--unit", "Kecamatan Sepi"))[0] == 1
    assert (await run("unit", "restore", "Kecamatan Sepi"))[0] == 0

    code, out = await run("invite", "redaktur")
    invite = re.search(r"/start (\w+)", out)
    assert invite, out
    assert invite.group(1) in (await run("invites"))[1]
    assert (await run("invites", "revoke", invite.group(1)))[0] == 0
    assert (await run("invites", "revoke", "tidakada"))[0] == 1
    newcomer = bot.user("Ani")
    await bot.send(newcomer.text(f"/start {invite.group(1)}"))
    assert "dicabut" in bot.last_to(newcomer).text


async def test_deactivation_is_refused_in_groups_quietly(bot: Harness) -> None:
    boss = await join(bot, "telegram", "Kori Koordinator", Role.COORDINATOR)
    operator = await join(bot, "telegram", "Budi", Role.OPERATOR, BOGOR_BARAT)
    await boss.command("anggota", "nonaktifkan", "Budi")
    assert isinstance(operator, TelegramPerson)
    before = len(bot.fake.messages_to(ADMINS_CHAT["id"]))
    await bot.send(operator.user.text("/pilar", chat=ADMINS_CHAT))
    assert len(bot.fake.messages_to(ADMINS_CHAT["id"])) == before

"""Small things a newsroom notices: Indonesian roles, no "untuk -", the organization named
once, no dangling "atau buka tautan:", /status of what was really sent, /pengingat telling
the real state."""

from __future__ import annotations

import pytest

from storage.models import Report, ReportStatus, Role
from tests.channels import CHANNELS, Person, join
from tests.harness import CAPTION, Harness, jpeg
from tests.telegram_users import ADMINS_CHAT

both_channels = pytest.mark.parametrize("channel", CHANNELS)
ORG = "Diskominfo Kota Bogor"


def plain(text: str) -> str:
    """WhatsApp shows *bold* with its stars; Telegram's fake gives the visible text."""
    return text.replace("*", "")


@both_channels
async def test_roles_are_indonesian_in_the_member_list(both: Harness, channel: str) -> None:
    boss = await join(both, channel, "Kori", Role.COORDINATOR)
    await join(both, channel, "Rina", Role.EDITOR)
    await join(both, channel, "Budi", Role.OPERATOR, "Kecamatan Bogor Barat")
    await boss.command("anggota")
    listed = boss.last_text()
    assert "Rina — redaktur" in listed and "Kori — koordinator" in listed
    assert "Budi — operator · Kecamatan Bogor Barat" in listed
    assert "editor" not in listed and "coordinator" not in listed


@both_channels
async def test_an_invite_without_a_unit_says_no_untuk_dash(both: Harness, channel: str) -> None:
    boss = await join(both, channel, "Kori", Role.COORDINATOR)
    await boss.command("undang", "redaktur")
    said = plain(boss.last_text())
    assert "Undangan redaktur, berlaku" in said and "untuk -" not in said


@both_channels
async def test_the_welcome_names_the_organization_once(both: Harness, channel: str) -> None:
    boss = await join(both, channel, "Kori", Role.COORDINATOR)
    welcome = next(plain(text) for text in boss.texts() if "Selamat bergabung" in text)
    assert welcome.count(ORG) == 1 and "koordinator di Diskominfo Kota Bogor" in welcome
    operator = await join(both, channel, "Budi", Role.OPERATOR, "Kecamatan Bogor Barat")
    welcome = next(plain(text) for text in operator.texts() if "Selamat bergabung" in text)
    assert "operator untuk Kecamatan Bogor Barat (Diskominfo Kota Bogor)" in welcome


async def test_no_dangling_link_line_when_whatsapp_is_off(bot: Harness) -> None:
    operator = await join(bot, "telegram", "Budi", Role.OPERATOR, "Kecamatan Bogor Barat")
    await operator.command("hubungkan")
    answer = operator.last_text()
    assert "GABUNG" in answer and "tautan" not in answer
    assert not answer.rstrip().endswith(":")


async def submit(operator: Person) -> None:
    await operator.photo(jpeg(), caption=CAPTION)
    await operator.tap("Kirim")


async def set_status(h: Harness, report_id: int, status: ReportStatus) -> None:
    async with h.w.sessionmaker() as session, session.begin():
        report = await session.get(Report, report_id)
        assert report is not None
        report.status = status


@both_channels
async def test_status_shows_only_sent_versions_with_their_true_state(
    both: Harness, channel: str
) -> None:
    editor = await join(both, channel, "Rina", Role.EDITOR)
    operator = await join(both, channel, "Budi", Role.OPERATOR, "Kecamatan Bogor Barat")
    await submit(operator)
    await editor.tap("revisi")
    await editor.tap("Foto buram")
    await operator.tap("Kirim revisi")  # version 2 drafted, not sent
    await operator.command("status")
    shown = operator.last_text()
    assert "#2026-0001" in shown and "perlu revisi" in shown
    assert "versi 2" not in shown and "menunggu" not in shown  # never submitted
    assert "Draf belum terkirim" in shown
    await operator.command("batal")
    await operator.command("status")
    assert "versi 2" not in operator.last_text()

    await submit(operator)
    await editor.tap("Setujui")
    await set_status(both, 3, ReportStatus.WITHDRAWN)  # taken back from the official channel
    await submit(operator)
    await set_status(both, 4, ReportStatus.CANCELLED)
    await operator.command("status")
    lines = operator.last_text().splitlines()
    assert any("#2026-0002" in line and "ditarik" in line for line in lines), lines
    assert any("#2026-0003" in line and "dibatalkan" in line for line in lines), lines


@both_channels
async def test_reminders_in_private_tell_the_real_state(both: Harness, channel: str) -> None:
    editor = await join(both, channel, "Rina", Role.EDITOR)
    operator = await join(both, channel, "Budi", Role.OPERATOR, "Kecamatan Bogor Barat")
    await editor.command("pengingat")
    assert "hanya untuk operator" in editor.last_text()
    assert "Pengingatmu aktif" not in editor.last_text()

    await operator.command("pengingat")
    state = operator.last_text()
    assert "Pengingatmu aktif" in state and "Kecamatan Bogor Barat" in state
    assert "Belum ada grup" in state
    morning = "dikirim ke WhatsApp-mu tiap pagi pukul 07.00 WIB"
    assert (morning in state) == (channel == "whatsapp")

    boss = both.user("Kori")
    await both.join(boss, Role.COORDINATOR)
    await both.send(boss.text("/pengingat 06.30", chat=ADMINS_CHAT))
    await operator.command("pengingat", "mati")
    state = operator.last_text()
    assert "dimatikan" in state and "aktif di 1 grup, pukul 06.30 WIB" in state

"""The same scenarios on Telegram and on WhatsApp: the flows live in handlers/, once."""

from __future__ import annotations

import pytest

from storage.models import ReportStatus, Role
from storage.reports import Reports
from tests.channels import CHANNELS, Person, join
from tests.harness import CAPTION, Harness, jpeg

pytestmark = pytest.mark.parametrize("channel", CHANNELS)


async def people(h: Harness, channel: str) -> tuple[Person, Person]:
    editor = await join(h, channel, "Rina Redaktur", Role.EDITOR)
    operator = await join(h, channel, "Budi Santoso", Role.OPERATOR, "Kecamatan Bogor Barat")
    return editor, operator


async def status_of(h: Harness, report_id: int) -> ReportStatus:
    async with h.w.sessionmaker() as session:
        report = await Reports(session).get(report_id)
        assert report is not None
        return report.status


async def test_join_report_approve(both: Harness, channel: str) -> None:
    editor, operator = await people(both, channel)
    assert any("Selamat bergabung, Budi Santoso" in t for t in operator.texts())
    await operator.photo(jpeg(), caption=CAPTION)
    assert "Pratinjau" in operator.last_text() and "Informasi" in operator.last_text()
    await operator.tap("Kirim")
    assert "#2026-0001" in operator.last_text()
    await editor.tap("Setujui")
    assert "disetujui" in operator.last_text()
    assert await status_of(both, 1) == ReportStatus.APPROVED


async def test_revision_resubmit_approve(both: Harness, channel: str) -> None:
    editor, operator = await people(both, channel)
    await operator.photo(jpeg(), caption=CAPTION)
    await operator.tap("Kirim")
    await editor.tap("revisi")
    await editor.tap("Foto buram")
    assert "perlu revisi" in operator.last_text() and "buram" in operator.last_text()
    await operator.tap("Kirim revisi")
    assert "Revisi ke-2" in operator.last_text()
    await operator.photo(jpeg(color=(200, 10, 10)), caption=CAPTION + " Foto baru.")
    await operator.tap("Kirim")
    await editor.tap("Setujui")
    assert (await status_of(both, 1), await status_of(both, 2)) == (
        ReportStatus.REVISION,
        ReportStatus.APPROVED,
    )


async def test_reject_with_a_typed_reason(both: Harness, channel: str) -> None:
    editor, operator = await people(both, channel)
    await operator.photo(jpeg(), caption=CAPTION)
    await operator.tap("Kirim")
    await editor.tap("Tolak")
    await editor.tap("Tulis alasan")
    await editor.answer_question("Sudah dilaporkan kemarin oleh kelurahan.")
    notice = operator.last_text()
    assert "tidak dapat dimuat" in notice and "Sudah dilaporkan kemarin" in notice
    assert await status_of(both, 1) == ReportStatus.REJECTED


async def test_restart_in_the_middle_of_a_draft(both: Harness, channel: str) -> None:
    _editor, operator = await people(both, channel)
    await operator.command("lapor")
    await operator.photo(jpeg())
    await both.settle()
    await both.restart()
    await operator.say(CAPTION)
    await operator.tap("Informasi")
    assert "Pratinjau" in operator.last_text() and "Foto: 1" in operator.last_text()


async def test_the_same_delivery_twice_is_handled_once(both: Harness, channel: str) -> None:
    _editor, operator = await people(both, channel)
    await operator.command("status")
    await operator.again()
    assert sum("Belum ada laporan" in t for t in operator.texts()) == 1


async def test_someone_not_an_editor_cannot_decide(both: Harness, channel: str) -> None:
    editor, operator = await people(both, channel)
    intruder = await join(both, channel, "Tono", Role.OPERATOR, "Kecamatan Lain")
    await operator.photo(jpeg(), caption=CAPTION)
    await operator.tap("Kirim")
    await intruder.tap("Setujui", on=editor.with_button("Setujui"))
    assert await status_of(both, 1) == ReportStatus.PENDING
    await editor.tap("Setujui")
    assert await status_of(both, 1) == ReportStatus.APPROVED


async def test_stop_and_start_reminders(both: Harness, channel: str) -> None:
    _editor, operator = await people(both, channel)
    await operator.command("berhenti")
    assert "tidak akan menerima pengingat" in operator.last_text()
    await operator.command("mulai")
    assert "aktif lagi" in operator.last_text()

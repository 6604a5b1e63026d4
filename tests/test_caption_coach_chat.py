"""The caption coach in the chat, on both channels: the preview's "Saran" line, "Perbaiki ejaan"
(which fixes the draft in the database and shows it afresh, and is answered like Kirim when it
comes late, twice or from an old preview), and the card's note of what the caption leaves out.
Suggestions only: every report here is sent as before."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from bot.settings import Settings
from handlers.caption_coach import Places
from handlers.coach.places import UNIT
from storage.models import Report, ReportStatus, Role
from storage.reports import Reports
from tests.channels import CHANNELS, Person, TelegramPerson, WhatsAppPerson, join
from tests.fake_telegram import FakeTelegram
from tests.fake_whatsapp import FakeGraph
from tests.harness import Clock, Harness, jpeg, make_settings, whatsapp_settings

# Says what, who, where and why; not when nor how; two words to spell the standard way.
TYPO = "Kerja bakti warga RW 05 utk membersihkan saluran air di Kelurahan Cibuluh, silahkan ikut."
FIXED = "Kerja bakti warga RW 05 untuk membersihkan saluran air di Kelurahan Cibuluh, silakan ikut."
ADVICE = "Saran: tambahkan kapan, bagaimana. Ejaan: utk → untuk, silahkan → silakan"
COMPLETE = "Kerja bakti warga di RW 05, Senin (23/11), diikuti 40 orang untuk mencegah banjir."
# Cibuluh is a kelurahan of Kota Bogor (32.71): a place only where the region is known.
CIBULUH = "Senam pagi warga Cibuluh, Senin (23/11), diikuti 40 orang untuk menjaga kesehatan."
UNIT_NAME = "Tegal Gundil"  # a unit named after its kelurahan, without "Kelurahan"
IN_UNIT = "Senam pagi warga Tegal Gundil, Senin (23/11), diikuti 40 orang untuk menjaga kesehatan."

on_both = pytest.mark.parametrize("channel", CHANNELS)


@pytest.fixture
async def bogor(
    fake: FakeTelegram, graph: FakeGraph, tmp_path: Path, database_url: str, clock: Clock
) -> AsyncIterator[Harness]:
    """Both channels, with Kota Bogor's region code."""
    values = {**whatsapp_settings(graph), "region_code": "32.71"}
    settings = make_settings(tmp_path, database_url, **values)
    harness = await Harness(fake, settings, clock, graph).start()
    try:
        yield harness
    finally:
        await harness.stop()


async def people(h: Harness, channel: str, unit: str = "Kecamatan Bogor Barat") -> list[Person]:
    editor = await join(h, channel, "Rina Redaktur", Role.EDITOR)
    return [editor, await join(h, channel, "Budi Santoso", Role.OPERATOR, unit)]


def preview_of(person: Person) -> Any:
    """The newest preview, as it stands (a copy: Telegram edits messages in place)."""
    return copy.deepcopy(person.with_button("Kirim"))


def plain(text: str) -> str:
    """Without WhatsApp's *bold* marks (the Telegram fake keeps the text, not the markup)."""
    return text.replace("*", "")


def labels(message: Any) -> list[str]:
    return [label for label, _ in message.buttons]


def tap_answer(h: Harness, person: Person) -> str:
    """What the person was told about their last tap: Telegram's alert, WhatsApp's message."""
    if isinstance(person, TelegramPerson):
        update = person.last_sent()
        return str(h.fake.answers[update["callback_query"]["id"]]["text"])
    return plain(person.last_text())


def card_text(h: Harness, editor: Person) -> str:
    if isinstance(editor, WhatsAppPerson):
        return plain(next(text for text in reversed(editor.texts()) if "Laporan #" in text))
    return h.card().text


async def report_1(h: Harness) -> Report:
    async with h.w.sessionmaker() as session:
        report = await Reports(session).get(1)
        assert report is not None
        return report


@on_both
async def test_the_preview_suggests_and_perbaiki_ejaan_fixes_the_draft(
    both: Harness, channel: str
) -> None:
    editor, operator = await people(both, channel)
    await operator.photo(jpeg(), caption=TYPO)
    preview = preview_of(operator)
    assert ADVICE in plain(preview.text)
    if channel == "whatsapp":  # three reply buttons: Ganti pilar is under Ubah meanwhile
        assert labels(preview) == ["✅ Kirim", "🔤 Perbaiki ejaan", "✏️ Ubah"]
        assert "ganti lewat ✏️ Ubah → Pilar" in preview.text
    else:
        assert labels(preview) == ["✅ Kirim", "🏷️ Ganti pilar", "✏️ Ubah", "🔤 Perbaiki ejaan"]
    await operator.tap("Perbaiki ejaan")
    if channel == "telegram":  # WhatsApp has no tap answers, only alerts as messages
        assert tap_answer(both, operator) == "Ejaan diperbaiki."
    fresh = plain(preview_of(operator).text)
    assert "Ejaan keterangan diperbaiki" in fresh and FIXED in fresh
    assert "Saran: tambahkan kapan, bagaimana." in fresh and "Ejaan:" not in fresh
    assert labels(preview_of(operator)) == ["✅ Kirim", "🏷️ Ganti pilar", "✏️ Ubah"]
    assert (await report_1(both)).caption == FIXED  # in the draft, in the database
    await operator.tap("Kirim")
    assert "#2026-0001" in operator.last_text()
    report = await report_1(both)
    assert (report.status, report.caption) == (ReportStatus.PENDING, FIXED)
    card = card_text(both, editor)
    assert "Keterangan belum menyebut: kapan, bagaimana" in card and FIXED in card


@on_both
async def test_missing_elements_and_misspellings_are_sent_as_they_are(
    both: Harness, channel: str
) -> None:
    editor, operator = await people(both, channel)
    await operator.photo(jpeg(), caption=TYPO)
    await operator.tap("Kirim")
    assert "#2026-0001" in operator.last_text()
    receipt = operator.last_text()
    assert "Saran:" not in receipt and "Ejaan:" not in receipt  # the receipt: what was sent
    assert (await report_1(both)).caption == TYPO
    assert "Keterangan belum menyebut: kapan, bagaimana" in card_text(both, editor)


@on_both
async def test_perbaiki_ejaan_after_kirim_changes_nothing(both: Harness, channel: str) -> None:
    _editor, operator = await people(both, channel)
    await operator.photo(jpeg(), caption=TYPO)
    preview = preview_of(operator)
    await operator.tap("Kirim")
    await operator.tap("Perbaiki ejaan", on=preview)
    assert "sudah dikirim atau dibatalkan" in tap_answer(both, operator)
    report = await report_1(both)
    assert (report.status, report.caption) == (ReportStatus.PENDING, TYPO)


@on_both
async def test_a_double_or_old_perbaiki_ejaan_is_answered_like_an_old_preview(
    both: Harness, channel: str
) -> None:
    _editor, operator = await people(both, channel)
    await operator.photo(jpeg(), caption=TYPO)
    preview = preview_of(operator)
    await operator.tap("Perbaiki ejaan", on=preview)
    await operator.tap("Perbaiki ejaan", on=preview)  # the same button again
    if channel == "telegram":  # on WhatsApp the alert is a message before the fresh preview
        assert "Pratinjau ini sudah lama" in tap_answer(both, operator)
    else:
        assert "Pratinjau ini sudah lama" in operator.texts()[-2]
    assert "Ini pratinjau terbaru" in operator.last_text() and FIXED in operator.last_text()
    await operator.tap("Kirim", on=preview)  # the preview from before the fix sends nothing
    assert (await report_1(both)).status == ReportStatus.DRAFT
    await operator.tap("Kirim")
    report = await report_1(both)
    assert (report.status, report.caption) == (ReportStatus.PENDING, FIXED)


@on_both
async def test_a_caption_that_says_it_all_gets_no_advice(both: Harness, channel: str) -> None:
    editor, operator = await people(both, channel)
    await operator.photo(jpeg(), caption=COMPLETE)
    preview = preview_of(operator)
    assert "Saran" not in preview.text and "Ejaan" not in preview.text
    assert labels(preview) == ["✅ Kirim", "🏷️ Ganti pilar", "✏️ Ubah"]
    await operator.tap("Kirim")
    assert "belum menyebut" not in card_text(both, editor)


@on_both
async def test_without_a_region_code_the_units_names_still_place(
    both: Harness, channel: str
) -> None:
    assert both.settings.region_code is None
    _editor, operator = await people(both, channel, UNIT_NAME)
    await operator.photo(jpeg(), caption=IN_UNIT)
    assert "Saran" not in operator.last_text()
    await operator.tap("Ubah")
    await operator.tap("Keterangan")
    await operator.say(CIBULUH)  # a kelurahan, but no region to know it by
    assert "Saran: tambahkan di mana." in plain(preview_of(operator).text)


@on_both
async def test_with_the_region_code_its_places_count(bogor: Harness, channel: str) -> None:
    _editor, operator = await people(bogor, channel)
    await operator.photo(jpeg(), caption=CIBULUH)
    preview = preview_of(operator)
    assert "Pratinjau" in preview.text and "Saran" not in preview.text


def test_the_region_code_setting() -> None:
    assert Settings(_env_file=None, region_code=" 32.71 ").region_code == "32.71"
    assert Settings(_env_file=None, region_code="").region_code is None
    for wrong in ("3271", "32.99", "Kota Bogor"):
        with pytest.raises(ValidationError, match="WARTA_REGION_CODE"):
            Settings(_env_file=None, region_code=wrong)


def test_units_are_laid_over_the_region_without_copying_it() -> None:
    region = Places.of("32.71")
    places = region.with_units(["Kecamatan Bogor Barat", "Tegal Gundil", "Cibuluh", ""])
    assert places.resolve("Kecamatan Bogor Barat") == UNIT
    assert places.resolve("Cibuluh") == region.resolve("Cibuluh") != UNIT  # the region's code
    assert places.resolve("Cikini") is None and region.resolve("Kecamatan Bogor Barat") is None
    assert places.longest == max(region.longest, 3)

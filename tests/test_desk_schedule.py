"""Jadwal on the desk (/jadwal): the schedule in force, the next 14 days with days off, and
the file edited with the loader's own checks, saved atomically with a backup, in force at once
here and followed by another process on the same database."""

from __future__ import annotations

import os
import re
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

import pytest

from handlers.schedule import ScheduleError, load_schedule, text_digest
from storage.models import Role
from tests.channels import join
from tests.desk_admin_helpers import assert_coordinators_only, signed_in, start_warta, text_of
from tests.fake_telegram import FakeTelegram
from tests.fake_whatsapp import FakeGraph
from tests.harness import Clock, Harness

# Monday 21 Dec 2026, 09:00 WIB: cuti bersama on the 24th, Natal on the 25th, 1 Jan ahead.
MONDAY_BEFORE_CHRISTMAS = datetime(2026, 12, 21, 2, 0, tzinfo=UTC)


@pytest.fixture
async def h(
    fake: FakeTelegram, graph: FakeGraph, tmp_path: Path, database_url: str, clock: Clock
) -> AsyncIterator[Harness]:
    clock.now = MONDAY_BEFORE_CHRISTMAS
    harness = await start_warta(fake, graph, tmp_path / "a", database_url, clock)
    yield harness
    await harness.stop()


def schedule_file(h: Harness) -> Path:
    source = h.w.engine.core.schedule.source
    assert source is not None and source.is_relative_to(h.settings.prompts_dir)
    return source


def base_of(page: str) -> str:
    found = re.search(r'name="dasar" value="([0-9a-f]+)"', page)
    assert found, page
    return found.group(1)


def textarea_of(page: str) -> str:
    found = re.search(r'<textarea id="teks"[^>]*>\n(.*?)</textarea>', page, re.S)
    assert found, page
    return unescape(found.group(1))


def loader_says(folder: Path, name: str, text: str) -> str:
    """What Warta says at start about this text as that file."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScheduleError) as refused:
        load_schedule(path)
    return str(refused.value)


async def test_coordinators_only(h: Harness) -> None:
    await assert_coordinators_only(h, [("GET", "/jadwal"), ("POST", "/jadwal")])
    assert "Informasi" in schedule_file(h).read_text()  # nothing the operator sent was saved


async def test_table_next_days_and_an_edit_fixed_after_an_error(h: Harness, tmp_path: Path) -> None:
    boss = await signed_in(h, "Kartika", Role.COORDINATOR)
    path = schedule_file(h)
    original = path.read_text(encoding="utf-8")
    page = await boss.get("/jadwal")
    shown = text_of(page.text)
    assert "Informasi (informasi) senin Kebijakan, layanan" in shown
    assert "Senin, 21 Des 2026 (hari ini) Informasi Hari kerja" in shown
    assert "Kamis, 24 Des 2026 Kamis Nyunda Libur: Cuti Bersama Hari Raya Natal" in shown
    assert "Jumat, 25 Des 2026 Pemkot goes to school Libur: Hari Raya Natal" in shown
    assert "Minggu, 27 Des 2026 — Akhir pekan" in shown
    assert "Jumat, 1 Jan 2027 Pemkot goes to school Libur: Tahun Baru Masehi" in shown
    assert "Minggu, 3 Jan 2027" in shown and "Senin, 4 Jan 2027" not in shown  # 14 days
    assert textarea_of(page.text) == original
    base = base_of(page.text)
    assert base == text_digest(original)

    # An error: the loader's own message, with its line, and nothing changes.
    broken = original.replace('days = ["senin"]', 'days = ["funday"]')
    wrong = await boss.post("/jadwal", {"teks": broken, "dasar": base})
    expected = loader_says(tmp_path, path.name, broken)
    assert "baris 19, pilar ke-1: hari 'funday' tidak dikenal" in expected
    assert 'role="alert"' in wrong.text and expected in text_of(wrong.text)
    assert "jadwal lama tetap berlaku" in text_of(wrong.text)
    assert 'aria-invalid="true"' in wrong.text and textarea_of(wrong.text) == broken
    assert re.search(r'<li value="19" class="wrong"[^>]*><code>days = \[&#34;funday', wrong.text)
    assert path.read_text(encoding="utf-8") == original
    assert not path.with_name(path.name + ".bak").exists()
    assert h.w.engine.core.schedule.pillars[0].name == "Informasi"

    # Fixed: saved (CRLF from the browser becomes LF), the old one kept, in force at once.
    fixed = original.replace('name = "Informasi"', 'name = "Info Publik"').replace(
        "# extra = [", 'extra = [{ date = "2026-12-22", name = "Hari Jadi Contoh" }]\n# extra = ['
    )
    saved = await boss.post("/jadwal", {"teks": fixed.replace("\n", "\r\n"), "dasar": base})
    said = text_of(saved.text)
    assert 'role="status"' in saved.text and "disimpan dan langsung dipakai: 6 pilar" in said
    assert path.read_text(encoding="utf-8") == fixed
    assert path.with_name(path.name + ".bak").read_text(encoding="utf-8") == original
    assert "Selasa, 22 Des 2026 UMKM Libur: Hari Jadi Contoh" in said
    assert "Senin, 21 Des 2026 (hari ini) Info Publik" in said
    assert textarea_of(saved.text) == fixed and base_of(saved.text) == text_digest(fixed)
    operator = await join(h, "whatsapp", "Budi", Role.OPERATOR, "Kecamatan Bogor Barat")
    await operator.command("pilar")
    assert "Pilar hari ini: *Info Publik*" in operator.last_text()  # no restart
    await h.tick()  # the scheduler's morning reminder (WhatsApp: to each operator)
    assert any("Selamat pagi" in t and "Info Publik" in t for t in operator.texts())

    # Someone else saved since this editor opened it: nothing is overwritten.
    stale = await boss.post("/jadwal", {"teks": original, "dasar": base})
    assert "diubah orang lain" in text_of(stale.text)
    assert path.read_text(encoding="utf-8") == fixed


async def test_another_process_follows_a_saved_schedule(
    h: Harness,
    fake: FakeTelegram,
    graph: FakeGraph,
    tmp_path: Path,
    database_url: str,
    clock: Clock,
) -> None:
    other = await start_warta(fake, graph, tmp_path / "b", database_url, clock)
    try:
        boss = await signed_in(h, "Kartika", Role.COORDINATOR)
        page = await boss.get("/jadwal")
        text = textarea_of(page.text).replace('name = "Informasi"', 'name = "Info Publik"')
        await boss.post("/jadwal", {"teks": text, "dasar": base_of(page.text)})
        theirs = schedule_file(other)
        assert theirs != schedule_file(h) and "Info Publik" not in theirs.read_text()
        assert other.w.engine.core.schedule.pillars[0].name == "Informasi"
        await other.tick()  # the next scheduler pass there
        assert other.w.engine.core.schedule.pillars[0].name == "Info Publik"
        assert other.w.engine.core.schedule.digest == h.w.engine.core.schedule.digest
        assert "Info Publik" not in theirs.read_text()  # its own file stays as it was

        # A hand edit of its own file after the desk's save wins there.
        edited = theirs.read_text().replace('name = "Informasi"', 'name = "Info Tangan"')
        theirs.write_text(edited, encoding="utf-8")
        later = time.time() + 60
        os.utime(theirs, (later, later))
        await other.tick()
        await other.tick()
        assert other.w.engine.core.schedule.pillars[0].name == "Info Tangan"
    finally:
        await other.stop()

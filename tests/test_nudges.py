"""Nudges to quiet units and the list of reports waiting too long, on a controlled clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handlers.schedule import Schedule
from handlers.workdays import Workdays
from storage.models import Role
from tests.harness import CAPTION, Harness, jpeg
from tests.telegram_users import TgUser

WIB = timedelta(hours=7)


def wib(day: int, hour: int, minute: int = 0) -> datetime:
    """A November 2026 moment given in WIB."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC) - WIB


def nudges_to(bot: Harness, user: TgUser) -> list[str]:
    return [text for text in bot.fake.texts_to(user.id) if "belum mengirim laporan" in text]


async def report(bot: Harness, operator: TgUser) -> None:
    await bot.send(operator.photo(jpeg(), caption=CAPTION))
    await bot.send(operator.tap_button(bot.last_to(operator), "Kirim"))


async def test_quiet_unit_is_nudged_once_a_working_day(bot: Harness) -> None:
    bot.clock.now = wib(16, 9)  # Monday 16 Nov: the units start here
    editor = await bot.join(bot.user("Rina"), Role.EDITOR)
    await bot.newsroom(editor)
    quiet = await bot.join(bot.user("Ani"), Role.OPERATOR, "Kecamatan Sepi")
    busy = await bot.join(bot.user("Budi"), Role.OPERATOR, "Kecamatan Rajin")
    muted = await bot.join(bot.user("Cici"), Role.OPERATOR, "Kecamatan Bisu")
    await bot.send(muted.text("/pengingat mati"))
    assert "dimatikan" in bot.last_to(muted).text
    bot.clock.now = wib(18, 10)  # Wednesday: Budi reports
    await report(bot, busy)

    bot.clock.now = wib(20, 8, 59)  # Friday, before the nudge time
    await bot.tick()
    assert nudges_to(bot, quiet) == []
    bot.clock.now = wib(20, 9)
    await bot.tick()
    await bot.tick()
    [nudge] = nudges_to(bot, quiet)
    assert "Kecamatan Sepi" in nudge and "3 hari kerja" in nudge
    assert "Belum ada laporan sama sekali" in nudge and "Pemkot goes to school" in nudge
    assert "/pengingat mati" in nudge
    assert nudges_to(bot, busy) == [] and nudges_to(bot, muted) == []

    bot.clock.now = wib(21, 9, 30)  # Saturday has a pillar in Bogor: a working day
    await bot.tick()
    assert len(nudges_to(bot, quiet)) == 2
    bot.clock.now = wib(22, 9, 30)  # Sunday: none
    await bot.tick()
    assert len(nudges_to(bot, quiet)) == 2
    await bot.send(muted.text("/pengingat nyala"))
    bot.clock.now = wib(23, 9, 30)  # Monday: Budi's Wednesday report is now 3 working days old
    await bot.tick()
    assert len(nudges_to(bot, quiet)) == 3
    assert len(nudges_to(bot, busy)) == 1 and len(nudges_to(bot, muted)) == 1
    assert "Laporan terakhir: Rabu 18 Nov" in nudges_to(bot, busy)[0]


async def test_no_nudge_on_a_national_holiday(bot: Harness) -> None:
    bot.clock.now = wib(16, 9)
    quiet = await bot.join(bot.user("Ani"), Role.OPERATOR, "Kecamatan Sepi")
    bot.clock.now = datetime(2026, 12, 25, 3, 0, tzinfo=UTC)  # Christmas, 10:00 WIB
    await bot.tick()
    assert nudges_to(bot, quiet) == []
    bot.clock.now = datetime(2026, 12, 28, 3, 0, tzinfo=UTC)  # the Monday after
    await bot.tick()
    assert len(nudges_to(bot, quiet)) == 1


async def test_reports_waiting_too_long_are_listed_once_a_day(bot: Harness) -> None:
    bot.clock.now = wib(20, 14)  # Friday 14:00
    editor = await bot.join(bot.user("Rina"), Role.EDITOR)
    await bot.newsroom(editor)
    operator = await bot.join(bot.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    await report(bot, operator)

    def stale_lists() -> list[str]:
        return [m.text for m in bot.newsroom_messages() if "menunggu keputusan" in m.text]

    bot.clock.now = wib(21, 9, 59)  # Saturday: 2 h on Friday + 1 h 59 on Saturday
    await bot.tick()
    assert stale_lists() == []
    bot.clock.now = wib(21, 10, 1)
    await bot.tick()
    bot.clock.now = wib(21, 15)
    await bot.tick()
    [listing] = stale_lists()
    assert "#2026-0001 · Kecamatan Bogor Barat · 4 jam kerja" in listing
    bot.clock.now = wib(22, 10)  # Sunday is not a working day
    await bot.tick()
    bot.clock.now = wib(23, 8, 30)  # Monday: listed again, once
    await bot.tick()
    await bot.tick()
    assert len(stale_lists()) == 2
    await bot.send(editor.tap_button(bot.card(), "Setujui"))
    bot.clock.now = wib(24, 9)
    await bot.tick()
    assert len(stale_lists()) == 2  # decided: no longer listed


def test_working_hours_skip_nights_weekends_and_holidays() -> None:
    schedule = Schedule("x", ())  # no pillars: Saturdays and Sundays are off
    days = Workdays(schedule, UTC)
    friday_15 = datetime(2026, 11, 20, 15, tzinfo=UTC)
    monday_9 = datetime(2026, 11, 23, 9, tzinfo=UTC)
    assert days.working_seconds(friday_15, monday_9) == 2 * 3600
    assert days.working_days_before(datetime(2026, 12, 28).date(), 2) == [
        datetime(2026, 12, 23).date(),
        datetime(2026, 12, 22).date(),
    ]  # 24 Dec cuti bersama, 25 Dec Christmas, then the weekend

"""The morning reminder to groups, on a clock the test moves: no test waits for a schedule."""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from storage.models import Role, ScheduledSend, Subscription
from tests.fake_telegram import FakeTelegram
from tests.harness import CAPTION, ROOT, Clock, Harness, jpeg, make_settings
from tests.telegram_users import ADMINS_CHAT, NEWSROOM_CHAT, TgUser

# 07:00 WIB on Tuesday 24 Nov 2026 is 00:00 UTC; 07:00 WITA is 23:00 UTC the evening before.
TUESDAY_7_WIB = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
TUESDAY_7_WITA = datetime(2026, 11, 23, 23, 0, tzinfo=UTC)


def reminders_in(bot: Harness) -> list[str]:
    return [m.text for m in bot.fake.messages_to(ADMINS_CHAT["id"]) if "Selamat pagi" in m.text]


async def subscribe(bot: Harness, *args: str) -> TgUser:
    coordinator = await bot.join(bot.user("Kori", "Koordinator"), Role.COORDINATOR)
    await bot.send(coordinator.text(" ".join(["/pengingat", *args]), chat=ADMINS_CHAT))
    return coordinator


async def test_bogor_group_gets_the_pillar_at_7_wib_once(bot: Harness) -> None:
    await subscribe(bot)
    assert "07.00 WIB" in bot.fake.texts_to(ADMINS_CHAT["id"])[-1]
    await bot.tick()  # Monday 09:00: subscribed after 07:00, so the first reminder is tomorrow
    assert reminders_in(bot) == []
    bot.clock.now = TUESDAY_7_WIB
    bot.clock.advance(seconds=-1)
    await bot.tick()
    assert reminders_in(bot) == []
    bot.clock.advance(seconds=1)
    await bot.tick()
    await bot.tick()
    [reminder] = reminders_in(bot)
    assert "Selasa, 24 Nov 2026" in reminder and "Pilar hari ini: UMKM" in reminder
    assert "💡 Ide:" in reminder and "#UMKMBogor" in reminder
    assert "Kemarin belum ada laporan" in reminder
    sent = bot.fake.messages_to(ADMINS_CHAT["id"])[-1]
    assert sent.buttons == [("📝 Kirim laporan", "https://t.me/warta_test_bot?start=lapor")]


async def test_report_button_opens_the_report_flow(bot: Harness) -> None:
    operator = await bot.join(bot.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    await bot.send(operator.text("/start lapor"))
    assert "Pilar hari ini: *Informasi*" not in bot.last_to(operator).text
    assert "Pilar hari ini: Informasi" in bot.fake.texts_to(operator.id)[-1]
    await bot.send(operator.photo(jpeg(), caption=CAPTION))
    assert "Pratinjau" in bot.last_to(operator).text


async def test_yesterday_line_counts_reports_and_units(bot: Harness) -> None:
    editor = await bot.join(bot.user("Rina"), Role.EDITOR)
    await bot.newsroom(editor)
    for name, unit in [("Budi", "Kec. A"), ("Sari", "Kec. A"), ("Tono", "Kec. B")]:
        operator = await bot.join(bot.user(name), Role.OPERATOR, unit)
        await bot.send(operator.photo(jpeg(), caption=CAPTION))
        await bot.send(operator.tap_button(bot.last_to(operator), "Kirim"))
    await subscribe(bot)
    bot.clock.now = TUESDAY_7_WIB
    await bot.tick()
    [reminder] = reminders_in(bot)
    assert "Kemarin: 3 laporan dari 2 unit." in reminder


async def test_wajo_group_at_7_wita(fake: FakeTelegram, tmp_path: Path, database_url: str) -> None:
    settings = make_settings(
        tmp_path, database_url, timezone="Asia/Makassar", schedule="wajo", org_name="Wajo"
    )
    clock = Clock(datetime(2026, 11, 23, 6, 0, tzinfo=UTC))  # Monday 14:00 WITA
    bot = await Harness(fake, settings, clock).start()
    try:
        await subscribe(bot)
        assert "07.00 WITA" in fake.texts_to(ADMINS_CHAT["id"])[-1]
        clock.now = TUESDAY_7_WITA
        clock.advance(minutes=-1)
        await bot.tick()
        assert reminders_in(bot) == []
        clock.advance(minutes=1)
        await bot.tick()
        [reminder] = reminders_in(bot)
        assert "Fokus konten hari ini" in reminder and "Selasa, 24 Nov 2026" in reminder
    finally:
        await bot.stop()


async def test_same_day_never_twice_across_a_restart(bot: Harness) -> None:
    await subscribe(bot)
    bot.clock.now = TUESDAY_7_WIB
    await bot.tick()
    await bot.restart()
    await bot.tick()
    bot.clock.advance(hours=2)
    await bot.tick()
    assert len(reminders_in(bot)) == 1
    bot.clock.advance(days=1)  # Wednesday: the next one
    await bot.tick()
    assert len(reminders_in(bot)) == 2 and "Wisata" in reminders_in(bot)[-1]


async def test_two_processes_on_one_database_send_once(
    bot: Harness, fake: FakeTelegram, tmp_path: Path, database_url: str
) -> None:
    await subscribe(bot)
    other = await Harness(fake, make_settings(tmp_path, database_url), bot.clock).start()
    try:
        bot.clock.now = TUESDAY_7_WIB
        await asyncio.gather(bot.w.scheduler.tick(), other.w.scheduler.tick())
        await asyncio.gather(bot.w.outbox.drain(), other.w.outbox.drain())
        assert len(reminders_in(bot)) == 1
    finally:
        await other.stop()


async def test_catch_up_inside_grace_and_skip_outside(bot: Harness) -> None:
    await subscribe(bot)
    bot.clock.now = TUESDAY_7_WIB.replace(hour=2, minute=30)  # 09:30 WIB: down until now
    await bot.tick()
    assert len(reminders_in(bot)) == 1
    bot.clock.now = datetime(2026, 11, 25, 3, 1, tzinfo=UTC)  # Wednesday 10:01 WIB
    await bot.tick()
    assert len(reminders_in(bot)) == 1  # too late: skipped, and recorded as skipped
    async with bot.w.sessionmaker() as session:
        outcomes = dict(
            (
                await session.execute(
                    select(ScheduledSend.period, ScheduledSend.outcome).where(
                        ScheduledSend.kind == "reminder"
                    )
                )
            ).all()
        )
    assert outcomes["2026-11-25"] == "skipped" and outcomes["2026-11-24"] == "sent"


async def test_holiday_is_named_or_skipped(bot: Harness) -> None:
    await subscribe(bot)
    bot.clock.now = datetime(2026, 12, 25, 0, 0, tzinfo=UTC)  # Friday, Christmas, 07:00 WIB
    await bot.tick()
    [reminder] = reminders_in(bot)
    assert "Hari Raya Natal" in reminder and "Pemkot goes to school" not in reminder
    bot.clock.now = datetime(2026, 11, 29, 0, 0, tzinfo=UTC)  # a Sunday: Bogor has no pillar
    await bot.tick()
    assert len(reminders_in(bot)) == 1


async def test_wajo_skips_holidays(fake: FakeTelegram, tmp_path: Path, database_url: str) -> None:
    settings = make_settings(tmp_path, database_url, timezone="Asia/Makassar", schedule="wajo")
    bot = await Harness(fake, settings, Clock(datetime(2026, 12, 24, 6, tzinfo=UTC))).start()
    try:
        await subscribe(bot)
        bot.clock.now = datetime(2026, 12, 24, 23, 0, tzinfo=UTC)  # 25 Dec 07:00 WITA
        await bot.tick()
        assert reminders_in(bot) == []
    finally:
        await bot.stop()


async def test_custom_time_and_turning_off(bot: Harness) -> None:
    coordinator = await subscribe(bot, "06.30")
    assert "06.30 WIB" in bot.fake.texts_to(ADMINS_CHAT["id"])[-1]
    bot.clock.now = TUESDAY_7_WIB
    bot.clock.advance(minutes=-30)
    await bot.tick()
    assert len(reminders_in(bot)) == 1
    await bot.send(coordinator.text("/pengingat mati", chat=ADMINS_CHAT))
    assert "dimatikan" in bot.fake.texts_to(ADMINS_CHAT["id"])[-1]
    bot.clock.advance(days=1)
    await bot.tick()
    assert len(reminders_in(bot)) == 1


async def test_only_coordinators_subscribe_groups(bot: Harness) -> None:
    operator = await bot.join(bot.user("Budi"), Role.OPERATOR, "Kec. A")
    await bot.send(operator.text("/pengingat", chat=ADMINS_CHAT))
    assert "Hanya koordinator" in bot.fake.texts_to(ADMINS_CHAT["id"])[-1]
    async with bot.w.sessionmaker() as session:
        assert (await session.scalars(select(Subscription))).all() == []


async def test_kicked_from_the_group_ends_the_subscription(bot: Harness) -> None:
    coordinator = await subscribe(bot)
    await bot.send(coordinator.removes_bot(ADMINS_CHAT, bot.fake.bot_id))
    bot.clock.now = TUESDAY_7_WIB
    await bot.tick()
    assert reminders_in(bot) == []


async def test_forbidden_answer_ends_the_subscription(bot: Harness) -> None:
    await subscribe(bot)
    bot.fake.fail_next("sendMessage", 403, "Forbidden: bot was kicked from the supergroup chat")
    bot.clock.now = TUESDAY_7_WIB
    await bot.tick()
    async with bot.w.sessionmaker() as session:
        sub = await session.scalar(select(Subscription))
    assert sub is not None and not sub.active and "kicked" in (sub.ended_reason or "")
    bot.clock.advance(days=1)
    await bot.tick()
    assert reminders_in(bot) == []


async def test_429_is_waited_out_not_dropped(bot: Harness) -> None:
    await subscribe(bot)
    bot.fake.fail_next("sendMessage", 429, retry_after=7)
    bot.clock.now = TUESDAY_7_WIB
    await bot.tick()
    assert reminders_in(bot) == []
    bot.clock.advance(seconds=6)
    await bot.w.outbox.drain()
    assert reminders_in(bot) == []
    bot.clock.advance(seconds=2)
    await bot.tick()
    assert len(reminders_in(bot)) == 1


async def test_pilar_shows_today_and_the_week(bot: Harness) -> None:
    operator = await bot.join(bot.user("Budi"), Role.OPERATOR, "Kec. A")
    await bot.send(operator.text("/pilar"))
    text = bot.last_to(operator).text
    assert "Pilar hari ini: Informasi" in text
    assert "▶️ Senin 23 Nov · Informasi" in text and "Minggu 29 Nov · —" in text
    assert "Jumat 27 Nov · Pemkot goes to school" in text


async def test_broken_schedule_is_refused_and_the_old_one_stays(
    fake: FakeTelegram, tmp_path: Path, database_url: str, clock: Clock
) -> None:
    prompts = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", prompts)
    bot = Harness(fake, make_settings(tmp_path, database_url, prompts_dir=prompts), clock)
    await bot.start()
    try:
        coordinator = await bot.join(bot.user("Kori"), Role.COORDINATOR)
        schedule = prompts / "pillars" / "kota-bogor.toml"
        good = schedule.read_text()
        schedule.write_text(good.replace('days = ["selasa"]', 'days = ["selasaa"]'))
        await bot.send(coordinator.text("/jadwal"))
        answer = bot.last_to(coordinator).text
        assert "tidak dipakai" in answer and "baris" in answer and "'selasaa'" in answer
        await bot.tick()  # the scheduler sees the change too, and refuses it as well
        await bot.send(coordinator.text("/pilar"))
        assert "Selasa 24 Nov · UMKM" in bot.last_to(coordinator).text
        schedule.write_text(good.replace('name = "UMKM"', 'name = "UMKM Juara"'))
        await bot.send(coordinator.text("/jadwal"))
        assert "dimuat ulang" in bot.last_to(coordinator).text
        await bot.send(coordinator.text("/pilar"))
        assert "Selasa 24 Nov · UMKM Juara" in bot.last_to(coordinator).text
    finally:
        await bot.stop()


async def test_newsroom_chat_has_no_reminder_unless_subscribed(bot: Harness) -> None:
    editor = await bot.join(bot.user("Rina"), Role.EDITOR)
    await bot.newsroom(editor)
    bot.clock.now = TUESDAY_7_WIB
    await bot.tick()
    assert not [m for m in bot.fake.messages_to(NEWSROOM_CHAT["id"]) if "Selamat pagi" in m.text]


async def test_group_upgraded_to_supergroup_keeps_its_reminder(bot: Harness) -> None:
    await subscribe(bot)
    new_id = -1009990001111
    bot.fake.migrate(ADMINS_CHAT["id"], new_id)
    bot.clock.now = TUESDAY_7_WIB
    await bot.tick()
    await bot.w.outbox.drain()
    [reminder] = [m.text for m in bot.fake.messages_to(new_id)]
    assert "Selamat pagi" in reminder
    bot.clock.advance(days=1)
    await bot.tick()
    assert len(bot.fake.messages_to(new_id)) == 2


async def test_migration_notice_moves_the_newsroom(bot: Harness) -> None:
    editor = await bot.join(bot.user("Rina"), Role.EDITOR)
    await bot.newsroom(editor)
    operator = await bot.join(bot.user("Budi"), Role.OPERATOR, "Kec. A")
    new_id = -1009990002222
    notice = editor.text("x", chat=NEWSROOM_CHAT)
    notice["message"].pop("text")
    notice["message"].pop("entities", None)
    notice["message"]["migrate_to_chat_id"] = new_id
    await bot.send(notice)
    await bot.send(operator.photo(jpeg(), caption=CAPTION))
    await bot.send(operator.tap_button(bot.last_to(operator), "Kirim"))
    assert any("Laporan #2026-0001" in m.text for m in bot.fake.messages_to(new_id))


def test_wit_times_round_trip() -> None:
    from datetime import time
    from zoneinfo import ZoneInfo

    from handlers.clock import local_time, parse_local_time, utc_minute

    jayapura = ZoneInfo("Asia/Jayapura")
    assert utc_minute(time(7), jayapura) == 22 * 60
    assert local_time(22 * 60, jayapura) == time(7)
    assert parse_local_time("6.30") == time(6, 30) and parse_local_time("25.00") is None

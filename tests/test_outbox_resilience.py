"""Messages owed are not given up early, what is given up is listed, claims survive a kill."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.identity import acquire
from storage.models import OutboxMessage, Role
from tests.fake_telegram import FakeTelegram
from tests.harness import CAPTION, Clock, Harness, jpeg, make_settings
from tests.whatsapp_users import status

TUESDAY_9_WIB = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


@pytest.fixture
async def h(
    fake: FakeTelegram, tmp_path: Path, database_url: str, clock: Clock
) -> AsyncIterator[Harness]:
    """Warta whose data folder (heartbeat, worker slot) belongs to this test alone."""
    settings = make_settings(tmp_path, database_url, heartbeat_file=tmp_path / "data" / "beat")
    harness = await Harness(fake, settings, clock).start()
    try:
        yield harness
    finally:
        await harness.stop()


async def rows(h: Harness) -> list[OutboxMessage]:
    async with h.w.sessionmaker() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def pass_time(h: Harness, clock: Clock, *, hours: float, step: float = 20) -> None:
    """Let the outbox retry as often as it would in that much time."""
    for _ in range(int(hours * 3600 / step)):
        clock.advance(seconds=step)
        await h.w.outbox.drain()


async def test_three_hour_outage_then_recovery_delivers_everything(
    h: Harness, clock: Clock
) -> None:
    random.seed(10)  # the backoff's jitter
    editor = await h.join(h.user("Rina"), Role.EDITOR)
    await h.newsroom(editor)
    operator = await h.join(h.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    await h.send(operator.photo(jpeg(), caption=CAPTION))
    preview = h.last_to(operator)
    h.fake.go_down()
    await h.send(operator.tap_button(preview, "Kirim"))
    await h.send(operator.text("/status"))
    await pass_time(h, clock, hours=3)
    assert not [m for m in h.newsroom_messages() if "Laporan #" in m.text]
    h.fake.come_back()
    clock.advance(minutes=12)
    await h.w.outbox.drain()
    assert "Laporan #2026-0001" in h.card().text
    assert "#2026-0001" in h.fake.texts_to(operator.id)[-2]  # told it went in, then /status
    assert all(r.status == "sent" for r in await rows(h))


async def test_given_up_only_when_older_than_the_setting(h: Harness, clock: Clock) -> None:
    operator = await h.join(h.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    h.fake.go_down()
    await h.send(operator.text("/status"))
    clock.advance(hours=35)
    await h.w.outbox.drain()
    assert (await rows(h))[-1].status == "pending"
    clock.advance(hours=2)  # 37 h old: WARTA_OUTBOX_GIVE_UP_HOURS is 36
    await h.w.outbox.drain()
    given_up = (await rows(h))[-1]
    assert (given_up.status, given_up.failure) == ("failed", "expired")
    assert given_up.failed_at == clock()


async def test_429_retry_after_is_not_an_attempt(h: Harness, clock: Clock) -> None:
    operator = await h.join(h.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    before = len(h.fake.messages_to(operator.id))
    h.fake.fail_next("sendMessage", 429, retry_after=1, times=20)
    await h.send(operator.text("/status"))  # the first 429
    for _ in range(19):
        clock.advance(seconds=2)
        await h.w.outbox.drain()
    assert (await rows(h))[-1].attempts == 0
    h.fake.fail_next("sendMessage", 502)
    clock.advance(seconds=2)
    await h.w.outbox.drain()
    clock.advance(seconds=3)  # the first real failure backs off a second or two, not 10 min
    await h.w.outbox.drain()
    assert len(h.fake.messages_to(operator.id)) == before + 1


async def test_undeliverable_messages_are_listed_to_coordinators_once_a_day(
    h: Harness, clock: Clock
) -> None:
    coordinator = await h.join(h.user("Kori", "Kabid"), Role.COORDINATOR)
    operator = await h.join(h.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    h.fake.fail_next("sendMessage", 403, times=2)  # Budi blocked the bot
    await h.send(operator.text("/status"))
    await h.send(operator.text("/bantuan"))
    await h.tick()
    assert not [t for t in h.fake.texts_to(coordinator.id) if "tidak sampai" in t]
    clock.now = TUESDAY_9_WIB
    await h.tick()
    await h.tick()
    lists = [t for t in h.fake.texts_to(coordinator.id) if "tidak sampai" in t]
    assert len(lists) == 1
    assert "2 pesan tidak sampai" in lists[0]
    assert "Budi (Telegram): 2 pesan — bot diblokir" in lists[0]
    clock.advance(days=1)  # nothing new failed: no list
    await h.tick()
    assert len([t for t in h.fake.texts_to(coordinator.id) if "tidak sampai" in t]) == 1


async def test_a_given_up_card_is_listed_with_the_newsroom_title(h: Harness, clock: Clock) -> None:
    coordinator = await h.join(h.user("Kori"), Role.COORDINATOR)
    editor = await h.join(h.user("Rina"), Role.EDITOR)
    await h.newsroom(editor)
    operator = await h.join(h.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    await h.send(operator.photo(jpeg(), caption=CAPTION))
    h.fake.fail_next("sendPhoto", 502, times=1000)  # the card's photo cannot go for days
    await h.send(operator.tap_button(h.last_to(operator), "Kirim"))
    clock.advance(hours=37)
    await h.w.outbox.drain()
    clock.now = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # Wednesday 09:00 WIB
    await h.tick()
    listed = [t for t in h.fake.texts_to(coordinator.id) if "tidak sampai" in t][-1]
    assert "• Redaksi" in listed  # the newsroom by its title
    assert "(Telegram): 1 pesan — Telegram terus gagal dihubungi" in listed


async def test_a_restart_takes_back_its_own_claims_at_once(h: Harness, clock: Clock) -> None:
    operator = await h.join(h.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    before = len(h.fake.messages_to(operator.id))
    await h.send(operator.text("/status"), deliver=False)
    await claim_last(h, by=h.w.worker.name, until=clock() + timedelta(minutes=10))  # then killed
    await h.restart()
    await h.w.outbox.drain()
    assert len(h.fake.messages_to(operator.id)) == before + 1


async def test_another_process_claim_is_respected_until_its_lease_ends(
    h: Harness, clock: Clock
) -> None:
    operator = await h.join(h.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    before = len(h.fake.messages_to(operator.id))
    await h.send(operator.text("/status"), deliver=False)
    await claim_last(h, by="elsewhere/1234abcd/1", until=clock() + timedelta(seconds=30))
    await h.restart()
    await h.w.outbox.drain()
    assert len(h.fake.messages_to(operator.id)) == before
    clock.advance(seconds=31)
    await h.w.outbox.drain()
    assert len(h.fake.messages_to(operator.id)) == before + 1


async def claim_last(h: Harness, *, by: str, until: datetime) -> None:
    async with h.w.sessionmaker() as session, session.begin():
        last = (await rows(h))[-1]
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == last.id)
            .values(claimed_by=by, claimed_until=until)
        )


def test_worker_identity_is_stable_across_restarts_and_unique_side_by_side(
    tmp_path: Path,
) -> None:
    first = acquire(tmp_path)
    second = acquire(tmp_path)
    assert first.name != second.name
    name = first.name
    first.release()  # the process ends (or is killed: the kernel drops its lock)
    again = acquire(tmp_path)
    assert again.name == name
    assert acquire(tmp_path, "warta-a").name == "warta-a"
    again.release()
    second.release()


class SlowTelegram(FakeTelegram):
    """A send that takes longer than the outbox's lease (a slow upload)."""

    async def _m_sendmessage(self, p: dict[str, Any], f: dict[str, bytes]) -> dict[str, Any]:
        await asyncio.sleep(2.0)
        return super()._m_sendmessage(p, f)


async def test_a_long_send_keeps_its_lease(tmp_path: Path, database_url: str) -> None:
    """The lease is short (a killed process's messages wait little), so it is renewed while a
    send is in flight: a second process never sends the same message meanwhile."""
    from bot.outbox_worker import OutboxWorker
    from storage.models import utcnow
    from storage.outbox import Outbox

    fake = SlowTelegram()
    settings = make_settings(tmp_path, database_url, heartbeat_file=tmp_path / "data" / "beat")
    h = await Harness(fake, settings, Clock(utcnow())).start()
    try:
        user = await h.join(h.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
        before = len(fake.messages_to(user.id))
        lease = timedelta(seconds=0.6)

        def worker(name: str) -> OutboxWorker:
            return OutboxWorker(
                h.w.sessionmaker, h.w.messengers, lease=lease, worker=name, clock=utcnow
            )

        first, second = worker("one"), worker("two")
        async with h.w.sessionmaker() as session, session.begin():
            Outbox(session).enqueue(
                "telegram",
                str(user.id),
                {"type": "text", "lines": [{"key": "raw", "params": {"text": "halo"}}]},
                now=utcnow(),
            )
        running = asyncio.create_task(first.run())
        await asyncio.sleep(0.3)  # the first has claimed it and is sending
        for _ in range(12):  # 2.4 s: four leases long
            await second.drain()
            await asyncio.sleep(0.2)
        first.stop()
        await running
        assert fake.texts_to(user.id)[before:] == ["halo"]
    finally:
        await h.stop()


async def test_a_repeated_failed_status_sends_the_template_once(both: Harness) -> None:
    operator = await both.wa_join(both.wa_user("Budi"), Role.OPERATOR, "Kecamatan Cibinong")
    await both.wa_post(operator.text("/status"))
    answer = operator.last()
    await both.wa_post(status(answer, "failed", error_code=131047))
    await both.wa_post(status(answer, "failed", error_code=131047))  # Meta says it again
    templates = [m for m in operator.sent() if m.type == "template"]
    assert len(templates) == 1 and "Belum ada laporan" in templates[0].text

"""Every background loop outlives its database failing and resumes by itself; /health and the
heartbeat say so meanwhile. The loops under test are the real ones, running on real time."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot import cli
from storage.models import Role
from storage.webhooks import Webhooks
from tests.fake_telegram import FakeTelegram
from tests.fake_whatsapp import FakeGraph
from tests.harness import Clock, Harness, make_settings, whatsapp_settings
from tests.whatsapp_users import encode


class DatabaseOutage:
    """The real database becomes unreachable until end(): new connections fail (a path that
    cannot be opened, a closed port), and open ones are cut (PostgreSQL: pg_terminate_backend;
    SQLite, a local file, cannot be cut from outside: the pool finds its connections dead)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine, self.down = engine, False
        event.listen(engine.sync_engine, "do_connect", self._redirect)
        event.listen(engine.sync_engine.pool, "checkout", self._dead)

    def _redirect(self, dialect: Any, _record: Any, cargs: list[Any], cparams: dict) -> None:
        if not self.down:
            return
        if dialect.name == "sqlite":
            cargs[0] = "/nonexistent-warta-outage/warta.db"
        else:
            cparams["port"] = 1

    def _dead(self, _dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        if self.down:  # the pool drops the connection and opens another (which fails)
            raise DisconnectionError("the database went away")

    async def begin(self) -> None:
        self.down = True
        if self.engine.dialect.name == "postgresql":
            killer = create_async_engine(self.engine.url)
            async with killer.connect() as conn:
                await conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
            await killer.dispose()

    def end(self) -> None:
        self.down = False


async def until(check: Callable[[], Any], what: str, limit: float = 20) -> Any:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def data_settings(tmp_path: Path, database_url: str, **more: Any) -> Any:
    return make_settings(tmp_path, database_url, heartbeat_file=tmp_path / "data" / "beat", **more)


@pytest.fixture
async def h(
    fake: FakeTelegram, tmp_path: Path, database_url: str, clock: Clock
) -> AsyncIterator[Harness]:
    harness = await Harness(fake, data_settings(tmp_path, database_url), clock).start()
    try:
        yield harness
    finally:
        await harness.stop()


@pytest.fixture
async def wa(
    fake: FakeTelegram, graph: FakeGraph, tmp_path: Path, database_url: str, clock: Clock
) -> AsyncIterator[Harness]:
    settings = data_settings(tmp_path, database_url, **whatsapp_settings(graph))
    harness = await Harness(fake, settings, clock, graph).start()
    try:
        yield harness
    finally:
        await harness.stop()


class Running:
    """A loop of the harness's Warta, started as `warta run` starts it, stopped at the end."""

    def __init__(self, run: Any, stop: Callable[[], None]) -> None:
        self.task, self.stop = asyncio.create_task(run()), stop

    async def end(self) -> None:
        assert not self.task.done(), "the loop ended by itself"
        self.stop()
        await asyncio.wait_for(self.task, 30)


async def test_outbox_loop_outlives_a_database_outage(h: Harness) -> None:
    operator = await h.join(h.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    outage = DatabaseOutage(h.w.db)
    loop = Running(h.w.outbox.run, h.w.outbox.stop)
    await outage.begin()
    h.w.outbox.wake()
    await until(h.w.outbox.pulse.problem, "a failing outbox pass")
    await asyncio.sleep(7)  # longer than the outage that used to end the loop for good
    outage.end()
    await h.send(operator.text("/status"), deliver=False)  # wakes the worker, as handlers do
    await until(lambda: "Belum ada laporan" in h.last_to(operator).text, "the answer")
    await until(lambda: h.w.outbox.pulse.problem() is None, "passes that work again")
    await loop.end()


class CutAfterSend(FakeTelegram):
    """Telegram takes the message, then the database goes away before it is written down."""

    outage: DatabaseOutage | None = None

    async def _m_sendmessage(self, p: dict[str, Any], f: dict[str, bytes]) -> dict[str, Any]:
        result = super()._m_sendmessage(p, f)
        if self.outage is not None and "Belum ada laporan" in result.get("text", ""):
            await self.outage.begin()
            asyncio.get_running_loop().call_later(1.5, self.outage.end)
        return result


async def test_a_send_recorded_while_the_database_is_down_is_recorded_later(
    tmp_path: Path, database_url: str, clock: Clock
) -> None:
    fake = CutAfterSend()
    h = await Harness(fake, data_settings(tmp_path, database_url), clock).start()
    try:
        operator = await h.join(h.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
        fake.outage = DatabaseOutage(h.w.db)
        before = len(fake.texts_to(operator.id))
        await h.send(operator.text("/status"), deliver=False)
        await h.send(operator.text("/jadwal"), deliver=False)  # waits behind it: same chat
        loop = Running(h.w.outbox.run, h.w.outbox.stop)
        await until(lambda: len(fake.texts_to(operator.id)) >= before + 2, "the second message")
        await asyncio.sleep(1)
        texts = fake.texts_to(operator.id)[before:]
        assert len(texts) == 2 and "Belum ada laporan" in texts[0]  # recorded: sent once
        await loop.end()
    finally:
        await h.stop()


async def test_scheduler_loop_outlives_a_database_outage(h: Harness) -> None:
    h.w.scheduler.interval = 0.2
    outage = DatabaseOutage(h.w.db)
    loop = Running(h.w.scheduler.run, h.w.scheduler.stop)
    await outage.begin()
    await until(h.w.scheduler.pulse.problem, "a failing tick")
    outage.end()
    await until(lambda: h.w.scheduler.pulse.problem() is None, "a tick that works again")
    await loop.end()


async def test_webhook_backlog_is_swept_while_running(wa: Harness) -> None:
    """A body stored but not processed (its processing met the database down, or a process
    died) is processed by the regular sweep, without a restart."""
    operator = await wa.wa_join(wa.wa_user("Budi"), Role.OPERATOR, "Kecamatan B")
    async with wa.w.sessionmaker() as session, session.begin():
        await Webhooks(session).store("whatsapp", encode(operator.text("/status")), wa.clock())
    wa.w.sweep_every = 0.2
    outage = DatabaseOutage(wa.w.db)
    await outage.begin()
    loop = Running(wa.w._sweep_webhooks, wa.w._sweep_stop.set)
    await until(wa.w.sweep_pulse.problem, "a failing sweep")
    outage.end()
    wa.clock.advance(seconds=61)  # the receiver's own turn is over
    await until(lambda: wa.w.sweep_pulse.problem() is None, "a sweep that works")
    await wa.w.outbox.drain()
    assert "Belum ada laporan" in operator.last().text
    await loop.end()


async def get_health(h: Harness) -> httpx.Response:
    transport = httpx.ASGITransport(app=h.w.web.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://warta") as client:
        return await client.get("/health")


async def test_health_is_503_while_the_database_is_down(h: Harness) -> None:
    assert (await get_health(h)).json() == {"ok": True}
    outage = DatabaseOutage(h.w.db)
    await outage.begin()
    down = await get_health(h)
    assert down.status_code == 503
    assert any(p.startswith("database") for p in down.json()["problems"])
    outage.end()
    up = await get_health(h)
    assert (up.status_code, up.json()) == (200, {"ok": True})


async def test_health_is_503_while_the_media_folder_cannot_be_written(h: Harness) -> None:
    media = h.settings.media_dir
    media.mkdir(parents=True, exist_ok=True)
    media.rename(media.with_name("media-away"))
    media.write_bytes(b"")  # where the folder was, a file: nothing can be written under it
    try:
        down = await get_health(h)
        assert down.status_code == 503 and str(media) in down.json()["problems"][0]
    finally:
        media.unlink()
        media.with_name("media-away").rename(media)
    assert (await get_health(h)).status_code == 200


async def test_health_is_503_when_the_disk_is_nearly_full(
    fake: FakeTelegram, tmp_path: Path, database_url: str, clock: Clock
) -> None:
    free_mb = os.statvfs(tmp_path).f_bavail * os.statvfs(tmp_path).f_frsize // 1_048_576
    settings = data_settings(tmp_path, database_url, min_free_disk_mb=free_mb + 10_000)
    h = await Harness(fake, settings, clock).start()
    try:
        down = await get_health(h)
        assert down.status_code == 503 and "disk nearly full" in down.json()["problems"][0]
    finally:
        await h.stop()


async def test_heartbeat_stops_while_the_outbox_cannot_work(h: Harness) -> None:
    beat = h.settings.heartbeat_file
    outage = DatabaseOutage(h.w.db)
    await outage.begin()
    loop = Running(h.w.outbox.run, h.w.outbox.stop)
    await until(h.w.outbox.pulse.problem, "a failing outbox pass")
    await asyncio.sleep(1.5)
    assert not beat.exists()
    assert await cli.health(h.settings, None) == 1  # type: ignore[arg-type]
    outage.end()
    h.w.outbox.wake()
    await until(beat.exists, "a heartbeat after a pass that worked")
    assert await cli.health(h.settings, None) == 0  # type: ignore[arg-type]
    await loop.end()

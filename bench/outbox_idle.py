"""CPU of the outbox worker while it drains a newsroom backlog at the group's pace.

N messages are queued to one group; the Telegram messenger paces a group to R a minute (the
fake, tests/fake_telegram.py RateLimitedTelegram, enforces the same and answers 429 above it),
so the worker spends the drain waiting: the chat's head is claimed and sleeping in the rate
limiter while the rest of the chat is due. Printed per worker: wall time of the drain, CPU
seconds of this process (worker, SQLite thread and the in-process fake) as a share of one
core, the SQL statements the worker ran, and the 429s. The same-run baseline is the earlier
rule (look again every 50 ms while any pending message is due), as a subclass here.

    python -m bench.outbox_idle [--messages 30] [--per-minute 60] [--database-url URL (wiped)]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event, func, select

from bot.app import Warta
from bot.outbox_worker import OutboxWorker
from bot.settings import Settings
from handlers.messages import Text, raw, to_payload
from storage.models import OutboxMessage, utcnow
from storage.outbox import PENDING, Outbox
from tests.databases import fresh_database
from tests.fake_telegram import RateLimitedTelegram

TOKEN = "123456:BENCH-TOKEN"
GROUP = -1_003_000_000_000


class PollingWorker(OutboxWorker):
    """The rule before issue 13: the earliest due pending message, claimed head or not."""

    async def _idle_time(self) -> float:
        async with self.sessionmaker() as session:
            due = await session.scalar(
                select(func.min(OutboxMessage.next_attempt_at)).where(
                    OutboxMessage.status == PENDING
                )
            )
        if due is None:
            return 5.0
        return min(5.0, max(0.05, (due - self.clock()).total_seconds()))


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def drain(
    worker_class: type[OutboxWorker], n: int, per_minute: int, url: str | None
) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="warta-outbox-"))
    fake = RateLimitedTelegram(token=TOKEN, per_group=per_minute)
    settings = Settings(
        _env_file=None,
        telegram_token=TOKEN,
        telegram_api_url="http://fake-telegram",
        database_url=await fresh_database(url, folder),
        media_dir=folder / "media",
        heartbeat_file=folder / "heartbeat",
        telegram_group_rate=per_minute,
    )
    warta = Warta(settings, httpx_kwargs={"transport": httpx.ASGITransport(app=fake.app)})
    await warta.start(background=False)
    statements = 0

    def count(*_args: Any) -> None:
        nonlocal statements
        statements += 1

    try:
        async with warta.sessionmaker() as session, session.begin():
            outbox = Outbox(session)
            for i in range(n):
                text = Text([raw(f"Laporan #{i + 1}")])
                outbox.enqueue("telegram", str(GROUP), to_payload(text), now=utcnow())
        old = warta.outbox
        worker = worker_class(
            warta.sessionmaker, warta.messengers, worker=old.worker, heartbeat=old.heartbeat
        )
        event.listen(warta.db.sync_engine, "before_cursor_execute", count)
        began, cpu = time.perf_counter(), cpu_seconds()
        task = asyncio.create_task(worker.run())
        await fake.wait_for(lambda: len(fake.messages_to(GROUP)) >= n, limit=60 * n)
        wall, used = time.perf_counter() - began, cpu_seconds() - cpu
        worker.stop()
        await task
        event.remove(warta.db.sync_engine, "before_cursor_execute", count)
    finally:
        await warta.stop()
    return {"wall": wall, "cpu": used, "statements": statements, "refused": fake.refused}


def line(name: str, r: dict[str, Any]) -> str:
    share = 100 * r["cpu"] / r["wall"]
    return (
        f"{name:<34} drain {r['wall']:6.1f} s   CPU {r['cpu']:6.2f} s = {share:5.1f} % of a core"
        f"   {r['statements']:6d} SQL statements   429s {r['refused']}"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=30)
    parser.add_argument("--per-minute", type=int, default=60)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    n, rate = args.messages, args.per_minute
    floor = (n - 1) * 60 / rate
    polling = await drain(PollingWorker, n, rate, args.database_url)
    ours = await drain(OutboxWorker, n, rate, args.database_url)
    print(
        f"{n} messages to one group at {rate}/min (floor {floor:.1f} s); database: "
        f"{args.database_url or 'SQLite file'}; load {os.getloadavg()[0]:.2f}"
    )
    print(line("earlier rule (50 ms while any due)", polling))
    print(line("Warta (next unclaimed head)", ours))
    print(f"ratio Warta/earlier rule CPU: {ours['cpu'] / polling['cpu']:.3f}")


if __name__ == "__main__":
    asyncio.run(main())

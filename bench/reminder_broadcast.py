"""The morning reminder to N groups through a fake Bot API that enforces Telegram's flood limits.

The fake (tests/fake_telegram.py RateLimitedTelegram) answers 429 with retry_after as soon as a
bot sends more than 30 messages in any second, or more than 20 in a minute into one group. The
floor is what those limits allow: N / 30 seconds. Printed: Warta's time from the scheduler tick
to the last reminder delivered, the floor, their ratio, and the 429s Warta caused (target: 0).
In the same run, a bare python-telegram-bot loop with PTB's AIORateLimiter at its defaults sends
the same N messages, as the framework's own reference.

    python -m bench.reminder_broadcast [--groups 1000] [--database-url URL (wiped)]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

from bot.app import Warta
from bot.settings import Settings
from storage.models import Subscription
from storage.people import People
from tests.databases import fresh_database
from tests.fake_telegram import RateLimitedTelegram

TOKEN = "123456:BENCH-TOKEN"
TUESDAY_7_WIB = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
FIRST_GROUP = -1_002_000_000_000


def group_ids(n: int) -> list[int]:
    return [FIRST_GROUP - i for i in range(n)]


def real_time_clock(start: datetime):
    """The scheduled day, moving at wall-clock speed so retry_after waits really pass."""
    origin = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - origin)


async def seed(warta: Warta, n: int) -> None:
    async with warta.sessionmaker() as session, session.begin():
        org = await People(session).default_org(name="Bench", timezone="Asia/Jakarta")
        session.add_all(
            Subscription(
                org_id=org.id, channel="telegram", chat_id=str(g), title=f"Grup {i}", utc_minute=0
            )
            for i, g in enumerate(group_ids(n))
        )


def reminders_sent(fake: RateLimitedTelegram) -> int:
    return sum(1 for m in fake.sent if m.chat_id <= FIRST_GROUP and "Selamat pagi" in m.text)


async def run_warta(n: int, database_url: str | None, folder: Path) -> dict[str, float]:
    fake = RateLimitedTelegram(token=TOKEN)
    settings = Settings(
        _env_file=None,
        telegram_token=TOKEN,
        telegram_api_url="http://fake-telegram",
        database_url=await fresh_database(database_url, folder),
        media_dir=folder / "media",
        heartbeat_file=folder / "heartbeat",
    )
    transport = httpx.ASGITransport(app=fake.app)
    warta = Warta(
        settings, httpx_kwargs={"transport": transport}, clock=real_time_clock(TUESDAY_7_WIB)
    )
    await warta.start(background=False)
    try:
        await seed(warta, n)
        started = time.perf_counter()
        await warta.scheduler.tick()
        queued = time.perf_counter() - started
        worker = asyncio.create_task(warta.outbox.run())
        await fake.wait_for(lambda: reminders_sent(fake) >= n, limit=n)
        elapsed = time.perf_counter() - started
        warta.outbox.stop()
        await worker
    finally:
        await warta.stop()
    return {"seconds": elapsed, "queued": queued, "refused": fake.refused}


async def run_bare_ptb(n: int) -> dict[str, float]:
    """PTB alone: one send_message per group through AIORateLimiter's defaults."""
    fake = RateLimitedTelegram(token=TOKEN)
    request = HTTPXRequest(
        connection_pool_size=16, httpx_kwargs={"transport": httpx.ASGITransport(app=fake.app)}
    )
    bot = ExtBot(
        TOKEN,
        base_url="http://fake-telegram/bot",
        request=request,
        rate_limiter=AIORateLimiter(max_retries=0),
    )
    await bot.initialize()
    failures = 0
    semaphore = asyncio.Semaphore(16)

    async def send(chat: int) -> None:
        nonlocal failures
        async with semaphore:
            while True:
                try:
                    await bot.send_message(chat, "Selamat pagi")
                    return
                except RetryAfter as exc:
                    failures += 1
                    await asyncio.sleep(_seconds(exc.retry_after))

    started = time.perf_counter()
    await asyncio.gather(*(send(g) for g in group_ids(n)))
    elapsed = time.perf_counter() - started
    await bot.shutdown()
    return {"seconds": elapsed, "refused": fake.refused}


def _seconds(value: object) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)  # type: ignore[arg-type]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument("--database-url")
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()
    n = args.groups
    floor = n / 30
    with tempfile.TemporaryDirectory() as tmp:
        warta = await run_warta(n, args.database_url, Path(tmp))
    print(f"groups: {n}, floor at 30 messages/s: {floor:.1f} s")
    print(
        f"Warta:    {warta['seconds']:.1f} s (scheduler tick queued all in {warta['queued']:.2f} s)"
        f", floor/time {floor / warta['seconds']:.2f}, 429s {int(warta['refused'])}"
    )
    if not args.skip_baseline:
        bare = await run_bare_ptb(n)
        print(
            f"bare PTB: {bare['seconds']:.1f} s, floor/time {floor / bare['seconds']:.2f}, "
            f"429s {int(bare['refused'])}"
        )
        print(f"ratio Warta/bare PTB time: {warta['seconds'] / bare['seconds']:.2f}")


if __name__ == "__main__":
    asyncio.run(main())

"""The morning after the reminder: N operators each send a 3-photo report within a minute, and
the cards reach one newsroom group through a fake Bot API that enforces Telegram's limits.

The fake (tests/fake_telegram.py RateLimitedTelegram) answers 429 as soon as the bot sends more
than 30 messages in any second or more than 20 in a minute into one group, counting each photo
of an album. The group limit is the ceiling that matters: the floor for one message per report
is (N - 1) x 60/20 s after the first card. Run in the same process: today's album + card
path (newsroom_photos="album", 4 messages a report here) and the contact-sheet card (one).
Printed per path: time until the last card, p50/p95 of Kirim -> card, messages into the
group, 429s, and the `ratio` of the last card to the floor (aim for the sheet: <= 1.1, and 0 429s).

--speed K multiplies both the fake's limits and Warta's pacing by K (same shape, K times
shorter): 50 reports at --speed 1 take about 2.5 min for the sheet and 10 min for albums.

    python -m bench.newsroom_burst [--operators 50] [--window 60] [--speed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.report_throughput import CAPTION, photo_bytes, seed
from bot.app import Warta
from bot.settings import Settings
from tests.databases import fresh_database
from tests.fake_telegram import RateLimitedTelegram
from tests.telegram_users import NEWSROOM_ID, TgUser

PHOTOS = 3


def cards_in(fake: RateLimitedTelegram) -> dict[str, float]:
    """Report number -> when its card arrived in the newsroom."""
    found = {}
    for sent in fake.messages_to(NEWSROOM_ID):
        if "📝 Laporan #" in sent.text:
            found[sent.text.split("Laporan #")[1].split()[0]] = sent.at
    return found


async def run(
    mode: str, n: int, window: float, speed: float, photos: list[bytes]
) -> dict[str, Any]:
    fake = RateLimitedTelegram(
        overall=round(30 * speed), per_group=round(20 * speed), token="123456:BENCH"
    )
    tmp = Path(tempfile.mkdtemp(prefix="warta-burst-"))
    settings = Settings(
        _env_file=None,
        telegram_token=fake.token,
        telegram_api_url="http://fake",
        database_url=await fresh_database(None, tmp),
        media_dir=tmp / "media",
        heartbeat_file=tmp / "hb",
        album_wait_seconds=0.3,
        telegram_group_rate=round(20 * speed),
        telegram_overall_rate=round(30 * speed),
        newsroom_photos=mode,
    )
    warta = Warta(settings, httpx_kwargs={"transport": httpx.ASGITransport(app=fake.app)})
    await warta.start()
    user_ids = await seed(warta, n)
    tapped: dict[int, float] = {}
    numbers: dict[int, str] = {}
    rng = random.Random(7)

    async def operator(uid: int) -> None:
        await asyncio.sleep(rng.uniform(0, window))  # the minute after the reminder
        user = TgUser(fake, uid, f"Op{uid}")
        fake.known_chats.add(uid)
        for i in range(PHOTOS):
            content = user.photo(
                photos[(uid + i) % len(photos)],
                media_group_id=f"g{uid}",
                caption=CAPTION if i == 0 else None,
            )
            await warta.process(fake.push(content))
        preview = await fake.wait_for(
            lambda: next(
                (m for m in fake.messages_to(uid) if f"Foto: {PHOTOS}" in m.text and m.buttons),
                None,
            ),
            120,
        )
        tapped[uid] = time.perf_counter()
        await warta.process(fake.push(user.tap_button(preview, "Kirim")))
        await fake.wait_for(lambda: "terkirim ke redaksi" in preview.text, 120)
        numbers[uid] = preview.text.split("Laporan #")[1].split(" ")[0]

    await asyncio.gather(*(operator(uid) for uid in user_ids))
    bound = n * 60 / (20 * speed) * 6 + 120  # generous: albums take 4x the floor
    await fake.wait_for(lambda: len(cards_in(fake)) >= n, bound)
    cards = cards_in(fake)
    latencies = sorted(cards[numbers[uid]] - tapped[uid] for uid in user_ids)
    into_group = sum(
        len(c.params["media"].split('"type"')) - 1 if c.method == "sendMediaGroup" else 1
        for c in fake.calls
        if c.method.startswith("send") and str(c.params.get("chat_id")) == str(NEWSROOM_ID)
    )
    await warta.stop()
    return {
        # From the first Kirim: before it the group has nothing to carry.
        "last": max(cards.values()) - min(tapped.values()),
        "p50": statistics.median(latencies),
        "p95": latencies[int(0.95 * (len(latencies) - 1))],
        "messages": into_group,
        "refused": fake.refused,
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--operators", type=int, default=50)
    parser.add_argument("--window", type=float, default=60.0)
    parser.add_argument("--speed", type=float, default=1.0)
    args = parser.parse_args()
    n, speed = args.operators, args.speed
    photos = [photo_bytes(i) for i in range(8)]
    # One message per report at the group limit, the first at once: (n - 1) gaps.
    floor = (n - 1) * 60 / (20 * speed)
    print(f"{n} operators x {PHOTOS} photos within {args.window:.0f} s, limits x{speed:g}")
    print(f"floor (one message a report at 20/min x{speed:g}, from the first): {floor:.1f} s")
    results = {}
    for mode in ("album", "sheet"):
        r = await run(mode, n, args.window / speed, speed, photos)
        results[mode] = r
        print(
            f"{mode:5}: last card {r['last']:.1f} s, Kirim->card p50 {r['p50']:.1f} s"
            f" p95 {r['p95']:.1f} s, {r['messages']} messages into the group"
            f" ({r['messages'] / n:.1f} a report), 429s {r['refused']}"
        )
    print(f"ratio sheet_last/floor {results['sheet']['last'] / floor:.3f}")
    print(f"ratio album_last/sheet_last {results['album']['last'] / results['sheet']['last']:.2f}")


if __name__ == "__main__":
    asyncio.run(main())

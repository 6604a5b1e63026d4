"""Reports per second and report-to-card latency, against a bare PTB echo bot (the ceiling).

N operators each send a 3-photo album with a caption and tap Kirim. Both bots run in this
process against the same fake Bot API (tests/fake_telegram.py) through httpx's ASGI transport,
so the fake's own cost is in both figures and the ratio compares the bots.

    python -m bench.report_throughput [--operators 200] [--database-url URL (wiped)]
        [--rounds 3] [--trace]

The two bots run in turns, --rounds times each; the ratio is of the medians (the echo's run is
short, so a busy moment of the machine moves it most).

--trace prints every SQL statement in order (use it with --operators 1 to read one report).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from PIL import Image
from sqlalchemy import event
from telegram import Update
from telegram.ext import ApplicationBuilder, TypeHandler
from telegram.request import HTTPXRequest

from bot.app import Warta
from bot.settings import Settings
from storage.chats import NEWSROOM, Chats
from storage.models import Role
from storage.people import People
from tests.databases import fresh_database
from tests.fake_telegram import FakeTelegram, Sent
from tests.telegram_users import NEWSROOM_ID, TgUser

# Waits are for completion, bounded generously: a loaded machine (PostgreSQL beside the bench
# on two cores) is slow, not broken; the run prints how long it took.
WAIT = 1800.0
APOLOGY = "Maaf, ada gangguan"  # error.internal: an update that failed
CAPTION = "Kerja bakti membersihkan saluran air di Kelurahan Cibuluh bersama warga RW 05."


def photo_bytes(seed: int) -> bytes:
    image = Image.linear_gradient("L").resize((1280, 960)).convert("RGB")
    image = Image.blend(image, Image.new("RGB", image.size, (seed % 255, 80, 160)), 0.4)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def statement_kind(statement: str) -> str:
    """'INSERT outbox', 'SELECT members', 'BEGIN'…: the verb and the first table named."""
    words = statement.replace("\n", " ").replace('"', "").split()
    if not words:
        return "?"
    verb = words[0].upper()
    after = {"INSERT": "INTO", "UPDATE": "UPDATE", "DELETE": "FROM", "SELECT": "FROM"}.get(verb)
    upper = [w.upper() for w in words]
    if after and after in upper:
        at = upper.index(after) + 1
        if at < len(words):
            return f"{verb} {words[at].split('(')[0]}"
    return verb


def album(fake: FakeTelegram, user: TgUser, photos: list[bytes]) -> list[dict[str, Any]]:
    """A 3-photo album with its caption on the first: three updates, which Telegram delivers
    in one batch and both bots handle concurrently (PTB's concurrent_updates)."""
    return [
        fake.push(
            user.photo(
                photos[(user.id + i) % len(photos)],
                media_group_id=f"g{user.id}",
                caption=CAPTION if i == 0 else None,
            )
        )
        for i in range(3)
    ]


def first_after(fake: FakeTelegram, chat_id: int, start: int, needle: str) -> Sent | None:
    for sent in fake.sent[start:]:
        if sent.chat_id == chat_id and needle in sent.text:
            return sent
    return None


async def seed(warta: Warta, n: int) -> list[int]:
    async with warta.sessionmaker() as session, session.begin():
        people = People(session)
        org = await people.default_org(name="Bench", timezone="Asia/Jakarta")
        ids = []
        editor = await people.add_member(
            org.id,
            role=Role.EDITOR,
            name="Editor",
            unit_id=None,
            channel="telegram",
            address="1",
            chat_id="1",
        )
        await Chats(session).bind(
            org.id,
            purpose=NEWSROOM,
            channel="telegram",
            chat_id=str(NEWSROOM_ID),
            title="Redaksi",
            member_id=editor.id,
        )
        for i in range(n):
            unit = await people.add_unit(org, name=f"Kecamatan {i}", kind="kecamatan")
            uid = 9_000_000 + i
            await people.add_member(
                org.id,
                role=Role.OPERATOR,
                name=f"Operator {i}",
                unit_id=unit.id,
                channel="telegram",
                address=str(uid),
                chat_id=str(uid),
            )
            ids.append(uid)
    return ids


async def run_warta(
    n: int, database_url: str | None, photos: list[bytes], trace: bool = False
) -> dict[str, Any]:
    fake = FakeTelegram()
    tmp = Path(tempfile.mkdtemp(prefix="warta-bench-"))
    settings = Settings(
        _env_file=None,
        telegram_token=fake.token,
        telegram_api_url="http://fake",
        database_url=await fresh_database(database_url, tmp),
        media_dir=tmp / "media",
        heartbeat_file=tmp / "hb",
        album_wait_seconds=0.3,
        # Telegram paces one group to ~20 messages/min; lifted here to measure our own cost.
        telegram_group_rate=1_000_000,
        telegram_overall_rate=1_000_000,
    )
    warta = Warta(settings, httpx_kwargs={"transport": httpx.ASGITransport(app=fake.app)})
    await warta.start()
    user_ids = await seed(warta, n)
    latencies: list[float] = []
    kinds: Counter[str] = Counter()

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        kinds[statement_kind(statement)] += 1
        if trace:
            print("SQL", " ".join(statement.split())[:160])

    event.listen(warta.db.sync_engine, "before_cursor_execute", count)

    async def operator(uid: int) -> None:
        user = TgUser(fake, uid, f"Op{uid}")
        fake.known_chats.add(uid)
        start = len(fake.sent)
        await asyncio.gather(*(warta.process(update) for update in album(fake, user, photos)))
        # The preview of the whole album: under load an earlier one may show fewer photos, and
        # its Kirim is refused (what is sent is what the operator last saw).
        preview = await fake.wait_for(lambda: first_after(fake, uid, start, "Foto: 3"), WAIT)
        number_at = len(fake.sent)
        tap = fake.push(user.tap_button(preview, "Kirim"))
        began = time.perf_counter()
        await warta.process(tap)
        # The preview is edited into the receipt that carries the report number.
        await fake.wait_for(lambda: "terkirim ke redaksi" in preview.text, WAIT)
        number = preview.text.split("Laporan #")[1].split(" ")[0]
        card = await fake.wait_for(
            lambda: first_after(fake, NEWSROOM_ID, number_at, f"Laporan #{number}"), WAIT
        )
        latencies.append(card.at - began)

    began = time.perf_counter()
    await asyncio.gather(*(operator(uid) for uid in user_ids))
    elapsed = time.perf_counter() - began
    calls = len(fake.calls)
    chat_calls = sum(1 for c in fake.calls if "chat_id" in c.params)
    apologies = sum(1 for sent in fake.sent if APOLOGY in sent.text)
    # The outbox may still be marking the last deliveries: let it finish before counting.
    await asyncio.sleep(1.0)
    event.remove(warta.db.sync_engine, "before_cursor_execute", count)
    await warta.stop()
    return {
        "kinds": kinds,
        "elapsed": elapsed,
        "latencies": latencies,
        "calls": calls,
        "chat_calls": chat_calls,
        "apologies": apologies,
    }


async def run_echo(n: int, photos: list[bytes]) -> dict[str, Any]:
    """The same updates through a bare PTB bot that answers every update with one message."""
    fake = FakeTelegram()
    request = HTTPXRequest(
        connection_pool_size=16, httpx_kwargs={"transport": httpx.ASGITransport(app=fake.app)}
    )
    app = (
        ApplicationBuilder()
        .token(fake.token)
        .base_url("http://fake/bot")
        .base_file_url("http://fake/file/bot")
        .request(request)
        .build()
    )

    async def echo(update: object, _ctx: object) -> None:
        assert isinstance(update, Update)
        if update.callback_query:
            await update.callback_query.answer()
            text = f"Laporan #{update.callback_query.data}"
            await app.bot.send_message(NEWSROOM_ID, text)
        elif update.message:
            await app.bot.send_message(update.message.chat_id, "Pratinjau")

    app.add_handler(TypeHandler(Update, echo))
    await app.initialize()
    fake.known_chats.add(NEWSROOM_ID)
    latencies: list[float] = []

    async def operator(uid: int) -> None:
        user = TgUser(fake, uid, f"Op{uid}")
        updates = [Update.de_json(u, app.bot) for u in album(fake, user, photos)]
        await asyncio.gather(*(app.process_update(update) for update in updates))
        preview = fake.last_to(uid)
        start = len(fake.sent)
        tap = fake.push(user.tap(preview, f"{uid}"))
        began = time.perf_counter()
        await app.process_update(Update.de_json(tap, app.bot))
        card = first_after(fake, NEWSROOM_ID, start, f"Laporan #{uid}")
        assert card is not None
        latencies.append(card.at - began)

    began = time.perf_counter()
    await asyncio.gather(*(operator(9_000_000 + i) for i in range(n)))
    elapsed = time.perf_counter() - began
    await app.shutdown()
    return {"elapsed": elapsed, "latencies": latencies, "calls": len(fake.calls)}


def summary(name: str, n: int, result: dict[str, Any]) -> float:
    lat = sorted(result["latencies"])
    rate = n / result["elapsed"]
    p95 = lat[max(0, int(len(lat) * 0.95) - 1)]
    median = statistics.median(lat) * 1000
    print(
        f"{name:<28} {rate:8.1f} reports/s   card latency median {median:7.1f} ms"
        f"   p95 {p95 * 1000:7.1f} ms   ({result['calls']} Bot API calls, "
        f"{result['elapsed']:.2f} s)"
    )
    return rate


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--operators", type=int, default=200)
    parser.add_argument("--database-url")
    parser.add_argument("--rounds", type=int, default=3, help="echo and Warta in turns")
    parser.add_argument("--trace", action="store_true")
    args = parser.parse_args()
    photos = [photo_bytes(i) for i in range(8)]
    n = args.operators
    print(
        f"{n} operators x (3-photo album + caption + Kirim); database: "
        f"{args.database_url or 'SQLite file'}; {args.rounds} rounds, echo and Warta in turns"
    )
    echo_rates, warta_rates = [], []
    for _ in range(args.rounds):
        echo = await run_echo(n, photos)
        warta = await run_warta(n, args.database_url, photos, args.trace)
        echo_rates.append(summary("bare PTB echo (ceiling)", n, echo))
        warta_rates.append(summary("Warta", n, warta))
        print(
            f"Warta: {len(warta['latencies'])}/{n} cards, {warta['apologies']} apologies, "
            f"all done in {warta['elapsed']:.1f} s (bound {WAIT:.0f} s)"
        )
    ceiling, ours = statistics.median(echo_rates), statistics.median(warta_rates)
    print(f"medians: echo {ceiling:.1f} reports/s, Warta {ours:.1f} reports/s")
    print(f"ratio Warta / ceiling: {ours / ceiling:.3f}")
    statements(warta["kinds"], n)  # of the last round; the rounds run the same statements
    per_report = warta["chat_calls"] / n
    print(
        f"Telegram's ceiling for one bot (30 msg/s, {per_report:.1f} chat messages per report): "
        f"{30 / per_report:.1f} reports/s"
    )
    print(
        f"Telegram's ceiling for one newsroom group (20 msg/min, one card per report): "
        f"{n / 20:.1f} min for {n} reports = {20 / 60:.2f} reports/s"
    )


def statements(kinds: Counter[str], n: int) -> None:
    total = sum(kinds.values())
    print(f"SQL statements per report: {total / n:.1f} ({total} in all), by kind:")
    for kind, count in kinds.most_common():
        print(f"  {count / n:6.2f}  {kind}")
    print(f"statements per report: {total / n:.1f}")


if __name__ == "__main__":
    asyncio.run(main())

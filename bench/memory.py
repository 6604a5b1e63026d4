"""Resident memory of the real `warta run` process, idle and under N operators reporting.

The fake Bot API (tests/fake_telegram.py) is served on 127.0.0.1 in this process; Warta runs
as its own process (`python -m bot.cli run`, polling) on a SQLite file or a wiped PostgreSQL
database, seeded with an editor, the newsroom and N operators. RSS is read from
/proc/<pid>/status every 0.1 s. Idle: the median over 2 s, 5 s after polling started. Under
load: each operator sends a 3-photo album with a caption and taps Kirim, all at once, until
the last newsroom card; peak and settled RSS. The baseline in the same run is a bare
python-telegram-bot bot (bench/bare_ptb_bot.py) polling the same fake, idle and answering the
same photos. Every operator's photos are their own (3 x N photos), so every report's sheet is
drawn. Warta runs with the glibc malloc settings warta.sh exports for `warta run` (the
Dockerfile sets the same), read from warta.sh, as users run it; the bare bot with glibc's
defaults. --photos picks the newsroom card (bot/settings.py's newsroom_photos): "sheet", the
default, one contact sheet per report; "album", the photos as an album and a text card; "both"
runs Warta once in each.

    python -m bench.memory [--operators 50] [--photos sheet|album|both] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import re
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import uvicorn
from PIL import Image

from bench.report_throughput import CAPTION, first_after
from storage.chats import NEWSROOM, Chats
from storage.db import make_engine, make_sessionmaker, upgrade
from storage.models import Role
from storage.people import People
from tests.databases import fresh_database
from tests.fake_telegram import FakeTelegram
from tests.process_helpers import TOKEN, until, warta_env
from tests.telegram_users import NEWSROOM_ID, TgUser

REPO = Path(__file__).resolve().parent.parent
FIRST_OPERATOR = 9_000_000
PHOTOS_EACH = 3


def launcher_env() -> dict[str, str]:
    """The MALLOC_* variables warta.sh exports (`export NAME="${NAME:-value}"`), each taken from
    this process's environment when set there, as warta.sh does."""
    found = re.findall(
        r'^export (MALLOC_\w+)="\$\{\1:-([^}]*)\}"', (REPO / "warta.sh").read_text(), re.M
    )
    if not found:
        raise SystemExit("warta.sh exports no MALLOC_* settings: bench/memory.py reads them there")
    return {name: os.environ.get(name, value) for name, value in found}


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise LookupError(field)


class Sampler:
    """RSS of one process every 0.1 s, in the background, until stopped."""

    def __init__(self, pid: int) -> None:
        self.pid, self.samples = pid, []  # type: ignore[var-annotated]
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            self.samples.append(rss_mb(self.pid))
            await asyncio.sleep(0.1)

    def stop(self) -> list[float]:
        self._task.cancel()
        return self.samples


async def serve(fake: FakeTelegram) -> tuple[uvicorn.Server, asyncio.Task[None], str]:
    config = uvicorn.Config(fake.app, host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    await until(lambda: server.started, "the fake to listen", 10)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, task, f"http://127.0.0.1:{port}"


async def seed(database_url: str, n: int) -> list[int]:
    engine = make_engine(database_url)
    await upgrade(engine)
    async with make_sessionmaker(engine)() as session, session.begin():
        people = People(session)
        org = await people.default_org(name="Bench", timezone="Asia/Jakarta")
        editor = await people.add_member(
            org.id, role=Role.EDITOR, name="Editor", unit_id=None, channel="telegram",
            address="1", chat_id="1",
        )  # fmt: skip
        await Chats(session).bind(
            org.id, purpose=NEWSROOM, channel="telegram", chat_id=str(NEWSROOM_ID),
            title="Redaksi", member_id=editor.id,
        )  # fmt: skip
        for i in range(n):
            unit = await people.add_unit(org, name=f"Kecamatan {i}", kind="kecamatan")
            await people.add_member(
                org.id, role=Role.OPERATOR, name=f"Operator {i}", unit_id=unit.id,
                channel="telegram", address=str(FIRST_OPERATOR + i),
                chat_id=str(FIRST_OPERATOR + i),
            )  # fmt: skip
    await engine.dispose()
    return [FIRST_OPERATOR + i for i in range(n)]


async def spawn(args: list[str], env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    with log.open("wb") as out:  # a file, not a pipe: a full pipe would stall the process
        return await asyncio.create_subprocess_exec(
            sys.executable, *args, env=env, cwd=log.parent, stdout=out, stderr=out
        )


async def measure(
    proc: asyncio.subprocess.Process, fake: FakeTelegram, load: Callable[[], Awaitable[None]]
) -> dict[str, float]:
    """Idle after start, then the load: RSS figures in MB and the load's duration."""
    await until(lambda: fake.calls_of("getUpdates"), "polling to start", 120)
    await asyncio.sleep(5)
    idle = Sampler(proc.pid)
    await asyncio.sleep(2)
    idle_mb = statistics.median(idle.stop())
    busy = Sampler(proc.pid)
    began = time.perf_counter()
    await load()
    took = time.perf_counter() - began
    await asyncio.sleep(3)
    samples = busy.stop()
    return {
        "idle": idle_mb,
        "peak": max(samples),
        "settled": samples[-1],
        "hwm": rss_mb(proc.pid, "VmHWM"),
        "seconds": took,
    }


async def stop(proc: asyncio.subprocess.Process) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(proc.wait(), 60)
    except TimeoutError:
        proc.kill()
        await proc.wait()


async def run_warta(
    n: int, database_url: str | None, photos: list[bytes], mode: str
) -> dict[str, float]:
    fake = FakeTelegram(token=TOKEN)
    server, task, api_url = await serve(fake)
    tmp = Path(tempfile.mkdtemp(prefix="warta-memory-"))
    url = await fresh_database(database_url, tmp)
    user_ids = await seed(url, n)
    env = warta_env(tmp, api_url, url) | launcher_env()
    env |= {"PYTHONPATH": str(REPO), "WARTA_NEWSROOM_PHOTOS": mode}
    proc = await spawn(["-m", "bot.cli", "run"], env, tmp / "warta.log")

    async def operator(uid: int) -> None:
        user = TgUser(fake, uid, f"Op{uid}")
        start = len(fake.sent)
        for i, photo in enumerate(own_photos(photos, uid)):
            caption = CAPTION if i == 0 else None
            fake.push(user.photo(photo, media_group_id=f"g{uid}", caption=caption))
        preview = await fake.wait_for(lambda: first_after(fake, uid, start, "Foto: 3"), 300)
        number_at = len(fake.sent)
        fake.push(user.tap_button(preview, "Kirim"))
        await fake.wait_for(lambda: "terkirim ke redaksi" in preview.text, 300)
        number = preview.text.split("Laporan #")[1].split(" ")[0]
        await fake.wait_for(
            lambda: first_after(fake, NEWSROOM_ID, number_at, f"Laporan #{number}"), 300
        )

    async def load() -> None:
        await asyncio.gather(*(operator(uid) for uid in user_ids))

    try:
        return await measure(proc, fake, load)
    finally:
        await stop(proc)
        server.should_exit = True
        await task


async def run_bare(n: int, photos: list[bytes]) -> dict[str, float]:
    fake = FakeTelegram(token=TOKEN)
    server, task, api_url = await serve(fake)
    tmp = Path(tempfile.mkdtemp(prefix="ptb-memory-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WARTA_", "MALLOC_"))}
    env["PYTHONPATH"] = str(REPO)
    proc = await spawn(["-m", "bench.bare_ptb_bot", TOKEN, api_url], env, tmp / "ptb.log")

    async def operator(uid: int) -> None:
        user = TgUser(fake, uid, f"Op{uid}")
        for i, photo in enumerate(own_photos(photos, uid)):
            caption = CAPTION if i == 0 else None
            fake.push(user.photo(photo, media_group_id=f"g{uid}", caption=caption))
        fake.push(user.text("Kirim"))
        await fake.wait_for(lambda: len(fake.messages_to(uid)) >= 4, 300)

    async def load() -> None:
        await asyncio.gather(*(operator(FIRST_OPERATOR + i) for i in range(n)))

    try:
        return await measure(proc, fake, load)
    finally:
        await stop(proc)
        server.should_exit = True
        await task


def photo_bytes(seed: int) -> bytes:
    """A 1280x960 JPEG (the size Telegram makes a photo), its own bytes for each seed."""
    image = Image.linear_gradient("L").resize((1280, 960)).convert("RGB")
    tint = (seed % 256, 80 + seed // 256 % 176, 160)
    image = Image.blend(image, Image.new("RGB", image.size, tint), 0.4)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def own_photos(photos: list[bytes], uid: int) -> list[bytes]:
    at = (uid - FIRST_OPERATOR) * PHOTOS_EACH
    return photos[at : at + PHOTOS_EACH]


def line(name: str, r: dict[str, Any]) -> str:
    return (
        f"{name:<22} idle {r['idle']:6.1f} MB   under load peak {r['peak']:6.1f} MB"
        f"   settled {r['settled']:6.1f} MB   VmHWM {r['hwm']:6.1f} MB   ({r['seconds']:.1f} s)"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operators", type=int, default=50)
    parser.add_argument("--photos", choices=("sheet", "album", "both"), default="sheet")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    malloc = launcher_env()
    photos = [photo_bytes(i) for i in range(args.operators * PHOTOS_EACH)]
    bare = await run_bare(args.operators, photos)
    modes = ("sheet", "album") if args.photos == "both" else (args.photos,)
    wartas = {
        mode: await run_warta(args.operators, args.database_url, photos, mode) for mode in modes
    }
    print(
        f"RSS of the real process; {args.operators} operators x (3-photo album + caption + "
        f"Kirim); database: {args.database_url or 'SQLite file'}; load {os.getloadavg()[0]:.2f}"
    )
    print("Warta's environment, from warta.sh:", " ".join(f"{k}={v}" for k, v in malloc.items()))
    print(line("bare PTB polling bot", bare))
    for mode, warta in wartas.items():
        print(line(f"Warta ({mode})", warta))
    print(f"aims: idle <= 100 MB, under {args.operators} operators <= 120 MB")
    for mode, warta in wartas.items():
        print(
            f"ratio Warta ({mode})/bare PTB RSS: idle {warta['idle'] / bare['idle']:.2f},"
            f" peak {warta['peak'] / bare['peak']:.2f}"
        )


if __name__ == "__main__":
    asyncio.run(main())

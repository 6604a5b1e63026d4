"""PTB's HTTPXRequest against an aiohttp BaseRequest (bench/aiohttp_request.py, a
prototype): the client CPU a report's Bot API traffic costs, over real TCP on 127.0.0.1
(issue 13).

A real `telegram.Bot` per transport drives the tests' fake Bot API (tests/fake_telegram.py),
which runs in a subprocess started afresh for every run, so its CPU is not counted here. One
report is Warta's traffic in small: sendMessage with an inline keyboard, editMessageText,
sendPhoto uploading a ~200 KB JPEG (multipart), getFile and the file's download: 5 requests,
16 reports at a time (--concurrency) over Warta's pool of 16 connections. The transports
take turns, in rounds, with a third, `replay`: answers recorded once and returned without any
network, so what PTB itself costs (building requests, parsing answers) can be taken off:
transport = transport's CPU - replay's. Each run opens its connections first (16 reports,
not counted).

--warta N runs bench.report_throughput's Warta in this process (N/5 operators, then N; the
difference, per report: SQLite, the fake in process through httpx's ASGI transport) to put
the difference in proportion to Warta's own CPU per report (0 skips it).

aiohttp is not a dependency of Warta: `pip install aiohttp` into the venv first.

    python -m bench.transport [--reports 300] [--rounds 4] [--concurrency 16] [--warta 50]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import io
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.request import BaseRequest, HTTPXRequest, RequestData

try:
    from bench.aiohttp_request import AiohttpRequest
except ImportError as exc:
    raise SystemExit(f"{exc}") from exc

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:BENCH-TRANSPORT"
POOL = 16  # Warta's connection pool (bot/channels/telegram.py build_application)
REQUESTS = 5  # per report: sendMessage, editMessageText, sendPhoto, getFile, the download
FIRST_CHAT = 8_000_001
NEWSROOM = -1_001_234_567_890
PREVIEW = (
    "📝 <b>Pratinjau laporan</b>\nKerja bakti membersihkan saluran air di Kelurahan Cibuluh "
    "bersama warga RW 05.\nFoto: 3 · Kecamatan Bogor Utara\nPeriksa, lalu ketuk Kirim."
)
RECEIPT = PREVIEW.replace("Periksa, lalu ketuk Kirim.", "✅ Laporan #{n} terkirim ke redaksi.")
CAPTION = "📝 Laporan #{n} · Kecamatan Bogor Utara · Kerja bakti di Kelurahan Cibuluh"
KINDS = ("httpx", "aiohttp", "replay")


def jpeg() -> bytes:
    """A camera-like JPEG of about 200 KB (noise does not compress away as a gradient does)."""
    size = (1024, 768)
    noise = Image.effect_noise(size, 40).convert("RGB")
    image = Image.blend(Image.linear_gradient("L").resize(size).convert("RGB"), noise, 0.3)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def keyboard(n: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("✅ Kirim", callback_data=f"ap:{n}:send"),
                InlineKeyboardButton("✏️ Ubah", callback_data=f"ap:{n}:edit"),
            ],
            [InlineKeyboardButton("🗑 Batal", callback_data=f"ap:{n}:drop")],
        ]
    )


# ---- the fake Bot API, in its own process ---------------------------------------------------
async def serve() -> None:
    """Prints "PORT FILE_ID" once listening (FILE_ID: a photo an operator sent), then serves."""
    import uvicorn

    from tests.fake_telegram import FakeTelegram
    from tests.process_helpers import until

    class Unrecorded(FakeTelegram):
        def _received(self, method: str, params: object, files: object) -> None:
            """No record of calls: a run's 300 uploads are kept once, as files, not twice."""

    fake = Unrecorded(token=TOKEN)
    fake.known_chats.update(range(FIRST_CHAT, FIRST_CHAT + POOL))
    file_id, _ = fake.add_file(jpeg())
    config = uvicorn.Config(fake.app, host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    await until(lambda: server.started, "the fake to listen", 30)
    port = server.servers[0].sockets[0].getsockname()[1]
    print(port, file_id, flush=True)
    await task


@dataclass
class Fake:
    proc: asyncio.subprocess.Process
    url: str
    file_id: str

    @classmethod
    async def start(cls) -> Fake:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.transport",
            "--serve",
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
        )
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 60)
        if not line:
            raise SystemExit("the fake Bot API did not start (its error is above)")
        port, file_id = line.decode().split()
        return cls(proc, f"http://127.0.0.1:{port}", file_id)

    async def stop(self) -> None:
        self.proc.terminate()
        await self.proc.wait()


# ---- transports ------------------------------------------------------------------------------
class Replay(BaseRequest):
    """Answers recorded from the fake, by the URL's last segment (the method, or the file's
    name), with no network. It reads the request's parameters and files as the real
    transports do, so that PTB's encoding is in every figure and only transport differs."""

    def __init__(self, recorded: dict[str, tuple[int, bytes]]) -> None:
        self.recorded = recorded

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *_timeouts: object,
        **_named_timeouts: object,
    ) -> tuple[int, bytes]:
        if request_data is not None:
            _ = request_data.json_parameters, request_data.multipart_data
        return self.recorded[url.rsplit("/", 1)[-1]]


class Recorder(HTTPXRequest):
    """HTTPXRequest that keeps the last answer to each URL's last segment, for Replay."""

    def __init__(self) -> None:
        super().__init__()
        self.recorded: dict[str, tuple[int, bytes]] = {}

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *_timeouts: object,
        **_named_timeouts: object,
    ) -> tuple[int, bytes]:
        answer = await super().do_request(url, method, request_data)
        self.recorded[url.rsplit("/", 1)[-1]] = answer
        return answer


def transport(kind: str, recorded: dict[str, tuple[int, bytes]], pool: int) -> BaseRequest:
    """Each as Warta configures it (telegram.py: read 20 s, write 60 s)."""
    if kind == "httpx":
        return HTTPXRequest(connection_pool_size=pool, read_timeout=20, write_timeout=60)
    if kind == "aiohttp":
        return AiohttpRequest(connection_pool_size=pool, read_timeout=20)
    return Replay(recorded)


# ---- the workload ----------------------------------------------------------------------------
async def report(bot: Bot, n: int, file_id: str, photo: bytes) -> None:
    chat = FIRST_CHAT + n % POOL
    preview = await bot.send_message(chat, PREVIEW, parse_mode="HTML", reply_markup=keyboard(n))
    await bot.edit_message_text(
        RECEIPT.format(n=n), chat_id=chat, message_id=preview.message_id, parse_mode="HTML"
    )
    await bot.send_photo(NEWSROOM, photo, caption=CAPTION.format(n=n), reply_markup=keyboard(n))
    file = await bot.get_file(file_id)
    if len(await file.download_as_bytearray()) != len(photo):
        raise AssertionError("the download is not the photo")


async def reports(
    bot: Bot, numbers: range, file_id: str, photo: bytes, concurrency: int = POOL
) -> None:
    todo: Iterator[int] = iter(numbers)

    async def worker() -> None:
        for n in todo:  # one shared iterator: a worker takes the next report when it is free
            await report(bot, n, file_id, photo)

    await asyncio.gather(*(worker() for _ in range(concurrency)))


@dataclass
class Run:
    kind: str
    n: int
    wall: float
    cpu: float  # process CPU, s
    thread: float  # main thread CPU, s

    def cpu_ms(self) -> float:
        return self.cpu / self.n * 1000

    def thread_ms(self) -> float:
        return self.thread / self.n * 1000


async def measure(
    kind: str, n: int, photo: bytes, recorded: dict[str, tuple[int, bytes]], concurrency: int
) -> Run:
    fake = await Fake.start() if kind != "replay" else None
    url = fake.url if fake else "http://replay"
    file_id = fake.file_id if fake else "F1"
    bot = Bot(
        TOKEN,
        base_url=f"{url}/bot",
        base_file_url=f"{url}/file/bot",
        request=transport(kind, recorded, POOL),
        get_updates_request=transport(kind, recorded, 1),
    )
    try:
        await bot.initialize()
        await reports(bot, range(-POOL, 0), file_id, photo)  # open the pool's connections
        gc.collect()
        wall, cpu, thread = time.perf_counter(), time.process_time(), time.thread_time()
        await reports(bot, range(n), file_id, photo, concurrency)
        run = Run(
            kind,
            n,
            time.perf_counter() - wall,
            time.process_time() - cpu,
            time.thread_time() - thread,
        )
    finally:
        await bot.shutdown()
        if fake:
            await fake.stop()
    return run


async def record(photo: bytes) -> dict[str, tuple[int, bytes]]:
    fake = await Fake.start()
    request = Recorder()
    bot = Bot(
        TOKEN,
        base_url=f"{fake.url}/bot",
        base_file_url=f"{fake.url}/file/bot",
        request=request,
        get_updates_request=HTTPXRequest(connection_pool_size=1),
    )
    try:
        await bot.initialize()
        await report(bot, 0, fake.file_id, photo)
    finally:
        await bot.shutdown()
        await fake.stop()
    # Replay serves the download under the name the replay bot asks for.
    recorded = dict(request.recorded)
    recorded["F1.jpg"] = recorded.pop(f"{fake.file_id}.jpg")
    recorded["getFile"] = (200, recorded["getFile"][1].replace(fake.file_id.encode(), b"F1"))
    return recorded


# ---- Warta, for proportion -------------------------------------------------------------------
async def warta_per_report(n: int) -> tuple[float, float, float, float]:
    """(process CPU ms, main thread CPU ms, wall s, Bot API requests) per report. CPU is the
    difference between n operators and n/5, so that setting up (migrations, seeding) and
    stopping, which run_warta does as well, cancel out."""
    from bench.report_throughput import photo_bytes, run_warta

    photos = [photo_bytes(i) for i in range(8)]
    costs = []
    for operators in (max(1, n // 5), n):
        gc.collect()
        cpu, thread = time.process_time(), time.thread_time()
        result = await run_warta(operators, None, photos)
        costs.append((time.process_time() - cpu, time.thread_time() - thread))
    (small_cpu, small_thread), (cpu, thread) = costs
    extra = n - max(1, n // 5)
    # fake.calls counts API calls, not the downloads: one for each of a report's 3 photos.
    requests = result["calls"] / n + 3
    return (
        (cpu - small_cpu) / extra * 1000,
        (thread - small_thread) / extra * 1000,
        result["elapsed"] / n,
        requests,
    )


def spread(values: list[float], fmt: Callable[[float], str]) -> str:
    return f"{fmt(statistics.median(values))} ({fmt(min(values))}-{fmt(max(values))})"


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=POOL, help="reports in flight")
    parser.add_argument("--warta", type=int, default=50, help="operators; 0 skips")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        await serve()
        return
    photo = jpeg()
    n = args.reports
    print(
        f"{n} reports x {REQUESTS} requests (sendMessage+keyboard, editMessageText, sendPhoto "
        f"{len(photo) // 1000} KB multipart, getFile, download), {args.concurrency} at a time "
        f"(pool {POOL}), fake Bot API in a subprocess on 127.0.0.1; {args.rounds} rounds"
    )
    recorded = await record(photo)
    runs: dict[str, list[Run]] = {kind: [] for kind in KINDS}
    for r in range(args.rounds):
        order = KINDS[r % len(KINDS) :] + KINDS[: r % len(KINDS)]
        for kind in order:
            run = await measure(kind, n, photo, recorded, args.concurrency)
            runs[kind].append(run)
            print(
                f"  round {r + 1} {kind:7}: {run.wall:6.2f} s wall, {run.cpu_ms():6.2f} ms CPU"
                f" per report ({run.thread_ms():6.2f} main thread), "
                f"{n * REQUESTS / run.wall:6.0f} requests/s"
            )
    cpu = {kind: statistics.median(r.cpu_ms() for r in runs[kind]) for kind in KINDS}
    print("median (min-max) over rounds:")
    for kind in KINDS:
        rs = runs[kind]
        print(
            f"  {kind:7}: wall {spread([r.wall for r in rs], lambda v: f'{v:.2f} s')}, "
            f"CPU per report {spread([r.cpu_ms() for r in rs], lambda v: f'{v:.2f} ms')}, "
            f"requests/s {spread([n * REQUESTS / r.wall for r in rs], lambda v: f'{v:.0f}')}"
        )
    own = {kind: cpu[kind] - cpu["replay"] for kind in ("httpx", "aiohttp")}
    for kind, ms in own.items():
        print(
            f"  {kind} itself (minus replay): {ms:.2f} ms per report = "
            f"{ms / REQUESTS * 1000:.0f} µs per request, {ms / cpu[kind]:.0%} of its run's CPU"
        )
    # The same ratio from each round's pair, to show how much it moves.
    pairs = [h.cpu / a.cpu for h, a in zip(runs["httpx"], runs["aiohttp"], strict=True)]
    print(f"  per-round ratios httpx/aiohttp: {', '.join(f'{p:.2f}' for p in pairs)}")
    print(f"ratio httpx/aiohttp CPU per report: {cpu['httpx'] / cpu['aiohttp']:.2f}")
    print(
        f"ratio httpx/aiohttp transport-only CPU per request: {own['httpx'] / own['aiohttp']:.2f}"
    )
    saved_per_request = (own["httpx"] - own["aiohttp"]) / REQUESTS
    if args.warta:
        w_cpu, w_thread, w_wall, w_requests = await warta_per_report(args.warta)
        saved = saved_per_request * w_requests
        print(
            f"Warta (bench.report_throughput run_warta, {args.warta} operators minus "
            f"{max(1, args.warta // 5)}, SQLite, fake in process over httpx's ASGI transport): "
            f"{w_cpu:.1f} ms CPU per report ({w_thread:.1f} main thread), "
            f"{w_wall * 1000:.0f} ms wall per report, ~{w_requests:.0f} Bot API requests"
        )
        print(
            f"aiohttp would save ~{saved_per_request * 1000:.0f} µs x {w_requests:.0f} requests"
            f" = {saved:.1f} ms per report = {saved / w_cpu:.1%} of Warta's CPU per report "
            f"({saved / w_thread:.1%} of its main thread)"
        )
        # Warta's figure has the in-process fake and httpx's ASGI transport in it, not httpx
        # over TCP: with the latter added (and the former, unknown, left in) it is a floor.
        tcp = own["httpx"] / REQUESTS * w_requests
        print(
            f"  at least {saved / (w_cpu + tcp):.1%} ({saved / (w_thread + tcp):.1%} of the main"
            f" thread) with Warta's requests over TCP at httpx's {tcp:.1f} ms per report"
        )


if __name__ == "__main__":
    asyncio.run(main())

"""What comes in from outside is bounded: body size, nesting, how many at once, media size."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import func, select

from bot.channels.whatsapp import WhatsAppChannel
from handlers.events import Media
from handlers.ports import MediaTooBig
from handlers.texts import Texts
from storage.media import MediaStore
from storage.models import ReceivedWebhook, Role
from storage.webhooks import Webhooks
from tests.fake_telegram import FakeTelegram
from tests.fake_whatsapp import FakeGraph
from tests.harness import CAPTION, ROOT, Clock, Harness, jpeg, make_settings, whatsapp_settings
from tests.whatsapp_users import encode, sign

SECRET = "rahasia-webhook-kota-bogor-0123456789"
MiB = 1024 * 1024
CHUNK = 64 * 1024


@pytest.fixture
async def h(
    fake: FakeTelegram, graph: FakeGraph, tmp_path: Path, database_url: str, clock: Clock
) -> AsyncIterator[Harness]:
    """Both channels on webhooks, two webhook bodies processed at a time, photos up to 1 MB."""
    settings = make_settings(
        tmp_path,
        database_url,
        **whatsapp_settings(graph),
        telegram_webhook_url="https://warta.kotabogor.go.id",
        telegram_webhook_secret=SECRET,
        webhook_concurrency=2,
        max_photo_mb=1,
    )
    harness = await Harness(fake, settings, clock, graph).start()
    try:
        yield harness
    finally:
        await harness.stop()


async def raw_post(
    app: Any, path: str, headers: dict[str, str], chunks: Iterator[bytes]
) -> tuple[int, int]:
    """POST straight into the ASGI app: the status, and how many body chunks the app pulled."""
    pulled, status = 0, 0

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        pulled += 1
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("warta", 80),
    }
    await app(scope, receive, send)
    return status, pulled


ROUTES = [
    ("/webhooks/whatsapp", {"X-Hub-Signature-256": "sha256=00"}),
    ("/webhooks/telegram", {"X-Telegram-Bot-Api-Secret-Token": SECRET}),
]


async def stored(h: Harness) -> int:
    async with h.w.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(ReceivedWebhook)) or 0)


@pytest.mark.parametrize(("path", "headers"), ROUTES)
async def test_a_declared_oversize_body_is_refused_unread(
    h: Harness, path: str, headers: dict[str, str]
) -> None:
    endless = itertools.repeat(b"x" * CHUNK, 512)  # 32 MB
    status, pulled = await raw_post(
        h.w.web.app, path, {**headers, "Content-Length": str(2 * 1024 * MiB)}, endless
    )
    assert (status, pulled) == (413, 0)
    assert await stored(h) == 0


@pytest.mark.parametrize(("path", "headers"), ROUTES)
async def test_a_chunked_oversize_body_is_cut_off_at_the_cap(
    h: Harness, path: str, headers: dict[str, str]
) -> None:
    endless = itertools.repeat(b"x" * CHUNK, 512)  # 32 MB, no Content-Length: chunked
    status, pulled = await raw_post(h.w.web.app, path, headers, endless)
    assert status == 413
    assert pulled <= MiB // CHUNK + 1  # read up to the cap, not a byte of chunk more
    assert await stored(h) == 0


async def test_a_body_under_the_cap_is_taken(h: Harness) -> None:
    body = h.wa_user("Budi").text("halo")
    body["padding"] = "x" * (MiB - 2000)  # Meta adds fields; a big delivery is still fine
    assert len(encode(body)) < MiB
    assert (await h.wa_post(body)).status_code == 200


def deep(levels: int) -> bytes:
    return b'{"a":' * levels + b"1" + b"}" * levels


async def post_telegram(h: Harness, raw: bytes) -> httpx.Response:
    transport = httpx.ASGITransport(app=h.w.web.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://warta") as client:
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
        return await client.post("/webhooks/telegram", content=raw, headers=headers)


async def post_whatsapp(h: Harness, raw: bytes) -> httpx.Response:
    transport = httpx.ASGITransport(app=h.w.web.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://warta") as client:
        headers = {"X-Hub-Signature-256": sign(raw), "Content-Type": "application/json"}
        return await client.post("/webhooks/whatsapp", content=raw, headers=headers)


@pytest.mark.parametrize("raw", [deep(100_000), b"[" * 100_000 + b"]" * 100_000])
async def test_a_signed_body_nested_100000_deep_is_a_bad_request(h: Harness, raw: bytes) -> None:
    assert (await post_whatsapp(h, raw)).status_code == 400
    assert (await post_telegram(h, raw)).status_code == 400
    assert await stored(h) == 0
    stranger = h.wa_user("Orang Asing")  # and Warta goes on answering
    assert (await h.wa_post(stranger.text("halo"))).status_code == 200
    assert "undangan" in stranger.last().text


@pytest.mark.parametrize("channel", ["whatsapp", "telegram"])
async def test_a_stored_deep_body_is_processed_without_crashing(h: Harness, channel: str) -> None:
    """Bodies stored before this check (or by another version) still go through process()."""
    async with h.w.sessionmaker() as session, session.begin():
        webhook_id = await Webhooks(session).store(channel, deep(100_000), h.clock())
    await h.w.web.process(webhook_id)
    async with h.w.sessionmaker() as session:
        row = await Webhooks(session).get(webhook_id)
    assert row is not None and row.processed_at is not None  # not retried forever


async def test_webhook_processing_runs_a_few_at_a_time(h: Harness) -> None:
    people = [await h.wa_join(h.wa_user(f"Admin {i}"), Role.OPERATOR, f"Kec {i}") for i in range(5)]
    graph = h.graph
    assert graph is not None
    held = graph.hold_downloads()
    try:
        for person in people:
            response = await post_whatsapp(h, encode(person.image(jpeg(), caption=CAPTION)))
            assert response.status_code == 200  # answered at once, processed behind
        await until(lambda: graph.downloading == 2)
        await asyncio.sleep(0.2)  # time for a third to start, if it could
        assert graph.most_downloading == 2
    finally:
        held.set()
    await h.w.web.drain()
    await h.settle()
    assert graph.most_downloading == 2
    assert all("Pratinjau" in " ".join(m.text for m in p.sent()) for p in people)


async def until(condition: Callable[[], bool], limit: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + limit
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


# ---- WhatsApp media size ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("made", "told"),
    [(30 * MiB, None), (3 * MiB, 1000)],  # Meta says 30 MB; Meta says 1 kB and sends 3 MB
    ids=["told-too-big", "lies-about-size"],
)
async def test_a_whatsapp_photo_over_the_limit_is_refused(
    h: Harness, made: int, told: int | None
) -> None:
    operator = await h.wa_join(h.wa_user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    graph = h.graph
    assert graph is not None
    media_id = graph.add_big_media(made, told=told)
    body = operator.image(b"", caption=CAPTION)
    body["entry"][0]["changes"][0]["value"]["messages"][0]["image"]["id"] = media_id
    assert (await h.wa_post(body)).status_code == 200
    await h.settle()
    assert "Foto terlalu besar" in " ".join(m.text for m in operator.sent())
    if told is None:
        assert media_id not in graph.served  # refused before a byte was downloaded


@pytest.fixture
async def served_graph() -> AsyncIterator[FakeGraph]:
    """The fake Graph API on a real socket: only there does a cut-off download stop the sender."""
    graph = FakeGraph()
    server = uvicorn.Server(
        uvicorn.Config(graph.app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    await until(lambda: server.started)
    graph.base = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    yield graph
    server.should_exit = True
    await task


async def _nothing(*_args: object) -> None:
    return None


def served_channel(graph: FakeGraph, tmp_path: Path) -> WhatsAppChannel:
    """The real adapter over TCP to the served fake, with a 1 MB media limit."""
    return WhatsAppChannel(
        phone_id=graph.phone_id,
        token=graph.token,
        app_secret="s",
        verify_token="v",
        api_url=graph.base,
        on_event=_nothing,
        on_status=_nothing,
        texts=Texts.load(ROOT / "prompts" / "id.toml"),
        media=MediaStore(tmp_path),
        window=_nothing,
        clock=lambda: None,  # type: ignore[arg-type,return-value]
        max_media_bytes=MiB,
    )


async def test_a_lying_server_cannot_make_warta_read_a_gigabyte(
    served_graph: FakeGraph, tmp_path: Path
) -> None:
    media_id = served_graph.add_big_media(1024 * MiB, told=50_000)
    small = served_graph.add_media(jpeg())
    channel = served_channel(served_graph, tmp_path)
    try:
        with pytest.raises(MediaTooBig):
            await channel.messenger.download(Media("photo", media_id, media_id))
        # under the limit the bytes come through whole
        assert (
            await channel.messenger.download(Media("photo", small, small))
            == served_graph.media[small][0]
        )
    finally:
        await channel.close()
    await asyncio.sleep(0.2)  # let the server notice the hang-up
    assert served_graph.served[media_id] < 64 * MiB  # socket buffers, not the gigabyte

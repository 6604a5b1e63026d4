"""The real `warta` process against the fake Bot API served on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from tests.fake_telegram import FakeTelegram, Sent
from tests.fake_whatsapp import FakeGraph
from tests.harness import CAPTION, ROOT, jpeg, whatsapp_settings
from tests.process_helpers import (
    TOKEN,
    cards_in,
    cli,
    free_port,
    join_and_report,
    make_team,
    served_fake_fixture,
    spawn,
    until,
    warta_env,
)
from tests.whatsapp_users import WaUser, encode, sign

served_fake = served_fake_fixture


async def test_without_a_token_run_starts_the_sandbox(tmp_path: Path) -> None:
    """A fresh machine: `warta run` shows Warta working (the sandbox page) instead of exiting,
    says so in one line, never creates the real database, and stops cleanly."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
    env["WARTA_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'w.db'}"
    env["WARTA_MEDIA_DIR"] = str(tmp_path / "data" / "media")
    port = free_port()
    env["WARTA_WEB_PORT"] = str(port)
    proc = await spawn(env, tmp_path, "run")
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            page = await _page_when_up(client)
            assert "Ikut latihan" in page and "Redaksi Diskominfo (latihan)" in page
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = await asyncio.wait_for(proc.communicate(), 30)
    first = out.decode().splitlines()[0]  # the one line, before anything else
    assert "sandbox latihan" in first and "WARTA_TELEGRAM_TOKEN" in first, out.decode()
    assert proc.returncode == 0 and "Traceback" not in out.decode()
    assert not (tmp_path / "w.db").exists()  # its own file: data/sandbox/warta.db
    assert (tmp_path / "data" / "sandbox" / "warta.db").exists()
    env["WARTA_HEARTBEAT_FILE"] = str(tmp_path / "none")
    code, text = await cli(env, tmp_path, "health")
    assert code == 1 and "belum berjalan" in text


async def test_the_sandbox_on_a_port_in_use_says_which_to_use(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
    env["WARTA_MEDIA_DIR"] = str(tmp_path / "data" / "media")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        code, out = await cli(env, tmp_path, "sandbox", "--port", port)
    assert code == 2 and f"127.0.0.1:{port}" in out and "--port 8081" in out, out
    assert "Traceback" not in out


async def _page_when_up(client: httpx.AsyncClient) -> str:
    async def fetched() -> str:
        while True:
            try:
                return (await client.get("/")).text
            except httpx.TransportError:  # not listening yet: the sandbox seeds first
                await asyncio.sleep(0.1)

    return await asyncio.wait_for(fetched(), 60)


async def test_broken_schedule_at_start_names_the_line(tmp_path: Path) -> None:
    prompts = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", prompts)
    schedule = prompts / "pillars" / "kota-bogor.toml"
    schedule.write_text(schedule.read_text().replace('key = "umkm"', 'key = "umkm'))
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
    env |= {"WARTA_TELEGRAM_TOKEN": TOKEN, "WARTA_PROMPTS_DIR": str(prompts)}
    env["WARTA_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'w.db'}"
    code, out = await cli(env, tmp_path, "run")
    assert code == 2 and "kota-bogor.toml baris" in out, out


async def test_rejected_token_is_explained(
    served_fake: tuple[FakeTelegram, str], tmp_path: Path
) -> None:
    _, api_url = served_fake
    env = warta_env(tmp_path, api_url, None)
    env["WARTA_TELEGRAM_TOKEN"] = "999:WRONG"
    code, out = await cli(env, tmp_path, "run")
    assert code == 2 and "menolak token" in out and "Traceback" not in out


async def test_whole_process_join_report_approve(
    served_fake: tuple[FakeTelegram, str], tmp_path: Path, database_url: str
) -> None:
    fake, api_url = served_fake
    env = warta_env(tmp_path, api_url, None if database_url.startswith("sqlite") else database_url)
    repo = Path(__file__).resolve().parent.parent
    env["PYTHONPATH"] = str(repo)
    team = await make_team(env, tmp_path)
    proc = await spawn(env, tmp_path, "run")
    try:
        editor, operator = await join_and_report(fake, team)

        def cards() -> list[Sent]:
            return cards_in(fake)

        fake.push(editor.tap_button(cards()[-1], "Setujui"))
        await until(lambda: "Disetujui" in cards()[-1].text, "the decision on the card")
        await until(lambda: "disetujui" in fake.last_to(operator.id).text, "the operator told")
        assert await cli(env, tmp_path, "health") == (0, "sehat\n")
    finally:
        proc.send_signal(signal.SIGTERM)
        output = (await asyncio.wait_for(proc.communicate(), 30))[0].decode()
    assert proc.returncode == 0, output
    assert "Traceback" not in output, output


@pytest.fixture
async def served_graph() -> AsyncIterator[tuple[FakeGraph, str]]:
    graph = FakeGraph()
    server = uvicorn.Server(
        uvicorn.Config(graph.app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    await until(lambda: server.started, "the fake Graph API to listen", 10)
    graph.base = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    yield graph, graph.base
    server.should_exit = True
    await task


async def test_whole_process_on_whatsapp_only(
    served_graph: tuple[FakeGraph, str], tmp_path: Path
) -> None:
    graph, api_url = served_graph
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
    env |= {f"WARTA_{k.upper()}": str(v) for k, v in whatsapp_settings(graph).items()}
    env |= {
        "WARTA_WHATSAPP_API_URL": api_url,
        "WARTA_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'warta.db'}",
        "WARTA_MEDIA_DIR": str(tmp_path / "media"),
        "WARTA_HEARTBEAT_FILE": str(tmp_path / "heartbeat"),
        "WARTA_WEB_HOST": "127.0.0.1",
        "WARTA_WEB_PORT": str(port),
        "PYTHONPATH": str(ROOT),
    }
    assert (await cli(env, tmp_path, "unit", "add", "Kecamatan Cibinong"))[0] == 0
    out = (await cli(env, tmp_path, "invite", "operator", "--unit", "Cibinong"))[1]
    assert "https://wa.me/6281100000000?text=GABUNG%20" in out
    code = out.split("GABUNG%20")[1].split()[0]
    proc = await spawn(env, tmp_path, "run")
    try:
        user = WaUser(graph, "6281299990000", "Budi")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            await until(lambda: _listening(port), "the web server")
            body = encode(user.text(f"GABUNG {code}"))
            headers = {"X-Hub-Signature-256": sign(body), "Content-Type": "application/json"}
            response = await client.post("/webhooks/whatsapp", content=body, headers=headers)
            assert response.status_code == 200
            await until(lambda: user.sent(), "the welcome")
            body = encode(user.image(jpeg(), caption=CAPTION))
            headers["X-Hub-Signature-256"] = sign(body)
            await client.post("/webhooks/whatsapp", content=body, headers=headers)
            await until(
                lambda: "Pratinjau" in user.last().text or "Pilih pilar" in user.last().text,
                "the preview or the pillar question",
            )
            if "Pilih pilar" in user.last().text:  # Sunday: no pillar today (real clock)
                body = encode(user.tap(user.last(), "Informasi"))
                headers["X-Hub-Signature-256"] = sign(body)
                await client.post("/webhooks/whatsapp", content=body, headers=headers)
            await until(lambda: "Pratinjau" in user.last().text, "the preview")
            assert (await client.get("/health")).json() == {"ok": True}
    finally:
        proc.send_signal(signal.SIGTERM)
        output = (await asyncio.wait_for(proc.communicate(), 30))[0].decode()
    assert proc.returncode == 0, output
    assert "Traceback" not in output, output


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


async def test_stop_signal_is_honoured_while_telegram_is_unreachable(tmp_path: Path) -> None:
    env = warta_env(tmp_path, f"http://127.0.0.1:{free_port()}", None)  # nobody listens there
    proc = await spawn(env, tmp_path, "run")
    assert proc.stdout is not None
    seen = b""
    while b"belum bisa dihubungi" not in seen:
        seen += await asyncio.wait_for(proc.stdout.readline(), 30)
    proc.send_signal(signal.SIGTERM)
    output = seen + (await asyncio.wait_for(proc.communicate(), 15))[0]
    assert proc.returncode == 0, output.decode()
    assert b"Traceback" not in output

"""Running the real `warta` process against the fake Bot API served on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from tests.fake_telegram import FakeTelegram, Sent
from tests.harness import CAPTION, jpeg
from tests.telegram_users import NEWSROOM_CHAT, TgUser

TOKEN = "123456:TEST-TOKEN"


async def until(condition: Callable[[], object], what: str, limit: float = 30) -> None:
    """Wait for something the process does (polling the fake's record), not for time."""
    deadline = asyncio.get_running_loop().time() + limit
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


@pytest.fixture(name="served_fake")
async def served_fake_fixture() -> AsyncIterator[tuple[FakeTelegram, str]]:
    """The fake Bot API on a free port: (fake, its URL). A test module takes it in with
    `served_fake = served_fake_fixture` (pytest finds fixtures by name in the module)."""
    fake = FakeTelegram(token=TOKEN)
    server = uvicorn.Server(
        uvicorn.Config(fake.app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    await until(lambda: server.started, "the fake to listen", 10)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield fake, f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


def warta_env(tmp_path: Path, api_url: str, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
    env.update(
        {
            "WARTA_TELEGRAM_TOKEN": TOKEN,
            "WARTA_TELEGRAM_API_URL": api_url,
            "WARTA_DATABASE_URL": database_url or f"sqlite+aiosqlite:///{tmp_path / 'warta.db'}",
            "WARTA_MEDIA_DIR": str(tmp_path / "media"),
            "WARTA_HEARTBEAT_FILE": str(tmp_path / "heartbeat"),
            "WARTA_ALBUM_WAIT_SECONDS": "0.3",
            # The fake has no flood control; pacing is measured in bench/, not waited for here.
            "WARTA_TELEGRAM_GROUP_RATE": "6000",
        }
    )
    return env


async def spawn(env: dict[str, str], cwd: Path, *args: str) -> asyncio.subprocess.Process:
    """`warta ARGS` as its own process (python -m, so the test needs no installed script)."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


async def cli(env: dict[str, str], cwd: Path, *args: str) -> tuple[int, str]:
    proc = await spawn(env, cwd, *args)
    out, _ = await proc.communicate()
    return proc.returncode or 0, out.decode()


def code_of(output: str) -> str:
    match = re.search(r"(?:start=|Kode: )([a-z0-9]+)", output)
    assert match, output
    return match.group(1)


async def until_preview(fake: FakeTelegram, operator: TgUser, shows: str) -> None:
    """The preview, whatever the day: on a day without a pillar (Sunday; the process runs on
    the real clock) the operator is asked for one first, and picks Informasi."""

    def arrived() -> bool:
        text = fake.last_to(operator.id).text
        return shows in text or "Pilih pilar" in text

    await until(arrived, "the preview or the pillar question")
    if "Pilih pilar" in fake.last_to(operator.id).text:
        fake.push(operator.tap_button(fake.last_to(operator.id), "Informasi"))
    await until(lambda: shows in fake.last_to(operator.id).text, "the preview")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Team:
    """The invite codes of a unit's operator, an editor and a coordinator (made with the CLI)."""

    editor: str
    boss: str
    operator: str


async def make_team(env: dict[str, str], cwd: Path) -> Team:
    assert (await cli(env, cwd, "unit", "add", "Kecamatan Bogor Barat"))[0] == 0
    editor = code_of((await cli(env, cwd, "invite", "redaktur"))[1])
    boss = code_of((await cli(env, cwd, "invite", "koordinator"))[1])
    operator = code_of((await cli(env, cwd, "invite", "operator", "--unit", "Bogor Barat"))[1])
    return Team(editor, boss, operator)


def cards_in(fake: FakeTelegram) -> list[Sent]:
    return [m for m in fake.messages_to(NEWSROOM_CHAT["id"]) if "Laporan #" in m.text]


async def join_and_report(fake: FakeTelegram, team: Team) -> tuple[TgUser, TgUser]:
    """Against a running process: everyone joins, the newsroom is bound, the operator sends
    a 2-photo album with a caption and taps Kirim; returns (editor, operator) at the card."""
    await until(lambda: fake.calls_of("getUpdates"), "polling to start")
    editor, operator = TgUser(fake, 801, "Rina"), TgUser(fake, 802, "Budi")
    boss = TgUser(fake, 803, "Kartika")
    fake.push(editor.text(f"/start {team.editor}"))
    fake.push(boss.text(f"/start {team.boss}"))
    await until(lambda: len(fake.messages_to(boss.id)) >= 1, "the coordinator joining")
    fake.push(boss.text("/redaksi", chat=NEWSROOM_CHAT))
    await until(lambda: fake.messages_to(NEWSROOM_CHAT["id"]), "the newsroom question")
    fake.push(boss.tap_button(fake.last_to(NEWSROOM_CHAT["id"]), "Ya"))
    fake.push(operator.text(f"/start {team.operator}"))
    await until(
        lambda: fake.messages_to(NEWSROOM_CHAT["id"]) and len(fake.messages_to(operator.id)) >= 2,
        "joining",
    )
    fake.push(operator.photo(jpeg(), caption=CAPTION, media_group_id="a1"))
    fake.push(operator.photo(jpeg(color=(9, 9, 9)), media_group_id="a1"))
    await until_preview(fake, operator, "Foto: 2")
    fake.push(operator.tap_button(fake.last_to(operator.id), "Kirim"))
    await until(lambda: cards_in(fake), "the card")
    return editor, operator

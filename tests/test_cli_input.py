"""The command line checks what a coordinator types, and says in one line what is wrong."""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.app import USERNAME_KEY
from bot.cli import main
from bot.settings import Settings
from storage.chats import Chats
from storage.db import make_engine, make_sessionmaker, upgrade
from tests.harness import Harness


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean environment (no WARTA_ settings, no .env) and a SQLite file of its own."""
    for key in [k for k in os.environ if k.startswith("WARTA_")]:
        monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WARTA_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("WARTA_TELEGRAM_API_URL", "http://127.0.0.1:1")  # never a real host
    return tmp_path


def warta(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """`warta ARGS` in-process: the exit code and everything printed."""
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse refusing the arguments
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.mark.parametrize("name", ["", "   ", "\u200b\u200c", "\t\n"])
def test_empty_unit_name_is_refused(env: Path, capsys, name: str) -> None:
    code, out = warta(capsys, "unit", "add", name)
    assert code == 2 and "nama unit tidak boleh kosong" in out
    assert "Belum ada unit" in warta(capsys, "unit", "list")[1]


def test_unit_name_is_tidied(env: Path, capsys) -> None:
    assert warta(capsys, "unit", "add", "  Kecamatan \u200bTanah   Sareal ")[0] == 0
    assert "Kecamatan Tanah Sareal (kecamatan)" in warta(capsys, "unit", "list")[1]


@pytest.mark.parametrize(
    "option", [["--days", "0"], ["--days", "-3"], ["--uses", "0"], ["--uses", "-1"]]
)
def test_invite_counts_must_be_positive(env: Path, capsys, option: list[str]) -> None:
    code, out = warta(capsys, "invite", "redaktur", *option)
    assert code == 2
    assert f"argument {option[0]}: harus bilangan bulat 1 sampai" in out
    assert "Kode:" not in out


def test_near_duplicate_unit_is_refused_with_a_hint(env: Path, capsys) -> None:
    assert warta(capsys, "unit", "add", "Kecamatan Bogor Barat")[0] == 0
    for similar in ["Bogor Barat", "bogor  BARAT", "Kec. Bogor Barat", "Kelurahan Bogor Barat"]:
        code, out = warta(capsys, "unit", "add", similar)
        assert code == 1, similar
        assert "mirip" in out and "1: Kecamatan Bogor Barat" in out and "--force" in out
    assert warta(capsys, "unit", "add", "Bogor Timur")[0] == 0  # a different name is fine
    assert warta(capsys, "unit", "add", "Kelurahan Bogor Barat", "--force")[0] == 0
    listed = warta(capsys, "unit", "list")[1]
    assert "Kelurahan Bogor Barat" in listed and listed.count("Bogor Barat") == 2


async def test_invite_without_a_token_prints_a_usable_code(
    env: Path, capsys, bot: Harness, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README: run once with the token in the shell, then `invite koordinator` without."""
    monkeypatch.setenv("WARTA_DATABASE_URL", database_url)
    code, out = await asyncio.to_thread(warta, capsys, "invite", "koordinator")
    assert code == 0, out
    found = re.search(r"Kode: (\w+) .*/start (\w+)", out)
    assert found and found.group(1) == found.group(2), out
    user = bot.user("Kartika", "Kabid")
    await bot.send(user.text(f"/start {found.group(1)}"))
    assert any("Selamat bergabung" in m.text for m in bot.fake.messages_to(user.id))


def test_invite_shows_the_link_once_the_bot_has_run(env: Path, capsys) -> None:
    async def bot_ran_once() -> None:
        engine = make_engine(os.environ["WARTA_DATABASE_URL"])
        await upgrade(engine)
        async with make_sessionmaker(engine)() as session, session.begin():
            await Chats(session).set_value(USERNAME_KEY, "warta_kotabogor_bot")
        await engine.dispose()

    asyncio.run(bot_ran_once())
    code, out = warta(capsys, "invite", "koordinator")
    assert code == 0
    assert re.search(r"https://t\.me/warta_kotabogor_bot\?start=(\w+)", out)
    assert "/start " in out


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql://warta@db/warta", "MySQLdb"),
        ("bukan-alamat", "Could not parse"),
        ("postgresql+asyncpg://warta:rahasia@127.0.0.1:1/warta", "Connect call failed"),
        ("postgresql+asyncpg://warta@127.0.0.1:bukanport/warta", "invalid literal"),
        ("sqlite+aiosqlite:///{tmp}/a-file/warta.db", "File exists"),
    ],
)
@pytest.mark.parametrize("command", [["run"], ["members"], ["migrate"]])
def test_wrong_database_url_is_one_clear_line(
    env: Path, capsys, monkeypatch: pytest.MonkeyPatch, url: str, says: str, command: list[str]
) -> None:
    (env / "a-file").write_text("not a folder")
    monkeypatch.setenv("WARTA_DATABASE_URL", url.format(tmp=env))
    monkeypatch.setenv("WARTA_TELEGRAM_TOKEN", "123456:TEST-TOKEN")  # never reached
    code, out = warta(capsys, *command)
    assert code == 2
    assert out.startswith("Database tidak bisa dibuka: ") and says in out, out
    assert out.count("\n") == 1 and "Traceback" not in out
    assert "rahasia" not in out and "WARTA_DATABASE_URL" in out


@pytest.mark.parametrize(
    "secret",
    [None, "", "pendek", "a" * 31, "x" * 31 + "!", "ada spasi di dalam rahasia ini yang panjang"],
)
def test_telegram_webhook_needs_a_strong_secret(
    env: Path, capsys, monkeypatch: pytest.MonkeyPatch, secret: str | None
) -> None:
    monkeypatch.setenv("WARTA_TELEGRAM_TOKEN", "123456:TEST-TOKEN")
    monkeypatch.setenv("WARTA_TELEGRAM_WEBHOOK_URL", "https://warta.kotabogor.go.id")
    if secret is not None:
        monkeypatch.setenv("WARTA_TELEGRAM_WEBHOOK_SECRET", secret)
    with pytest.raises(ValidationError):
        Settings(_env_file=None)
    code, out = warta(capsys, "run")
    assert code == 2 and "WARTA_TELEGRAM_WEBHOOK_SECRET" in out and "32" in out
    assert "Traceback" not in out and "input_value" not in out


def test_a_strong_webhook_secret_is_accepted(env: Path) -> None:
    strong = "Rahasia_Webhook-Kota-Bogor-2026-abcdef"
    settings = Settings(
        _env_file=None,
        telegram_webhook_url="https://warta.kotabogor.go.id",
        telegram_webhook_secret=strong,
    )
    assert settings.telegram_webhook_secret is not None
    assert Settings(_env_file=None).telegram_webhook_url is None  # polling needs no secret

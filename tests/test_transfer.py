"""A broken phone loses nothing (seed 004): a coordinator's one-time transfer code moves a
person to a new Telegram or WhatsApp account, with their history and their draft, and the
old account of that app loses access."""

from __future__ import annotations

import asyncio
import re

import pytest
from sqlalchemy import select

from storage.models import Contact, Role
from tests.channels import CHANNELS, Person, TelegramPerson, WhatsAppPerson, join
from tests.harness import CAPTION, Harness, jpeg
from tests.test_people_leave import cli_env, warta  # noqa: F401  (fixture)

pytestmark = pytest.mark.parametrize("channel", CHANNELS)


def new_account(h: Harness, channel: str, name: str) -> Person:
    """Another account on the same app: a new Telegram user, a new WhatsApp number."""
    if channel == "telegram":
        return TelegramPerson(h, h.user(name))
    return WhatsAppPerson(h, h.wa_user(name))


def start_with(channel: str, code: str) -> str:
    return f"/start {code}" if channel == "telegram" else f"GABUNG {code}"


def code_in(text: str) -> str:
    found = re.search(r"GABUNG (\w+)", text)
    assert found, text
    return found.group(1)


def address_of(person: Person) -> str:
    if isinstance(person, TelegramPerson):
        return str(person.user.id)
    assert isinstance(person, WhatsAppPerson)
    return person.user.address


async def addresses(h: Harness, channel: str) -> list[str]:
    async with h.w.sessionmaker() as session:
        rows = await session.scalars(select(Contact.address).where(Contact.channel == channel))
        return list(rows)


async def test_a_new_phone_takes_over_with_history_and_draft(both: Harness, channel: str) -> None:
    boss = await join(both, channel, "Kori Koordinator", Role.COORDINATOR)
    editor = await join(both, channel, "Rina Redaktur", Role.EDITOR)
    old = await join(both, channel, "Budi Santoso", Role.OPERATOR, "Kecamatan Bogor Barat")
    await old.photo(jpeg(), caption=CAPTION)
    await old.tap("Kirim")
    await old.command("lapor")
    await old.photo(jpeg(color=(200, 30, 30)))  # a draft in progress when the phone broke
    await both.settle()

    await boss.command("anggota", "pindah", "Budi")
    made = boss.last_text()
    assert "Budi Santoso" in made and "24 jam" in made
    code = code_in(made)
    new = new_account(both, channel, "Budi HP Baru")
    await new.say(start_with(channel, code))
    assert "sudah pindah" in new.last_text() and "Draf" in new.last_text()

    await new.say(CAPTION + " Lanjutan.")  # the draft came along
    await new.tap("Informasi")
    assert "Pratinjau" in new.last_text() and "Foto: 1" in new.last_text()
    await new.tap("Kirim")
    assert "#2026-0002" in new.last_text()
    await new.command("status")
    assert "#2026-0001" in new.last_text() and "#2026-0002" in new.last_text()
    await editor.tap("Setujui")
    assert "disetujui" in new.last_text()  # decisions reach the new account

    await old.say("/status")  # the lost phone has no access any more
    assert "#2026-0001" not in old.last_text() and "diundang" in old.last_text()
    known = await addresses(both, channel)
    assert address_of(old) not in known and address_of(new) in known

    third = new_account(both, channel, "Orang Lain")
    await third.say(start_with(channel, code))
    assert "sudah dipakai" in third.last_text()


async def test_a_transfer_code_expires_and_only_the_newest_works(
    both: Harness, channel: str
) -> None:
    boss = await join(both, channel, "Kori Koordinator", Role.COORDINATOR)
    old = await join(both, channel, "Budi Santoso", Role.OPERATOR, "Kecamatan Bogor Barat")
    await boss.command("anggota", "pindah", "Budi")
    first = code_in(boss.last_text())
    await boss.command("anggota", "pindah", "Budi")
    second = code_in(boss.last_text())
    new = new_account(both, channel, "Budi HP Baru")
    await new.say(start_with(channel, first))
    assert "dicabut" in new.last_text()
    both.clock.advance(hours=25)
    await new.say(start_with(channel, second))
    assert "kedaluwarsa" in new.last_text()
    await old.command("status")  # nothing moved: the old phone still works
    assert "Belum ada laporan" in old.last_text()


async def test_the_command_line_makes_a_transfer_code(
    both: Harness,
    channel: str,
    cli_env,  # noqa: F811
    capsys,
) -> None:
    old = await join(both, channel, "Budi Santoso", Role.OPERATOR, "Kecamatan Bogor Barat")
    code, out = await asyncio.to_thread(warta, capsys, "members", "transfer", "Budi")
    assert code == 0, out
    found = re.search(r"Kode pindah akun untuk Budi Santoso: (\w+)", out)
    assert found and f"/start {found.group(1)}" in out
    new = new_account(both, channel, "Budi HP Baru")
    await new.say(start_with(channel, found.group(1)))
    assert "sudah pindah" in new.last_text()
    await old.say("/status")
    assert "diundang" in old.last_text()

"""Unit & anggota on the desk (/unit): the same use cases as chat (handlers/units.py,
handlers/members.py), for coordinators only. Through the real app: web requests to Warta's
Starlette app, chat on the fake Bot API and Graph API."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from html import unescape
from pathlib import Path

import pytest
import segno
from sqlalchemy import select

from handlers.members import change_role
from storage.models import Invite, Member, Role, Unit
from tests.channels import TelegramPerson, join
from tests.conftest import PG_URL
from tests.desk_admin_helpers import (
    SignedIn,
    assert_coordinators_only,
    signed_in,
    start_warta,
    text_of,
)
from tests.fake_telegram import FakeTelegram
from tests.fake_whatsapp import FakeGraph
from tests.harness import Clock, Harness

PATH_STEP = re.compile(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?")


@pytest.fixture
async def h(
    fake: FakeTelegram, graph: FakeGraph, tmp_path: Path, database_url: str, clock: Clock
) -> AsyncIterator[Harness]:
    harness = await start_warta(fake, graph, tmp_path, database_url, clock)
    yield harness
    await harness.stop()


async def boss_of(h: Harness) -> SignedIn:
    return await signed_in(h, "Kartika Koordinator", Role.COORDINATOR)


async def units_named(h: Harness) -> dict[str, Unit]:
    async with h.w.sessionmaker() as session:
        return {u.name: u for u in await session.scalars(select(Unit))}


async def member_named(h: Harness, name: str) -> Member:
    async with h.w.sessionmaker() as session:
        found = await session.scalar(select(Member).where(Member.name == name))
    assert found is not None, name
    return found


async def test_every_route_is_for_coordinators_only(h: Harness) -> None:
    boss = await boss_of(h)
    await boss.post("/unit/tambah", {"nama": "Kecamatan Bogor Barat"})
    unit = (await units_named(h))["Kecamatan Bogor Barat"]
    made = await boss.post("/unit/undangan", {"peran": "editor"})
    code = re.search(r"/unit/undangan/(\w+)/qr-telegram\.svg", made.text)
    assert code, made.text
    member = await member_named(h, "Kartika Koordinator")
    routes = [("GET", "/unit"), ("GET", f"/unit/{unit.id}"), ("GET", f"/unit/anggota/{member.id}")]
    routes += [
        ("GET", f"/unit/undangan/{code[1]}"),
        ("GET", f"/unit/undangan/{code[1]}/qr-telegram.svg"),
    ]
    routes += [("POST", "/unit/tambah"), ("POST", "/unit/undangan")]
    routes += [("POST", f"/unit/undangan/{code[1]}/cabut")]
    routes += [("POST", f"/unit/{unit.id}/{a}") for a in ("ganti", "gabung", "arsip", "pulihkan")]
    routes += [
        ("POST", f"/unit/anggota/{member.id}/{a}")
        for a in ("peran", "nonaktifkan", "aktifkan", "pindah")
    ]
    await assert_coordinators_only(h, routes)
    assert "X" not in await units_named(h)  # nothing the operator posted was done
    assert (await member_named(h, "Kartika Koordinator")).active
    page = await boss.get("/unit")
    assert page.status_code == 200 and code[1] in page.text  # still open: not revoked


async def test_units_are_added_renamed_merged_archived_and_restored(h: Harness) -> None:
    boss = await boss_of(h)
    page = await boss.get("/unit")
    assert page.status_code == 200 and "Belum ada unit" in page.text
    added = await boss.post("/unit/tambah", {"nama": "  Kecamatan   Bogor Barat ", "jenis": ""})
    assert 'role="status"' in added.text and "Kecamatan Bogor Barat" in text_of(added.text)
    assert "ditambahkan" in text_of(added.text)

    # A near-duplicate is refused with the reason, and can be added on purpose.
    similar = await boss.post("/unit/tambah", {"nama": "Kec. Bogor Barat"})
    said = text_of(similar.text)
    assert 'role="alert"' in similar.text and "mirip unit yang sudah ada" in said
    assert 'name="paksa"' in similar.text and 'value="Kec. Bogor Barat"' in similar.text
    forced = await boss.post("/unit/tambah", {"nama": "Kelurahan Bogor Barat", "paksa": "1"})
    assert "ditambahkan" in text_of(forced.text)
    units = await units_named(h)
    assert set(units) == {"Kecamatan Bogor Barat", "Kelurahan Bogor Barat"}
    assert units["Kecamatan Bogor Barat"].kind == "kecamatan"

    # The same check in chat, with the way to add it anyway.
    chat_boss = boss.person
    await chat_boss.command("unit", "tambah", "Bogor", "Barat")
    assert "mirip unit yang sudah ada" in chat_boss.last_text()
    assert "/unit tambah paksa Bogor Barat" in chat_boss.last_text()
    await chat_boss.command("unit", "tambah", "paksa", "Desa", "Bogor", "Barat")
    assert "Desa Bogor Barat ditambahkan" in chat_boss.last_text()

    old, new = units["Kecamatan Bogor Barat"], units["Kelurahan Bogor Barat"]
    renamed = await boss.post(f"/unit/{new.id}/ganti", {"nama": "Kelurahan Menteng"})
    assert "sekarang bernama Kelurahan Menteng" in text_of(renamed.text)
    taken = await boss.post(f"/unit/{new.id}/ganti", {"nama": "kecamatan bogor barat"})
    assert "sudah ada" in text_of(taken.text)

    operator = await join(h, "telegram", "Budi", Role.OPERATOR, "Kelurahan Menteng")
    busy = await boss.post(f"/unit/{new.id}/arsip")
    assert "masih punya 1 anggota aktif" in text_of(busy.text)
    merged = await boss.post(f"/unit/{new.id}/gabung", {"tujuan": str(old.id)})
    assert "1 anggota dan 0 laporan dipindah" in text_of(merged.text)
    assert "digabung ke" in text_of(merged.text)
    await operator.command("status")  # Budi reports for the merged unit now
    assert (await member_named(h, "Budi")).unit_id == old.id

    empty = (await units_named(h))["Desa Bogor Barat"]
    archived = await boss.post(f"/unit/{empty.id}/arsip", htmx=True)
    # htmx: only the page's body, and what was said for the live region
    assert (
        not archived.text.startswith("<!doctype")
        and 'hx-swap-oob="innerHTML:#said"' in archived.text
    )
    assert "diarsipkan" in text_of(archived.text) and "Pulihkan unit" in archived.text
    listed = text_of((await boss.get("/unit")).text)
    assert "Diarsipkan (2)" in listed  # the merged one and this one
    restored = await boss.post(f"/unit/{empty.id}/pulihkan")
    assert "aktif lagi" in text_of(restored.text)
    again = await boss.post(f"/unit/{empty.id}/pulihkan")
    assert "tidak diarsipkan" in text_of(again.text) and 'role="alert"' in again.text
    assert (await boss.post("/unit/999/arsip")).status_code == 404
    assert (await boss.get("/unit/999")).status_code == 404
    assert (await boss.post(f"/unit/{empty.id}/hapus")).status_code == 404


async def first_load(who: SignedIn, page: str) -> int:
    """Bytes a browser with an empty cache fetches for this page (uncompressed)."""
    assets = re.findall(r'(?:rel="stylesheet" href|src)="(/[^"]+)"', page)
    sizes = [len((await who.client.get(unescape(path))).content) for path in set(assets)]
    assert len(sizes) == 4, assets  # desk.css, htmx, two QR codes
    return len(page.encode()) + sum(sizes)


def qr_modules(svg: bytes) -> set[tuple[int, int]]:
    """The dark modules of a segno SVG (rows drawn as horizontal strokes)."""
    path = re.search(rb'class="qrline"[^>]* d="([^"]+)"', svg)
    assert path, svg[:300]
    dark: set[tuple[int, int]] = set()
    x = y = 0.0
    for command, a, b in PATH_STEP.findall(path[1].decode()):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            dark.update((int(x) + i, int(y)) for i in range(int(float(a))))
            x += float(a)
    return dark


def expected_modules(text: str, border: int = 2) -> set[tuple[int, int]]:
    matrix = segno.make(text, error="m").matrix
    return {
        (col + border, row + border)
        for row, line in enumerate(matrix)
        for col, value in enumerate(line)
        if value
    }


async def test_an_invite_with_its_qr_codes_then_revoked(h: Harness) -> None:
    boss = await boss_of(h)
    await boss.post("/unit/tambah", {"nama": "Kecamatan Tanah Sareal"})
    unit = (await units_named(h))["Kecamatan Tanah Sareal"]
    missing = await boss.post("/unit/undangan", {"peran": "operator", "unit": ""})
    assert "perlu nama unit" in text_of(missing.text)
    made = await boss.post(
        "/unit/undangan", {"peran": "operator", "unit": str(unit.id), "jumlah": "2"}
    )
    shown = text_of(made.text)
    async with h.w.sessionmaker() as session:
        invite = await session.scalar(select(Invite).where(Invite.unit_id == unit.id))
    assert invite is not None and invite.max_uses == 2 and invite.role == Role.OPERATOR
    assert f"kode {invite.code}" in shown and "untuk Kecamatan Tanah Sareal" in shown
    telegram = f"https://t.me/warta_test_bot?start={invite.code}"
    whatsapp = f"https://wa.me/6281100000000?text=GABUNG%20{invite.code}"
    assert telegram in made.text and whatsapp in made.text and f"GABUNG {invite.code}" in shown

    for channel, link in (("telegram", telegram), ("whatsapp", whatsapp)):
        src = f"/unit/undangan/{invite.code}/qr-{channel}.svg"
        assert f'src="{src}"' in made.text
        image = await boss.client.get(src)
        assert image.status_code == 200 and image.headers["content-type"] == "image/svg+xml"
        assert image.headers["cache-control"] == "no-store"
        assert qr_modules(image.content) == expected_modules(link)  # it says the link
    projector = await boss.get(f"/unit/undangan/{invite.code}")
    assert projector.status_code == 200 and "qr-telegram.svg" in projector.text
    assert await first_load(boss, made.text) <= 60_000  # the page, its CSS, htmx, both QR codes

    newcomer = h.user("Sari", "Sareal")
    await h.send(newcomer.text(f"/start {invite.code}"))
    assert "Kecamatan Tanah Sareal" in h.fake.texts_to(newcomer.id)[0]
    listed = text_of((await boss.get("/unit")).text)
    assert f"{invite.code} operator Kecamatan Tanah Sareal 1/2" in listed
    assert "Sari Sareal operator Kecamatan Tanah Sareal Telegram aktif" in listed

    revoked = await boss.post(f"/unit/undangan/{invite.code}/cabut")
    assert "dicabut" in text_of(revoked.text)
    assert (
        await boss.client.get(f"/unit/undangan/{invite.code}/qr-telegram.svg")
    ).status_code == 404
    assert (await boss.get(f"/unit/undangan/{invite.code}")).status_code == 404
    late = h.user("Telat")
    await h.send(late.text(f"/start {invite.code}"))
    assert "dicabut" in h.fake.texts_to(late.id)[-1]
    twice = await boss.post(f"/unit/undangan/{invite.code}/cabut")
    assert "memang sudah dicabut" in text_of(twice.text)


async def test_members_deactivated_moved_and_given_roles(h: Harness) -> None:
    boss = await boss_of(h)
    operator = await join(h, "telegram", "Budi Santoso", Role.OPERATOR, "Kecamatan Bogor Barat")
    budi = await member_named(h, "Budi Santoso")
    page = await boss.get(f"/unit/anggota/{budi.id}")
    assert page.status_code == 200 and "Kecamatan Bogor Barat" in text_of(page.text)

    off = await boss.post(f"/unit/anggota/{budi.id}/nonaktifkan")
    assert "dinonaktifkan" in text_of(off.text) and "Aktifkan Budi Santoso" in off.text
    await operator.command("lapor")
    assert "dinonaktifkan" in operator.last_text()
    on = await boss.post(f"/unit/anggota/{budi.id}/aktifkan")
    assert "aktif lagi" in text_of(on.text)

    moved = await boss.post(f"/unit/anggota/{budi.id}/pindah")
    code = re.search(r"GABUNG (\w+)", text_of(moved.text))
    assert code, text_of(moved.text)
    assert "berlaku 24 jam" in text_of(moved.text)
    new_phone = h.user("Budi", "HP baru")
    await h.send(new_phone.text(f"/start {code[1]}"))
    assert "akunmu sudah pindah" in h.fake.texts_to(new_phone.id)[-1]
    await operator.command("status")  # the old account is detached
    assert "diundang" in operator.last_text()

    promoted = await boss.post(f"/unit/anggota/{budi.id}/peran", {"peran": "editor"})
    assert "sekarang redaktur" in text_of(promoted.text)
    await h.w.outbox.drain()  # the desk queued it; the worker sends it
    assert "Peranmu di Warta sekarang redaktur" in h.fake.texts_to(new_phone.id)[-1]
    assert (await member_named(h, "Budi Santoso")).role == Role.EDITOR
    back = await boss.post(f"/unit/anggota/{budi.id}/peran", {"peran": "operator"})
    assert "sekarang operator" in text_of(back.text)  # keeps his unit
    same = await boss.post(f"/unit/anggota/{budi.id}/peran", {"peran": "operator"})
    assert "memang sudah operator" in text_of(same.text)

    me = await member_named(h, "Kartika Koordinator")
    assert "Nonaktifkan Kartika" not in (await boss.get(f"/unit/anggota/{me.id}")).text
    other = await member_named(h, "Kabid Koordinator")  # who bound the newsroom
    await boss.post(f"/unit/anggota/{other.id}/nonaktifkan")
    alone = await boss.post(f"/unit/anggota/{me.id}/peran", {"peran": "editor"})
    assert 'role="alert"' in alone.text and "koordinator aktif terakhir" in text_of(alone.text)
    assert (await member_named(h, "Kartika Koordinator")).role == Role.COORDINATOR
    await boss.post(f"/unit/anggota/{budi.id}/peran", {"peran": "coordinator"})
    stepped = await boss.post(f"/unit/anggota/{me.id}/peran", {"peran": "editor"})
    assert stepped.status_code == 303 and stepped.headers["location"] == "/dasbor"
    assert (await member_named(h, "Kartika Koordinator")).role == Role.EDITOR
    assert (await boss.client.get("/unit")).status_code == 403  # closed to her at once


async def test_chat_changes_roles_with_the_same_rule(h: Harness) -> None:
    boss = TelegramPerson(h, await h.join(h.user("Kartika"), Role.COORDINATOR))  # the only one
    await h.join(h.user("Rina"), Role.EDITOR)
    kartika, rina = await member_named(h, "Kartika"), await member_named(h, "Rina")
    await boss.command("anggota", "peran")
    assert "Cara pakai: /anggota peran" in boss.last_text()
    await boss.command("anggota", "peran", str(kartika.id), "redaktur")
    assert "koordinator aktif terakhir" in boss.last_text()
    await boss.command("anggota", "peran", str(rina.id), "operator")
    assert "Operator perlu unit" in boss.last_text()
    await boss.command("anggota", "peran", str(rina.id), "operator", "Kecamatan", "Tak", "Ada")
    assert "tidak ditemukan" in boss.last_text()
    await boss.command("anggota", "peran", str(rina.id), "koordinator")
    assert "Rina sekarang koordinator" in boss.last_text().replace("*", "")
    await boss.command("anggota", "peran", str(kartika.id), "redaktur")
    assert "Kartika sekarang redaktur" in boss.last_text().replace("*", "")
    await boss.command("anggota", "peran", str(rina.id), "redaktur")
    assert "Hanya koordinator" in boss.last_text()  # she is an editor now


@pytest.mark.skipif(not PG_URL, reason="row locks: PostgreSQL")
async def test_two_coordinators_stepping_down_at_once_leave_one(h: Harness) -> None:
    await h.join(h.user("Kartika"), Role.COORDINATOR)
    await h.join(h.user("Dedi"), Role.COORDINATOR)
    kartika, dedi = await member_named(h, "Kartika"), await member_named(h, "Dedi")
    said = await asyncio.gather(
        h.w.engine.act(kartika.id, lambda ctx: change_role(ctx, kartika.id, Role.EDITOR)),
        h.w.engine.act(dedi.id, lambda ctx: change_role(ctx, dedi.id, Role.EDITOR)),
    )
    assert sorted(outcome.done for outcome in said) == [False, True]
    roles = {(await member_named(h, n)).role for n in ("Kartika", "Dedi")}
    assert roles == {Role.COORDINATOR, Role.EDITOR}

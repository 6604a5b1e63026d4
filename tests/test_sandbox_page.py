"""The sandbox page's routes (issue 12) against the real Warta and the emulator, through httpx:
the trainer's controls, odd uploads, taps that are not on the message, forged posts, reset."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.sandbox.page import COOKIE
from bot.sandbox.run import LEADERS, NEWSROOM, REMINDERS, Sandbox
from bot.sandbox.serve import page_address, sandbox_app
from tests.harness import CAPTION, MONDAY_9_WIB, RunningClock, jpeg, make_settings

URL = "http://sandbox.test"
UNIT = "Kecamatan Bogor Barat"


@pytest.fixture
async def page(tmp_path: Path) -> AsyncIterator[tuple[Sandbox, httpx.AsyncClient]]:
    (tmp_path / "real").mkdir()
    base = make_settings(tmp_path / "real", f"sqlite+aiosqlite:///{tmp_path / 'real.db'}")
    base = base.model_copy(update={"album_wait_seconds": 0.3})
    # Monday: a day with a pillar (a Sunday run would have no reminder to send).
    sandbox = Sandbox(base, tmp_path / "box", public_url=URL, clock=RunningClock(MONDAY_9_WIB))
    await sandbox.start()
    app = sandbox_app(sandbox, URL)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=URL) as client:
        yield sandbox, client
    app.state.page.close()
    await sandbox.stop()


async def trainee(client: httpx.AsyncClient, name: str = "Budi Santoso") -> int:
    joined = await client.post("/ikut", data={"nama": name, "peran": UNIT})
    assert joined.status_code == 303
    return int(joined.headers["location"].rsplit("/", 1)[1])


async def answer(sandbox: Sandbox, chat_id: int, words: str) -> str:
    found = await sandbox.api.wait_for(
        lambda: [m.text for m in sandbox.api.messages_to(chat_id) if words in m.text], 20
    )
    return str(found[-1])


async def test_the_reminder_now_reaches_the_group_and_its_report_link_opens_the_own_chat(
    page: tuple[Sandbox, httpx.AsyncClient],
) -> None:
    sandbox, client = page
    me = await trainee(client)
    fired = await client.post("/pelatih/pengingat")
    assert fired.headers["location"] == "/?kabar=pengingat-1"
    assert "Pilar" in await answer(sandbox, int(REMINDERS["id"]), "Pilar")
    group = await client.get(f"/obrolan/{REMINDERS['id']}")
    assert 'href="/mulai?start=lapor"' in group.text and "t.me/" not in group.text
    opened = await client.get("/mulai?start=lapor")
    assert opened.headers["location"] == f"/obrolan/{me}"
    await answer(sandbox, me, "foto")
    again = await client.post("/pelatih/pengingat")  # as often as the trainer likes
    assert again.headers["location"] == "/?kabar=pengingat-1"


async def test_the_nudge_reaches_units_without_a_report_today(
    page: tuple[Sandbox, httpx.AsyncClient],
) -> None:
    sandbox, client = page
    me = await trainee(client)
    fired = await client.post("/pelatih/dorongan")
    assert fired.headers["location"] == "/?kabar=dorongan-1"  # only Bogor Barat has an admin
    assert "Bogor Barat" in await answer(sandbox, me, "Bogor Barat")
    home = await client.get(fired.headers["location"])
    assert "1 kecamatan" in home.text


async def test_a_file_that_is_not_a_picture_goes_as_a_file_and_warta_explains(
    page: tuple[Sandbox, httpx.AsyncClient],
) -> None:
    sandbox, client = page
    me = await trainee(client)
    pdf = {"foto": ("undangan.pdf", b"%PDF-1.4 not a photo", "application/pdf")}
    sent = await client.post(f"/obrolan/{me}/foto", files=pdf, data={"keterangan": CAPTION})
    assert sent.status_code == 303
    assert "bukan foto" in await answer(sandbox, me, "bukan foto")
    nothing = await client.post(f"/obrolan/{me}/foto", data={"keterangan": "x"})
    assert nothing.headers["location"] == f"/obrolan/{me}?kabar=pilih"


async def test_two_photos_are_one_album_and_a_tap_must_be_on_the_message(
    page: tuple[Sandbox, httpx.AsyncClient],
) -> None:
    sandbox, client = page
    me = await trainee(client)
    files = [
        ("foto", ("a.jpg", jpeg(color=(10, 90, 160)), "image/jpeg")),
        ("foto", ("b.jpg", jpeg(color=(160, 90, 10)), "image/jpeg")),
    ]
    await client.post(f"/obrolan/{me}/foto", files=files, data={"keterangan": CAPTION})
    preview_text = await answer(sandbox, me, "2 foto diterima")
    assert "Pratinjau" in preview_text
    preview = sandbox.api.messages_to(me)[-1]
    pushed = len(sandbox.api.updates)
    forged = {"pesan": str(preview.message_id), "data": "rv:approve:1"}
    await client.post(f"/obrolan/{me}/tekan", data=forged)
    assert len(sandbox.api.updates) == pushed  # not a button of that message: nothing sent
    chat = await client.get(f"/obrolan/{me}")
    assert chat.text.count('class="photos n2"') == 1  # the two photos shown as one album


async def test_a_post_from_another_site_is_refused(
    page: tuple[Sandbox, httpx.AsyncClient],
) -> None:
    _, client = page
    refused = await client.post("/pelatih/ulang", headers={"Sec-Fetch-Site": "cross-site"}, data={})
    assert refused.status_code == 403


async def test_reset_starts_from_the_demo_again(
    page: tuple[Sandbox, httpx.AsyncClient],
) -> None:
    sandbox, client = page
    me = await trainee(client)
    await client.post(f"/obrolan/{me}/tulis", data={"teks": "/lapor"})
    await answer(sandbox, me, "foto")
    reset = await client.post("/pelatih/ulang")
    assert reset.headers["location"] == "/?kabar=ulang"
    assert COOKIE not in client.cookies  # the old trainee is gone with the chats
    assert (await client.get(f"/obrolan/{me}")).status_code == 404
    assert [p.user.name for p in sandbox.people.values()] == ["Kabid IKP", "Rina Redaktur"]
    for group in (NEWSROOM, LEADERS, REMINDERS):
        assert len(sandbox.api.messages_to(int(group["id"]))) == 1  # the binding answer only
    home = await client.get("/")
    assert "Ikut latihan" in home.text and "Pilar hari ini" in home.text


async def test_the_desk_opens_from_a_link_in_the_sandbox_chat(
    page: tuple[Sandbox, httpx.AsyncClient],
) -> None:
    """/dasbor in the demo editor's chat: the login link points at the sandbox's own address,
    and the desk behind it is the real one, on the same server as the page."""
    sandbox, client = page
    assert sandbox.demo is not None
    editor = sandbox.demo.editor.id
    await client.post(f"/obrolan/{editor}/tulis", data={"teks": "/dasbor"})
    link = await answer(sandbox, editor, f"{URL}/masuk/")
    code = link.split(f"{URL}/masuk/")[1].split()[0]
    confirm = await client.get(f"/masuk/{code}")
    assert confirm.status_code == 200 and "Rina Redaktur" in confirm.text


async def test_a_bimtek_room_thirty_trainees_at_once(
    page: tuple[Sandbox, httpx.AsyncClient],
) -> None:
    """Thirty phones pick names at the same moment and each sends a report: everyone gets an
    own chat and an own preview, and every card reaches the newsroom once."""
    sandbox, client = page

    async def one(n: int) -> None:
        me = await trainee(client, f"Peserta {n}")
        photo = {"foto": ("a.jpg", jpeg(color=(n * 8, 90, 200 - n * 5)), "image/jpeg")}
        await client.post(f"/obrolan/{me}/foto", files=photo, data={"keterangan": CAPTION})
        preview = await sandbox.api.wait_for(
            lambda: [m for m in sandbox.api.messages_to(me) if "Kirim" in str(m.buttons)], 60
        )
        [send] = [data for label, data in preview[-1].buttons if "Kirim" in label]
        await client.post(
            f"/obrolan/{me}/tekan", data={"pesan": preview[-1].message_id, "data": send}
        )

    await asyncio.gather(*(one(n) for n in range(30)))

    def cards() -> list[str]:
        texts = sandbox.api.texts_to(int(NEWSROOM["id"]))
        return [text for text in texts if "Laporan #" in text]

    await sandbox.api.wait_for(lambda: len(cards()) >= 30, 60)
    senders = {line for text in cards() for line in text.splitlines() if "Pengirim:" in line}
    assert len(cards()) == 30 and len(senders) == 30


def test_on_every_address_the_page_names_one_a_phone_can_open() -> None:
    """--host 0.0.0.0: the QR code must carry the laptop's own address, never 0.0.0.0."""
    address = page_address("0.0.0.0", 8080)
    host = address.removeprefix("http://").removesuffix(":8080")
    assert host != "0.0.0.0" and ipaddress.ip_address(host).version == 4
    assert page_address("127.0.0.1", 8081) == "http://127.0.0.1:8081"

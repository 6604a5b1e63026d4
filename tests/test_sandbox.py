"""The sandbox (issue 12): the real Warta against the Bot API emulator in its own process,
seeded with the demo organization; a trainee joins and reports, and the newsroom gets the card.
"""

from __future__ import annotations

import socket
from pathlib import Path

from bot.sandbox.run import DEMO_UNITS, LEADERS, NEWSROOM, REMINDERS, Sandbox
from storage.models import Role
from storage.people import People
from tests.harness import CAPTION, MONDAY_9_WIB, RunningClock, jpeg, make_settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_a_trainee_reports_into_the_demo_newsroom(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    real_db = tmp_path / "real.db"
    url = f"sqlite+aiosqlite:///{real_db}"
    base = make_settings(tmp_path / "real", url, album_wait_seconds=0.3)
    sandbox = Sandbox(
        base,
        tmp_path / "sandbox",
        public_url=f"http://127.0.0.1:{_free_port()}",
        clock=RunningClock(MONDAY_9_WIB),  # a day with a pillar: the preview comes at once
    )
    await sandbox.start()
    try:
        api = sandbox.api
        bound = {"ruang redaksi": NEWSROOM, "grup pimpinan": LEADERS, "Pengingat pilar": REMINDERS}
        for words, group in bound.items():
            assert words in api.messages_to(group["id"])[-1].text, group["title"]
        async with sandbox.warta.sessionmaker() as session:
            people = People(session)
            org = await people.default_org(name="-", timezone="Asia/Jakarta")
            assert [u.name for u in await people.units(org.id)] == sorted(DEMO_UNITS)

        trainee = sandbox.person("Budi")
        welcome = await sandbox.join(trainee, Role.OPERATOR, "Kecamatan Bogor Barat")
        assert "Bogor Barat" in welcome.text
        api.push(trainee.photo(jpeg(), caption=CAPTION))
        preview = await api.wait_for(
            lambda: [m for m in api.messages_to(trainee.id) if "Kirim" in str(m.buttons)]
        )
        [send] = [data for label, data in preview[-1].buttons if "Kirim" in label]
        before = len(api.messages_to(NEWSROOM["id"]))
        api.push(trainee.tap(preview[-1], send))
        cards = await api.wait_for(
            lambda: [m for m in api.messages_to(NEWSROOM["id"])[before:] if "Laporan #" in m.text]
        )
        assert CAPTION[:30] in cards[0].text
        assert not real_db.exists()  # the sandbox never touches the real database
    finally:
        await sandbox.stop()

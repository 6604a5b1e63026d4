"""An in-process Warta wired to the fake Bot API, with a clock the test controls."""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from PIL import Image, ImageDraw

from bot.app import Warta
from bot.settings import Settings
from storage.models import Role, utcnow
from storage.people import People
from tests.fake_telegram import FakeTelegram, Sent
from tests.fake_whatsapp import FakeGraph
from tests.telegram_users import NEWSROOM_CHAT, TgUser
from tests.whatsapp_users import APP_SECRET, WaUser, encode, sign


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class RunningClock:
    """Real time, moved to start at `start`: the day of the week a test needs, while timers and
    waits run as they do in a real process (the sandbox tests)."""

    def __init__(self, start: datetime) -> None:
        self.offset = start - utcnow()

    def __call__(self) -> datetime:
        return utcnow() + self.offset


ROOT = Path(__file__).resolve().parent.parent

# Monday 23 Nov 2026, 09:00 WIB: the Kota Bogor pillar is "Informasi".
MONDAY_9_WIB = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def make_settings(tmp_path: Path, database_url: str, **overrides: Any) -> Settings:
    logo = tmp_path / "logo.png"
    if not logo.exists():
        Image.new("RGB", (120, 120), (20, 90, 160)).save(logo)
    values: dict[str, Any] = {
        "org_address": "Jl. Ir. H. Juanda No. 10, Kota Bogor",
        "org_logo": logo,
        "telegram_token": "123456:TEST-TOKEN",
        "telegram_api_url": "http://fake-telegram",
        "database_url": database_url,
        "media_dir": tmp_path / "media",
        "album_wait_seconds": 3600,  # tests settle albums explicitly
        # Pacing off: the fake has no flood control (bench/reminder_broadcast.py tests it).
        "telegram_group_rate": 1_000_000,
        "telegram_overall_rate": 1_000_000,
        "org_name": "Diskominfo Kota Bogor",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


def whatsapp_settings(graph: FakeGraph) -> dict[str, Any]:
    return {
        "whatsapp_phone_id": graph.phone_id,
        "whatsapp_token": graph.token,
        "whatsapp_app_secret": APP_SECRET,
        "whatsapp_verify_token": "verify-me",
        "whatsapp_number": "6281100000000",
        "whatsapp_api_url": "http://fake-graph",
    }


class Harness:
    def __init__(
        self,
        fake: FakeTelegram,
        settings: Settings,
        clock: Clock,
        graph: FakeGraph | None = None,
        sites: dict[str, Any] | None = None,
    ) -> None:
        self.fake, self.settings, self.clock, self.graph = fake, settings, clock, graph
        self.sites = sites or {}  # publishing target -> the fake's ASGI app
        self.warta: Warta | None = None
        self._users = 0
        self._coordinator: TgUser | None = None

    async def start(self) -> Harness:
        transport = httpx.ASGITransport(app=self.fake.app)
        graph = {"transport": httpx.ASGITransport(app=self.graph.app)} if self.graph else None
        self.warta = Warta(
            self.settings,
            httpx_kwargs={"transport": transport},
            whatsapp_httpx_kwargs=graph,
            publishing_httpx_kwargs={
                name: {"transport": httpx.ASGITransport(app=app)}
                for name, app in self.sites.items()
            },
            clock=self.clock,
        )
        await self.warta.start(background=False)
        return self

    async def stop(self) -> None:
        if self.warta is not None:
            await self.warta.stop()
            self.warta = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    @property
    def w(self) -> Warta:
        assert self.warta is not None
        return self.warta

    async def send(self, content: dict[str, Any], *, deliver: bool = True) -> dict[str, Any]:
        update = self.fake.push(content)
        self.fake.updates.remove(update)  # in-process: we deliver it, nobody polls
        await self.w.process(update)
        if deliver:
            await self.w.engine.drain_background()
            await self.w.outbox.drain()
        return update

    async def wa_post(
        self, body: dict[str, Any], *, signature: str | None = "sign", deliver: bool = True
    ) -> httpx.Response:
        """POST a webhook body to the web app as Meta would (signed unless told otherwise)."""
        raw = encode(body)
        headers = {"Content-Type": "application/json"}
        if signature == "sign":
            headers["X-Hub-Signature-256"] = sign(raw)
        elif signature is not None:
            headers["X-Hub-Signature-256"] = signature
        transport = httpx.ASGITransport(app=self.w.web.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://warta") as client:
            response = await client.post("/webhooks/whatsapp", content=raw, headers=headers)
        await self.w.web.drain()
        if deliver:
            await self.w.engine.drain_background()
            await self.w.outbox.drain()
        return response

    def wa_user(self, name: str) -> WaUser:
        assert self.graph is not None
        self._users += 1
        return WaUser(self.graph, f"62812000{self._users:05d}", name)

    async def wa_join(self, user: WaUser, role: Role, unit: str | None = None) -> WaUser:
        code = await self.invite_code(role, unit)
        await self.wa_post(user.text(f"GABUNG {code}"))
        return user

    async def tick(self) -> None:
        """One scheduler pass at the clock's time, then deliver what it queued."""
        await self.w.scheduler.tick()
        await self.w.outbox.drain()

    async def redeliver(self, update: dict[str, Any]) -> None:
        await self.w.process(update)
        await self.w.outbox.drain()

    async def settle(self) -> None:
        await self.w.engine.settle_now()
        await self.w.outbox.drain()

    def user(self, first_name: str, last_name: str = "") -> TgUser:
        self._users += 1
        return TgUser(self.fake, 5_000_000 + self._users, first_name, last_name)

    async def invite_code(
        self, role: Role, unit: str | None = None, uses: int = 1, days: int = 7
    ) -> str:
        async with self.w.sessionmaker() as session, session.begin():
            people = People(session)
            org = await people.default_org(
                name=self.settings.org_name, timezone=self.settings.timezone
            )
            unit_row = None
            if unit is not None:
                unit_row = await people.unit_named(org.id, unit) or await people.add_unit(
                    org, name=unit, kind="kecamatan", now=self.clock()
                )
            invite = await people.add_invite(
                org.id,
                role=role,
                unit_id=unit_row.id if unit_row else None,
                max_uses=uses,
                valid_for=timedelta(days=days),
                created_by=None,
                now=self.clock(),
            )
            return invite.code

    async def join(self, user: TgUser, role: Role, unit: str | None = None) -> TgUser:
        code = await self.invite_code(role, unit)
        await self.send(user.text(f"/start {code}"))
        return user

    async def newsroom(
        self, editor: TgUser | None = None, chat: dict[str, Any] | None = None
    ) -> None:
        """Bind the newsroom group as a coordinator would: /redaksi, then confirm. The editor
        is only there for the scenario's sake: binding is the coordinator's act."""
        chat = chat or NEWSROOM_CHAT
        if self._coordinator is None:
            self._coordinator = await self.join(self.user("Kabid", "Koordinator"), Role.COORDINATOR)
        boss = self._coordinator
        await self.send(boss.text("/redaksi", chat=chat))
        question = self.fake.messages_to(chat["id"])[-1]
        if any(data == "nb:1" for _, data in question.buttons):
            await self.send(boss.tap_button(question, "Ya"))

    def newsroom_messages(self) -> list[Sent]:
        return self.fake.messages_to(NEWSROOM_CHAT["id"])

    def card(self) -> Sent:
        """The newest card in the newsroom: the photo message (a contact sheet, or the one photo)
        with the card as its caption; a text message where the newsroom gets albums."""
        cards = [m for m in self.newsroom_messages() if "📝 Laporan #" in m.text]
        return cards[-1]

    def last_to(self, user: TgUser) -> Sent:
        return self.fake.last_to(user.id)


def jpeg(
    width: int = 1200,
    height: int = 900,
    color: tuple[int, int, int] = (40, 120, 200),
    exif: Image.Exif | None = None,
) -> bytes:
    """A real JPEG made in memory: textured (sharp), and a different scene for each color, so
    that the checks for blur and for photos used before see what a camera would give them."""
    rng = random.Random(hash(color) & 0xFFFF)
    image = Image.effect_noise((width // 4, height // 4), 30).convert("RGB")
    image = Image.blend(image, Image.new("RGB", image.size, color), 0.4).resize((width, height))
    draw = ImageDraw.Draw(image)
    for _ in range(20):
        x, y = rng.randrange(width), rng.randrange(height)
        w, h = rng.randrange(width // 20, width // 3), rng.randrange(height // 20, height // 3)
        draw.rectangle((x, y, x + w, y + h), fill=tuple(rng.randrange(256) for _ in range(3)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif if exif is not None else Image.Exif())
    return out.getvalue()


CAPTION = (
    "Kerja bakti membersihkan saluran air di Kelurahan Cibuluh, Senin pagi, "
    "bersama warga RW 05 dan petugas kecamatan."
)

"""The sandbox: the real Warta, with the real Telegram adapter (python-telegram-bot), talking to
the Bot API emulator in this process instead of Telegram. Nothing leaves the machine.

It keeps its own SQLite file and media under its own folder, never a real database, and
starts from the demo organization every time (the emulator's chats live in memory, so a
database kept from an earlier run would name chats the emulator no longer knows).
"""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from bot.app import Warta
from bot.sandbox.bot_api import BotApi, Sent
from bot.sandbox.people import ChatUser
from bot.settings import Settings
from handlers.context import Context
from storage.models import Role, utcnow
from storage.people import People

TOKEN = "424242:WARTA-SANDBOX"
BOT_ID, BOT_USERNAME = 424242, "warta_latihan_bot"
API_URL = "http://bot-api.sandbox"  # never resolved: requests go to the emulator in-process
# Kota Bogor's six kecamatan: the demo organization trainees report for.
DEMO_UNITS = (
    "Kecamatan Bogor Barat",
    "Kecamatan Bogor Timur",
    "Kecamatan Bogor Utara",
    "Kecamatan Bogor Selatan",
    "Kecamatan Bogor Tengah",
    "Kecamatan Tanah Sareal",
)
NEWSROOM = {"id": -1000000000001, "type": "supergroup", "title": "Redaksi Diskominfo (latihan)"}
LEADERS = {"id": -1000000000002, "type": "group", "title": "Pimpinan (latihan)"}
REMINDERS = {"id": -1000000000003, "type": "supergroup", "title": "Admin Kecamatan (latihan)"}
ANSWER_WAIT = 30.0  # seconds the seeding waits for the bot's answer to one step


@dataclass
class Demo:
    """Who is there from the start: the coordinator who set it up, and an editor."""

    coordinator: ChatUser
    editor: ChatUser


@dataclass(frozen=True)
class Person:
    """Someone in the sandbox: a trainee who picked a name, or one of the demo people."""

    user: ChatUser
    role: Role
    unit: str | None = None


def sandbox_settings(base: Settings, folder: Path, *, public_url: str) -> Settings:
    """The base settings (zone, schedule, texts) with the sandbox's own bot, files and address."""
    return base.model_copy(
        update={
            "telegram_token": SecretStr(TOKEN),
            "telegram_api_url": API_URL,
            "telegram_bot_username": BOT_USERNAME,
            "telegram_webhook_url": None,
            "whatsapp_phone_id": None,
            "database_url": f"sqlite+aiosqlite:///{folder / 'warta.db'}",
            "media_dir": folder / "media",
            "heartbeat_file": folder / "heartbeat",
            # The demo organization, whatever office's settings it starts from.
            "org_name": "Diskominfo Kota Bogor",
            "timezone": "Asia/Jakarta",
            "schedule": "kota-bogor",
            "region_code": "32.71",
            "public_url": public_url,  # desk links in chat ("Buka di dasbor") open this page's desk
        }
    )


class _SandboxWarta(Warta):
    """Warta whose web app the sandbox serves itself (beside its page, across resets)."""

    @property
    def serves_web(self) -> bool:
        return False


class Sandbox:
    """The running sandbox: start, stop, reset to the demo, and what people do in it."""

    def __init__(
        self,
        base: Settings,
        folder: Path,
        *,
        public_url: str,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.folder, self.clock = folder, clock
        self.settings = sandbox_settings(base, folder, public_url=public_url)
        self._build()

    def _build(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)  # every run starts from the demo
        self.folder.mkdir(parents=True)
        self.api = BotApi(TOKEN, BOT_ID, BOT_USERNAME, files_dir=self.folder / "telegram")
        transport = httpx.ASGITransport(app=self.api.app)
        self.warta = _SandboxWarta(
            self.settings, httpx_kwargs={"transport": transport}, clock=self.clock
        )
        self.people: dict[int, Person] = {}
        self.demo: Demo | None = None

    async def start(self) -> None:
        await self.warta.start()
        await self.warta.start_receiving()
        self.demo = await self._seed()

    async def stop(self) -> None:
        await self.warta.stop()

    async def reset(self) -> None:
        """Back to the demo as it started: every chat, report and trainee is gone."""
        await self.stop()
        self._build()
        await self.start()

    def person(self, first_name: str, last_name: str = "") -> ChatUser:
        return ChatUser(self.api, 7_000_001 + len(self.people), first_name, last_name)

    async def trainee(self, name: str, role: Role, unit: str | None = None) -> ChatUser:
        """A trainee who picked a name: their own private chat, joined by an invite."""
        first, _, last = name.strip().partition(" ")
        user = self.person(first, last.strip())
        self.people[user.id] = Person(user, role, unit)  # taken before the wait: ids stay unique
        await self.join(user, role, unit)
        return user

    async def say(self, update: dict[str, Any], to: int) -> Sent:
        """Queue what a person does; the bot's answer in chat `to`: its next message there, or
        a message it edited (a tapped question usually becomes its own answer)."""
        shown = [(m, m.text, m.edits) for m in self.api.messages_to(to)]
        self.api.push(update)

        def answers() -> list[Sent]:
            changed = [m for m, text, edits in shown if m.edits != edits or m.text != text]
            return changed + self.api.messages_to(to)[len(shown) :]

        return (await self.api.wait_for(answers, ANSWER_WAIT))[-1]

    async def fire(self, job: Callable[[Context], Awaitable[int]]) -> int:
        """A trainer's control (handlers.practice): run it now, as the scheduler would."""
        result: list[int] = []

        async def run(ctx: Context) -> None:
            result.append(await job(ctx))

        await self.warta.engine.run_job(run)
        return result[0] if result else 0

    async def invite_code(self, role: Role, unit: str | None = None, uses: int = 1) -> str:
        async with self.warta.sessionmaker() as session, session.begin():
            people = People(session)
            org = await people.default_org(
                name=self.settings.org_name, timezone=self.settings.timezone
            )
            found = await people.unit_named(org.id, unit) if unit else None
            unit_id = found.id if found else None
            invite = await people.add_invite(
                org.id,
                role=role,
                unit_id=unit_id,
                max_uses=uses,
                valid_for=timedelta(days=1),
                created_by=None,
                now=self.warta.clock(),
            )
            return invite.code

    async def join(self, person: ChatUser, role: Role, unit: str | None = None) -> Sent:
        code = await self.invite_code(role, unit)
        return await self.say(person.text(f"/start {code}"), person.id)

    async def _seed(self) -> Demo:
        async with self.warta.sessionmaker() as session, session.begin():
            people = People(session)
            org = await people.default_org(
                name=self.settings.org_name, timezone=self.settings.timezone
            )
            for name in DEMO_UNITS:
                await people.add_unit(org, name=name, kind="kecamatan", now=self.warta.clock())
        demo = Demo(
            await self.trainee("Kabid IKP", Role.COORDINATOR),
            await self.trainee("Rina Redaktur", Role.EDITOR),
        )
        await self._bind(demo.coordinator, "/redaksi", NEWSROOM)
        await self._bind(demo.coordinator, "/pimpinan", LEADERS)
        await self._bind(demo.coordinator, "/pengingat", REMINDERS)
        return demo

    async def _bind(self, boss: ChatUser, command: str, chat: dict[str, Any]) -> None:
        """A group bound as a coordinator binds it: the command there, then "Ya" if asked."""
        question = await self.say(boss.text(command, chat=chat), int(chat["id"]))
        yes = [data for label, data in question.buttons if "Ya," in label]
        if yes:
            await self.say(boss.tap(question, yes[0]), int(chat["id"]))

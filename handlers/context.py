"""The per-event context handlers work with: repositories, the sender, replies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.config import Core
from handlers.events import InboundEvent
from handlers.messages import Outgoing, T, Text, to_payload
from handlers.ports import Messenger
from storage.chats import Chats
from storage.models import Member, Organization, Role
from storage.outbox import Inbox, Outbox
from storage.people import People
from storage.reminders import Reminders
from storage.reports import Reports

DECIDERS = (Role.EDITOR, Role.COORDINATOR)
JobRunner = Callable[[Callable[["Context"], Awaitable[None]]], Awaitable[None]]
# A button's handler: the context, then the values the button carries (see router.button_args).
TapHandler = Callable[..., Awaitable[None]]


@dataclass
class Answer:
    text: T | None
    alert: bool


@dataclass
class Context:
    session: AsyncSession
    core: Core
    org: Organization
    now: datetime
    messengers: dict[str, Messenger]
    event: InboundEvent | None = None
    member: Member | None = None
    # Where the acting person is when no chat event says so: "web" for the desk.
    origin: str | None = None
    answers: list[Answer] = field(default_factory=list)
    albums_to_settle: list[int] = field(default_factory=list)
    albums_to_cancel: list[int] = field(default_factory=list)
    # Slow work to do after the commit, outside any transaction (e.g. building a ZIP). Each is
    # called with a function that runs a step in a transaction of its own.
    deferred: list[Callable[[JobRunner], Awaitable[None]]] = field(default_factory=list)
    # A publication became due (approved, "now", retry, withdrawn): the publisher looks at once.
    publishing_due: bool = False

    def __post_init__(self) -> None:
        self.people = People(self.session)
        self.reports = Reports(self.session)
        self.chats = Chats(self.session)
        self.outbox = Outbox(self.session)
        self.inbox = Inbox(self.session)
        self.reminders = Reminders(self.session)

    @property
    def ev(self) -> InboundEvent:
        assert self.event is not None
        return self.event

    @property
    def me(self) -> Member:
        assert self.member is not None
        return self.member

    @property
    def via(self) -> str | None:
        """Where this was done, for the audit trail: the chat's channel, or the desk."""
        return self.origin or (self.event.channel if self.event else None)

    def today(self) -> date:
        return self.now.astimezone(self.core.tz).date()

    def send(self, channel: str, chat_id: str, message: Outgoing, ref: str | None = None) -> None:
        payload = to_payload(message)
        self.outbox.enqueue(channel, chat_id, payload, now=self.now, ref=ref)

    def reply(self, *lines: T, buttons: list | None = None, force_reply: bool = False) -> None:
        self.send(self.ev.channel, self.ev.chat_id, Text(list(lines), buttons or [], force_reply))

    def reply_message(self, message: Outgoing, ref: str | None = None) -> None:
        self.send(self.ev.channel, self.ev.chat_id, message, ref)

    async def send_member(self, member_id: int, message: Outgoing) -> None:
        """Reach a person on the channel they used last (their newest contact)."""
        contacts = await self.people.contacts(member_id)
        if contacts:
            self.send(contacts[0].channel, contacts[0].chat_id, message)

    def answer(self, text: T | None = None, *, alert: bool = False) -> None:
        self.answers.append(Answer(text, alert))

    def can_decide(self) -> bool:
        return self.member is not None and self.member.role in DECIDERS

    def invite_link(self, code: str) -> str | None:
        messenger = self.messengers.get(self.ev.channel)
        return messenger.invite_link(code) if messenger else None

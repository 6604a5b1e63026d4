"""One way for a scenario to act as a person on either channel, so it runs on both unchanged."""

from __future__ import annotations

from typing import Any

from storage.models import Role
from tests.fake_telegram import Sent
from tests.fake_whatsapp import WaSent
from tests.harness import Harness
from tests.telegram_users import NEWSROOM_CHAT, TgUser
from tests.whatsapp_users import WaUser

CHANNELS = ["telegram", "whatsapp"]


class Person:
    """A member as a scenario sees them: says things, sends photos, taps, reads answers."""

    def __init__(self, h: Harness) -> None:
        self.h = h

    async def say(self, text: str) -> None: ...

    async def command(self, name: str, *args: str) -> None:
        await self.say(" ".join([f"/{name}", *args]))

    async def photo(self, data: bytes, caption: str | None = None) -> None: ...

    async def tap(self, label: str, on: Any = None) -> None: ...

    async def answer_question(self, text: str) -> None:
        await self.say(text)

    async def again(self) -> None:
        """The platform delivers the last thing this person sent once more."""

    def last_sent(self) -> Any:
        """What this person sent last, to edit later."""

    async def edit(self, sent: Any, text: str) -> None:
        """The person changes the text (or a photo's caption) of a message they sent."""

    def texts(self) -> list[str]: ...

    def last_text(self) -> str:
        return self.texts()[-1]

    def with_button(self, label: str) -> Any: ...


class TelegramPerson(Person):
    def __init__(self, h: Harness, user: TgUser, reviews_in_newsroom: bool = False) -> None:
        super().__init__(h)
        self.user, self.newsroom = user, reviews_in_newsroom
        self._last: dict[str, Any] | None = None

    async def _send(self, update: dict[str, Any]) -> None:
        self._last = await self.h.send(update)

    async def say(self, text: str) -> None:
        await self._send(self.user.text(text))

    async def photo(self, data: bytes, caption: str | None = None) -> None:
        await self._send(self.user.photo(data, caption=caption))

    async def tap(self, label: str, on: Any = None) -> None:
        await self._send(self.user.tap_button(on or self.with_button(label), label))

    async def answer_question(self, text: str) -> None:
        if not self.newsroom:
            await self.say(text)
            return
        question = self.h.newsroom_messages()[-1]
        await self._send(self.user.text(text, chat=NEWSROOM_CHAT, reply_to=question))

    async def again(self) -> None:
        assert self._last is not None
        await self.h.redeliver(self._last)

    def last_sent(self) -> Any:
        return self._last

    async def edit(self, sent: Any, text: str) -> None:
        await self._send(self.user.edited(sent, text))

    def _messages(self) -> list[Sent]:
        own = self.h.fake.messages_to(self.user.id)
        return self.h.newsroom_messages() + own if self.newsroom else own

    def texts(self) -> list[str]:
        return [m.text for m in self.h.fake.messages_to(self.user.id)]

    def with_button(self, label: str) -> Sent:
        found = [
            m for m in self._messages() if any(label.lower() in b.lower() for b, _ in m.buttons)
        ]
        assert found, f"no message with {label!r}"
        return max(found, key=lambda m: m.message_id)


class WhatsAppPerson(Person):
    def __init__(self, h: Harness, user: WaUser) -> None:
        super().__init__(h)
        self.user = user
        self._last: dict[str, Any] | None = None

    async def _post(self, body: dict[str, Any]) -> None:
        self._last = body
        response = await self.h.wa_post(body)
        assert response.status_code == 200

    async def say(self, text: str) -> None:
        await self._post(self.user.text(text))

    async def photo(self, data: bytes, caption: str | None = None) -> None:
        await self._post(self.user.image(data, caption=caption))

    async def tap(self, label: str, on: Any = None) -> None:
        await self._post(self.user.tap(on or self.with_button(label), label))

    async def again(self) -> None:
        assert self._last is not None
        await self._post(self._last)

    def last_sent(self) -> Any:
        return self._last

    async def edit(self, sent: Any, text: str) -> None:
        await self._post(self.user.edited(sent, text))

    def texts(self) -> list[str]:
        return [m.text for m in self.user.sent()]

    def with_button(self, label: str) -> WaSent:
        found = [
            m for m in self.user.sent() if any(label.lower() in b.lower() for b, _ in m.buttons)
        ]
        assert found, f"no message with {label!r}"
        return found[-1]


def _has_button(buttons: list[tuple[str, str]], label: str) -> bool:
    return any(label.lower() in title.lower() for title, _ in buttons)


async def join(h: Harness, channel: str, name: str, role: Role, unit: str | None = None) -> Person:
    """A new member on that channel; an editor on Telegram reviews in the newsroom group."""
    if channel == "telegram":
        user = await h.join(h.user(name), role, unit)
        person = TelegramPerson(h, user, reviews_in_newsroom=role != Role.OPERATOR)
        if role != Role.OPERATOR:
            await h.newsroom(user)
        return person
    return WhatsAppPerson(h, await h.wa_join(h.wa_user(name), role, unit))

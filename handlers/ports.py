"""The port each channel adapter implements for the core."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from handlers.events import InboundEvent, Media
from handlers.messages import Outgoing

RefResolver = Callable[[str], Awaitable[str | None]]


class DeliveryError(Exception):
    """A send that failed. Transient ones are retried (after retry_after when given)."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        retry_after: float | None = None,
        gone: bool = False,
        moved_to: str | None = None,
        outside_window: bool = False,
    ) -> None:
        super().__init__(message)
        self.permanent = permanent or gone
        self.retry_after = retry_after
        self.gone = gone  # the chat cannot be reached any more (bot kicked or blocked)
        self.moved_to = moved_to  # the group became a supergroup with this new chat id
        self.outside_window = outside_window  # WhatsApp: only a template may reach them now


class MediaTooBig(Exception):
    """A file over the size limit, found before or while downloading it (never read whole)."""

    def __init__(self, size: int) -> None:
        super().__init__(f"media of {size} bytes or more is over the limit")
        self.size = size


class Messenger(Protocol):
    """What the core needs from a channel: fetch files, answer taps, deliver messages."""

    channel: str

    async def download(self, media: Media) -> bytes: ...

    async def answer_callback(self, event: InboundEvent, text: str | None, alert: bool) -> None: ...

    async def deliver(self, chat_id: str, message: Outgoing, resolve: RefResolver) -> list[str]:
        """Send one outbox message; returns the platform message ids. Raises DeliveryError."""
        ...

    def invite_link(self, code: str) -> str | None: ...

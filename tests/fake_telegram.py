"""The tests' fake Telegram Bot API: Warta's own emulator (bot/sandbox/bot_api.py) with a
record of every call and failures a test injects (one call, an outage, a group that became a
supergroup, flood control). Wire it in-process with httpx.ASGITransport(app=fake.app) or serve
it with uvicorn.
"""

from __future__ import annotations

import collections
import json
import math
import time
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.bot_api import BotApi, Sent
from bot.sandbox.telegram_text import BotApiError

__all__ = ["Call", "FakeTelegram", "RateLimitedTelegram", "Sent"]


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)


class FakeTelegram(BotApi):
    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_id: int = 777000111,
        username: str = "warta_test_bot",
    ) -> None:
        super().__init__(token, bot_id, username)
        self.calls: list[Call] = []
        self._failures: dict[str, list[BotApiError]] = {}
        self._down: BotApiError | None = None
        self._moved: dict[int, int] = {}

    def fail_next(
        self,
        method: str,
        code: int,
        description: str = "",
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        text = description or {
            429: "Too Many Requests: retry after",
            500: "Internal Server Error",
            502: "Bad Gateway",
            403: "Forbidden: bot was blocked by the user",
        }.get(code, "Bad Request")
        for _ in range(times):
            self._failures.setdefault(method, []).append(BotApiError(code, text, retry_after))

    def go_down(self, code: int = 502, description: str = "Bad Gateway") -> None:
        """An outage: every call fails with this error until come_back()."""
        self._down = BotApiError(code, description)

    def come_back(self) -> None:
        self._down = None

    def migrate(self, chat_id: int, new_chat_id: int) -> None:
        """The group becomes a supergroup: sends to the old id are refused with the new id."""
        self._moved[chat_id] = new_chat_id

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def _admit(self, method: str, params: dict[str, Any]) -> BotApiError | None:
        """Flood control; this fake has none (RateLimitedTelegram below has Telegram's)."""
        return None

    def _received(self, method: str, params: dict[str, Any], files: dict[str, bytes]) -> None:
        self.calls.append(Call(method, params, files))

    def _refusal(self, method: str, params: dict[str, Any]) -> BotApiError | None:
        if self._down is not None:
            return self._down
        failures = self._failures.get(method)
        if failures:
            return failures.pop(0)
        return self._admit(method, params)

    def _chat(self, p: dict[str, Any]) -> int:
        moved_to = self._moved.get(int(p["chat_id"]))
        if moved_to is not None:
            raise BotApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                migrate_to=moved_to,
            )
        return super()._chat(p)


SENDING = {"sendmessage", "sendphoto", "senddocument", "sendmediagroup", "copymessage"}


class RateLimitedTelegram(FakeTelegram):
    """Answers 429 with retry_after, as Telegram does, when a bot sends more than `overall`
    messages in any second, or more than `per_group` in any minute into one group. An album
    counts as one message per photo."""

    def __init__(self, *args: Any, overall: int = 30, per_group: int = 20, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.overall, self.per_group = overall, per_group
        self.refused = 0
        self._recent: collections.deque[float] = collections.deque()
        self._group_recent: dict[int, collections.deque[float]] = {}

    def _admit(self, method: str, params: dict[str, Any]) -> BotApiError | None:
        if method.lower() not in SENDING:
            return None
        now = time.monotonic()
        count = len(json.loads(params["media"])) if method.lower() == "sendmediagroup" else 1
        _forget(self._recent, now - 1.0)
        if len(self._recent) + count > self.overall:
            return self._refuse(1)
        chat = int(params.get("chat_id", 0))
        group = self._group_recent.setdefault(chat, collections.deque()) if chat < 0 else None
        if group is not None:
            _forget(group, now - 60.0)
            if len(group) + count > self.per_group:
                return self._refuse(math.ceil(group[0] + 60.0 - now))
            group.extend([now] * count)
        self._recent.extend([now] * count)
        return None

    def _refuse(self, retry_after: int) -> BotApiError:
        self.refused += 1
        return BotApiError(429, "Too Many Requests", retry_after=max(1, retry_after))


def _forget(times: collections.deque[float], before: float) -> None:
    while times and times[0] < before:
        times.popleft()

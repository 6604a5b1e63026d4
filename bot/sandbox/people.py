"""People in the sandbox: what a Telegram user does, as the update payloads Telegram sends.

The sandbox page turns a trainee's typing, photo and tap into these and queues them in the
Bot API emulator, where Warta's polling picks them up like any update from Telegram.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

from bot.sandbox.bot_api import BotApi, Sent

_query_ids = itertools.count(1)
_message_ids = itertools.count(100)
THUMB_BYTES = 2000  # what the "small size" of a photo carries: enough for a thumbnail file


class ChatUser:
    """A Telegram account (not a bot) talking to the bot served by `api`."""

    def __init__(self, api: BotApi, user_id: int, first_name: str, last_name: str = "") -> None:
        self.api, self.id, self.first_name, self.last_name = api, user_id, first_name, last_name

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def user(self) -> dict[str, Any]:
        data = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        data["language_code"] = "id"
        if self.last_name:
            data["last_name"] = self.last_name
        return data

    @property
    def private_chat(self) -> dict[str, Any]:
        return {"id": self.id, "type": "private", "first_name": self.first_name}

    def _message(self, chat: dict[str, Any] | None, **fields: Any) -> dict[str, Any]:
        return {
            "message": {
                "message_id": next(_message_ids),
                "date": int(time.time()),
                "chat": chat or self.private_chat,
                "from": self.user,
                **fields,
            }
        }

    def text(
        self, text: str, *, chat: dict[str, Any] | None = None, reply_to: Sent | None = None
    ) -> dict[str, Any]:
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = len(text.split()[0])
            fields["entities"] = [{"type": "bot_command", "offset": 0, "length": command}]
        if reply_to is not None:
            fields["reply_to_message"] = self.api.message_json(reply_to)
        return self._message(chat, **fields)

    def photo(
        self,
        data: bytes,
        *,
        caption: str | None = None,
        media_group_id: str | None = None,
        width: int = 1280,
        height: int = 960,
        small: bytes | None = None,
    ) -> dict[str, Any]:
        """A photo as Telegram hands it over: a small size and the full one, largest last."""
        file_id, unique = self.api.add_file(data)
        thumb = data[:THUMB_BYTES] if small is None else small
        small_id, small_unique = self.api.add_file(thumb, prefix="T")
        size = {"file_id": small_id, "file_unique_id": small_unique, "width": 90, "height": 68}
        full = {"file_id": file_id, "file_unique_id": unique, "width": width, "height": height}
        sizes = [dict(size, file_size=len(thumb)), dict(full, file_size=len(data))]
        fields: dict[str, Any] = {"photo": sizes}
        if caption is not None:
            fields["caption"] = caption
        if media_group_id is not None:
            fields["media_group_id"] = media_group_id
        return self._message(None, **fields)

    def document(
        self,
        data: bytes,
        *,
        mime: str,
        name: str,
        caption: str | None = None,
        size: int | None = None,
    ) -> dict[str, Any]:
        """A file sent as a file, not as a photo (a PDF, a video, an uncompressed photo)."""
        file_id, unique = self.api.add_file(data, prefix="D")
        fields: dict[str, Any] = {
            "document": {
                "file_id": file_id,
                "file_unique_id": unique,
                "file_name": name,
                "mime_type": mime,
                "file_size": size or len(data),  # size: what a test claims the file weighs
            }
        }
        if caption is not None:
            fields["caption"] = caption
        return self._message(None, **fields)

    def tap(self, sent: Sent, data: str) -> dict[str, Any]:
        """A press of the inline button carrying `data` under the bot's message `sent`."""
        return {
            "callback_query": {
                "id": f"q{next(_query_ids)}",
                "from": self.user,
                "chat_instance": "ci-1",
                "data": data,
                "message": self.api.message_json(sent),
            }
        }

"""People who talk to the bot through the fake Bot API: they build real update payloads."""

from __future__ import annotations

import itertools
import time
from typing import Any

from tests.fake_telegram import FakeTelegram, Sent

_query_ids = itertools.count(1)
_message_ids = itertools.count(100)

NEWSROOM_ID = -1001234567890
NEWSROOM_CHAT = {"id": NEWSROOM_ID, "type": "supergroup", "title": "Redaksi Diskominfo"}
ADMINS_CHAT = {"id": -1005550001111, "type": "supergroup", "title": "Admin Kecamatan"}
LEADERS_CHAT = {"id": -1007770002222, "type": "group", "title": "Pimpinan"}


class TgUser:
    def __init__(
        self, fake: FakeTelegram, user_id: int, first_name: str, last_name: str = ""
    ) -> None:
        self.fake, self.id, self.first_name, self.last_name = fake, user_id, first_name, last_name

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def user(self) -> dict[str, Any]:
        data = {
            "id": self.id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": "id",
        }
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
            fields["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            ]
        if reply_to is not None:
            fields["reply_to_message"] = self.fake._message_json(reply_to)
        return self._message(chat, **fields)

    def photo(
        self,
        data: bytes,
        *,
        caption: str | None = None,
        media_group_id: str | None = None,
        width: int = 1280,
        height: int = 960,
    ) -> dict[str, Any]:
        file_id, unique = self.fake.add_file(data)
        small_id, small_unique = self.fake.add_file(data[:2000], prefix="T")
        sizes = [
            {
                "file_id": small_id,
                "file_unique_id": small_unique,
                "width": 90,
                "height": 68,
                "file_size": 2000,
            },
            {
                "file_id": file_id,
                "file_unique_id": unique,
                "width": width,
                "height": height,
                "file_size": len(data),
            },
        ]
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
        file_id, unique = self.fake.add_file(data, prefix="D")
        fields: dict[str, Any] = {
            "document": {
                "file_id": file_id,
                "file_unique_id": unique,
                "file_name": name,
                "mime_type": mime,
                "file_size": size or len(data),
            }
        }
        if caption is not None:
            fields["caption"] = caption
        return self._message(None, **fields)

    def video(self, data: bytes = b"\x00" * 1000) -> dict[str, Any]:
        file_id, unique = self.fake.add_file(data, prefix="V")
        return self._message(
            None,
            video={
                "file_id": file_id,
                "file_unique_id": unique,
                "width": 640,
                "height": 480,
                "duration": 3,
                "mime_type": "video/mp4",
                "file_size": len(data),
            },
        )

    def tap(self, sent: Sent, data: str) -> dict[str, Any]:
        return {
            "callback_query": {
                "id": f"q{next(_query_ids)}",
                "from": self.user,
                "chat_instance": "ci-1",
                "data": data,
                "message": self.fake._message_json(sent),
            }
        }

    def edited(self, update: dict[str, Any], text: str) -> dict[str, Any]:
        """An edited_message for the message in update (a text's words or a photo's caption)."""
        message = update["message"]
        field = "text" if "text" in message else "caption"
        return {"edited_message": dict(message, **{field: text}, edit_date=int(time.time()))}

    def tap_button(self, sent: Sent, label_part: str) -> dict[str, Any]:
        """Tap the button whose label contains label_part."""
        for label, data in sent.buttons:
            if label_part.lower() in label.lower():
                return self.tap(sent, data)
        raise AssertionError(f"no button like {label_part!r} on {sent.buttons}")

    def removes_bot(self, chat: dict[str, Any], bot_id: int) -> dict[str, Any]:
        """This person kicks the bot out of a group (a my_chat_member update)."""
        bot = {"id": bot_id, "is_bot": True, "first_name": "Warta"}
        return {
            "my_chat_member": {
                "chat": chat,
                "from": self.user,
                "date": int(time.time()),
                "old_chat_member": {"user": bot, "status": "member"},
                "new_chat_member": {"user": bot, "status": "kicked", "until_date": 0},
            }
        }

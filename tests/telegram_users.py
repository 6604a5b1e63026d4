"""People who talk to the bot through the fake Bot API: they build real update payloads."""

from __future__ import annotations

import time
from typing import Any

from bot.sandbox.people import ChatUser
from tests.fake_telegram import FakeTelegram, Sent

NEWSROOM_ID = -1001234567890
NEWSROOM_CHAT: dict[str, Any] = {
    "id": NEWSROOM_ID,
    "type": "supergroup",
    "title": "Redaksi Diskominfo",
}
ADMINS_CHAT = {"id": -1005550001111, "type": "supergroup", "title": "Admin Kecamatan"}
LEADERS_CHAT = {"id": -1007770002222, "type": "group", "title": "Pimpinan"}


class TgUser(ChatUser):
    """A person on the tests' fake Bot API: the sandbox's ChatUser, and what else tests send."""

    def __init__(
        self, fake: FakeTelegram, user_id: int, first_name: str, last_name: str = ""
    ) -> None:
        super().__init__(fake, user_id, first_name, last_name)
        self.fake = fake

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

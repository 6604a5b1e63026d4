"""The Telegram adapter turns real payloads into InboundEvents (table test)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from telegram import Bot, Update

from bot.channels.telegram import to_event

PAYLOADS = Path(__file__).parent / "payloads" / "telegram"
BOT = Bot("123:ABC")


def load(name: str) -> dict[str, Any]:
    data = json.loads((PAYLOADS / name).read_text())
    if name.startswith("message_"):
        return {"update_id": 7, "message": data}
    if name.startswith("callback_query_"):
        return {"update_id": 7, "callback_query": data}
    return data


def event(name: str):  # type: ignore[no-untyped-def]
    return to_event(Update.de_json(load(name), BOT), bot_id=1)


def test_private_text() -> None:
    ev = event("update_text_private.json")
    assert ev is not None and ev.is_private and ev.text == "4" and ev.command is None
    assert ev.channel == "telegram" and ev.address == f"telegram:{ev.sender}"


@pytest.mark.parametrize(
    "name",
    [
        "message_photo_4_sizes.json",
        "message_photo_only.json",
        "message_photo_caption_entities.json",
    ],
)
def test_photo_takes_the_largest_size(name: str) -> None:
    raw = load(name)["message"]["photo"]
    ev = event(name)
    assert ev is not None and len(ev.media) == 1 and ev.media[0].kind == "photo"
    largest = max(raw, key=lambda p: p["width"] * p["height"])
    assert ev.media[0].ref == largest["file_id"]


def test_caption_becomes_text() -> None:
    ev = event("message_photo_caption_entities.json")
    assert (
        ev is not None
        and ev.text == load("message_photo_caption_entities.json")["message"]["caption"]
    )


def test_album_item_keeps_media_group_and_video_is_not_a_photo() -> None:
    ev = event("message_media_group_video_item.json")
    assert ev is not None and ev.media_group_id and ev.media[0].kind == "video"


def test_group_command_with_bot_suffix_and_reply() -> None:
    ev = event("update_supergroup_command_reply.json")
    assert ev is not None and not ev.is_private and ev.command == "report"


def test_callback_on_inaccessible_message_still_has_chat() -> None:
    ev = event("callback_query_inaccessible_message.json")
    assert ev is not None and ev.callback_id == "12345" and ev.chat_id == "9999999999"


def test_inline_callback_without_message_falls_back_to_the_user() -> None:
    ev = event("callback_query_inline_message.json")
    assert ev is not None and ev.callback_id and ev.message_id is None and not ev.is_private


def test_bot_kicked_is_a_removal_event() -> None:
    ev = event("update_my_chat_member_kicked.json")
    assert ev is not None and ev.bot_removed

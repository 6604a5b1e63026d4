"""What the sandbox page shows of a chat: both sides of it, in order, as Telegram's app would
(the bot's messages as they are now, edits included; albums together; buttons in their rows)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from bot.sandbox.bot_api import BotApi, Said, Sent

TOAST_SECONDS = 20.0  # a tap's answer shows this long, as Telegram's pop-up does


@dataclass(frozen=True)
class Button:
    label: str
    data: str = ""  # callback data: a tap
    url: str = ""  # a link button


@dataclass
class Bubble:
    message_id: int
    from_bot: bool
    sender: str
    text: str
    sender_id: int | None = None
    photos: list[str] = field(default_factory=list)  # file ids, an album's in order
    document: tuple[str, str] | None = None  # (file id, file name)
    rows: list[list[Button]] = field(default_factory=list)
    edited: bool = False
    asks_reply: bool = False
    reply_to: str = ""  # the first line of the message this one answers


@dataclass(frozen=True)
class ChatInfo:
    chat_id: int
    title: str
    kind: str  # "private" | "group"
    last: str = ""


def bubbles(api: BotApi, chat_id: int) -> list[Bubble]:
    """Every message in the chat, oldest first, an album as one bubble."""
    items: list[tuple[float, Sent | Said]] = [(m.at, m) for m in api.messages_to(chat_id)]
    items += [(m.at, m) for m in api.said_in(chat_id)]
    items.sort(key=lambda item: item[0])
    shown: list[Bubble] = []
    albums: dict[str, Bubble] = {}
    for _, message in items:
        bubble = _from_bot(message) if isinstance(message, Sent) else _from_person(message)
        group = message.media_group_id
        if group and group in albums:
            albums[group].photos += bubble.photos
            albums[group].text = albums[group].text or bubble.text
            continue
        if group:
            albums[group] = bubble
        shown.append(bubble)
    _mark_replies(api, chat_id, shown)
    return shown


def _from_bot(sent: Sent) -> Bubble:
    rows = (sent.reply_markup or {}).get("inline_keyboard", [])
    return Bubble(
        sent.message_id,
        True,
        "Warta",
        sent.text,
        photos=[sent.file_id] if sent.kind == "photo" and sent.file_id else [],
        document=(sent.file_id or "", sent.file_name or "berkas")
        if sent.kind == "document"
        else None,
        rows=[
            [Button(b["text"], b.get("callback_data", ""), b.get("url", "")) for b in row]
            for row in rows
        ],
        edited=sent.edits > 0,
        asks_reply=sent.asks_reply,
    )


def _from_person(said: Said) -> Bubble:
    return Bubble(
        said.message_id,
        False,
        said.sender,
        said.text,
        photos=[said.file_id] if said.file_id else [],
        reply_to=str(said.reply_to or ""),
    )


def _mark_replies(api: BotApi, chat_id: int, shown: list[Bubble]) -> None:
    """A reply shows the first line of the bot message it answers, as Telegram quotes it."""
    texts = {m.message_id: m.text for m in api.messages_to(chat_id)}
    for bubble in shown:
        if bubble.reply_to:
            bubble.reply_to = texts.get(int(bubble.reply_to), "").split("\n")[0][:80]


def signature(api: BotApi, chat_id: int) -> str:
    """Changes whenever what the chat shows changes: the page's poll waits for a new one."""
    sent = api.messages_to(chat_id)
    toast = api.toasts.get(chat_id)
    edits = sum(m.edits for m in sent)
    return f"{len(sent)}.{edits}.{len(api.said_in(chat_id))}.{hash(toast) & 0xFFFF}"


def toast(api: BotApi, chat_id: int) -> str | None:
    """The latest answer to a tap in this chat, while it is fresh."""
    found = api.toasts.get(chat_id)
    if found is None:
        return None
    text, at = found
    return text if time.perf_counter() - at < TOAST_SECONDS else None

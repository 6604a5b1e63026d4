"""WhatsApp adapter (Cloud API through pywa): webhooks -> InboundEvent, outbox -> Graph API calls.

The only module that imports pywa. pywa verifies signatures and parses updates; we feed it one
message or status at a time because its update classes read only the first item of a batched
body (pywa#229), and we dedupe on the wamid in the database (its own dedupe is in memory).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from aiolimiter import AsyncLimiter
from pywa import utils as pywa_utils
from pywa.errors import ReEngagementMessage, ThrottlingError, TooManyMessages, WhatsAppError
from pywa.types import (
    Button as WaButton,
)
from pywa.types import (
    CallbackButton,
    CallbackSelection,
    EditedMessage,
    Message,
    MessageStatus,
    Section,
    SectionList,
    SectionRow,
)
from pywa.types.templates import BodyText, TemplateLanguage
from pywa_async import WhatsApp
from pywa_async.handlers import (
    CallbackButtonHandler,
    CallbackSelectionHandler,
    EditedMessageHandler,
    MessageHandler,
    MessageStatusHandler,
)

from handlers.events import InboundEvent, Media
from handlers.messages import (
    Album,
    Button,
    Card,
    Delete,
    Edit,
    File,
    Outgoing,
    PhotoRef,
    T,
    Template,
    Text,
    template_for,
)
from handlers.ports import DeliveryError, MediaTooBig, RefResolver
from handlers.texts import Texts
from storage.media import MediaStore

log = logging.getLogger(__name__)
CHANNEL = "whatsapp"

# WhatsApp people do not type slashes: a first word like these is a command, as /lapor is.
KEYWORDS = {
    "lapor": "lapor",
    "batal": "batal",
    "status": "status",
    "bantuan": "bantuan",
    "menu": "bantuan",
    "pilar": "pilar",
    "laporan": "laporan",
    "pengingat": "pengingat",
    "gabung": "start",
    "berhenti": "berhenti",
    "stop": "berhenti",
    "mulai": "mulai",
    "dasbor": "dasbor",
}
MAX_BUTTONS, BUTTON_TITLE = 3, 20  # reply buttons
MAX_ROWS, ROW_TITLE = 10, 24  # list rows
INTERACTIVE_BODY, TEXT_LIMIT, CAPTION_LIMIT = 1024, 4096, 1024

# id, status, error text, and why it failed: window | transient | permanent | None
StatusCallback = Callable[[str, str, str | None, str | None], Awaitable[None]]
WindowLookup = Callable[[str], Awaitable[datetime | None]]  # chat -> their last message
# Messages that are neither text nor a file, in InboundEvent.kind's channel-neutral words.
KINDS = {
    "location": "location",
    "contacts": "contact",
    "sticker": "sticker",
    "unsupported": "other",  # e.g. a poll or a view-once photo: Meta does not pass it on
    "unknown": "other",
    "order": "other",
}
# Nothing to answer: an emoji reaction to a message, a message the person deleted.
IGNORED = {"reaction", "revoke"}
WINDOW = timedelta(hours=24) - timedelta(minutes=5)  # a little margin for clocks and queues
PAIR_RATE_WAIT = 6.0  # Meta allows about one message per 6 s to one person in a burst
OUTSIDE_WINDOW = 131047
# Failures worth another try: Meta's side (131000, 131016) and rates (130429, 131048, 131056).
TRANSIENT = {131000, 131016, 130429, 131048, 131056}


def failure_of(code: int | None) -> str | None:
    if code is None:
        return None
    if code == OUTSIDE_WINDOW:
        return "window"
    return "transient" if code in TRANSIENT else "permanent"


class WhatsAppMarkup:
    """WhatsApp formats *bold* itself; user text is shown as typed."""

    def escape(self, text: str) -> str:
        return text

    def bold(self, text: str) -> str:
        return f"*{text}*"


def parse_command(text: str) -> tuple[str | None, list[str]]:
    words = text.strip().split()
    if not words:
        return None, []
    head = words[0].lower()
    if head.startswith("/"):
        return head[1:], words[1:]
    command = KEYWORDS.get(head)
    return (command, words[1:]) if command else (None, [])


Update = Message | EditedMessage | CallbackButton | CallbackSelection


def sender_of(update: Update) -> str:
    """The business-scoped user id when Meta sends one (usernames hide the number), else wa_id."""
    user = update.from_user
    return str(user.bsuid or user.wa_id)


def _event(update: Update, **fields: Any) -> InboundEvent:
    """Every WhatsApp event is a private chat with one person, which opens their window."""
    who = sender_of(update)
    return InboundEvent(
        channel=CHANNEL,
        event_id=update.id,
        sender=who,
        sender_name=update.from_user.name or who,
        chat_id=who,
        is_private=True,
        opens_window=True,
        **fields,
    )


def message_event(msg: Message) -> InboundEvent | None:
    """None for messages Warta does not act on (reactions, deletions)."""
    kind = str(getattr(msg.type, "value", msg.type))
    if kind in IGNORED:
        return None
    command, args = parse_command(msg.text or "")
    return _event(
        msg,
        text=msg.text or msg.caption or "",
        command=command,
        args=args,
        media=_media(msg),
        message_id=msg.id,
        reply_to_bot=msg.reply_to_message is not None,
        kind=KINDS.get(kind, "text"),
    )


def edited_event(edit: EditedMessage) -> InboundEvent:
    """The person changed the text or caption of an earlier message. The event id is the
    edit's own (each edit counts once); the photo itself cannot change, so no media."""
    msg = edit.message
    return _event(
        edit,
        text=msg.text or msg.caption or "",
        message_id=edit.original_message_id,
        edited=True,
    )


def _media(msg: Message) -> list[Media]:
    if msg.image is not None:
        i = msg.image
        return [Media("photo", i.id, i.sha256 or i.id, i.mime_type, None)]
    if msg.document is not None:
        d = msg.document
        return [Media("document", d.id, d.sha256 or d.id, d.mime_type, None, d.filename)]
    for kind in ("video", "audio", "sticker"):
        item = getattr(msg, kind, None)
        if item is not None:
            return [Media(kind, item.id, item.sha256 or item.id, item.mime_type, None)]
    return []


def tap_event(tap: CallbackButton | CallbackSelection) -> InboundEvent:
    return _event(
        tap,
        callback_id=tap.id,
        callback_data=str(tap.data),
        message_id=tap.reply_to_message.id if tap.reply_to_message else None,
    )


def split_batch(body: bytes) -> Iterator[bytes]:
    """One body per message or status: pywa reads only the first of each (pywa#229)."""
    data = json.loads(body)
    for entry in data.get("entry", []):
        for change in entry.get("changes", []):
            value = change.get("value", {})
            items = [("messages", m) for m in value.get("messages", [])]
            items += [("statuses", s) for s in value.get("statuses", [])]
            if not items:
                yield _body(data, entry, change, value)
            for key, item in items:
                single = {k: v for k, v in value.items() if k not in ("messages", "statuses")}
                single[key] = [item]
                if "contacts" in value:
                    single["contacts"] = _contacts_of(value["contacts"], item)
                yield _body(data, entry, change, single)


def _contacts_of(contacts: list[dict[str, Any]], item: dict[str, Any]) -> list[dict[str, Any]]:
    """The contact a message is from, or a status is about."""
    ids = {item.get(k) for k in ("from", "recipient_id", "recipient_user_id")} - {None}
    mine = [c for c in contacts if ids & {c.get("wa_id"), c.get("user_id")}]
    return mine or contacts[:1]


def _body(data: dict[str, Any], entry: dict[str, Any], change: dict[str, Any], value: Any) -> bytes:
    single_change = {**change, "value": value}
    single_entry = {**entry, "changes": [single_change]}
    return json.dumps({**data, "entry": [single_entry]}).encode()


def whatsapp_invite_link(number: str, code: str) -> str:
    return f"https://wa.me/{number}?text={quote(f'GABUNG {code}')}"


@dataclass(frozen=True)
class Templates:
    """Meta template names (approved in WhatsApp Manager) for our template keys."""

    notify: str = "warta_pemberitahuan"  # body: {{1}} = the message, flattened
    reminder: str = "warta_pengingat"  # body: {{1}} = pillar, {{2}} = idea
    language: str = "id"


class WhatsAppMessenger:
    """The Messenger port on pywa's async client."""

    channel = CHANNEL
    tracks_status = True  # Meta reports sent/delivered/read/failed by webhook

    def __init__(
        self,
        wa: WhatsApp,
        texts: Texts,
        media: MediaStore,
        number: str | None,
        *,
        window: WindowLookup,
        clock: Callable[[], datetime],
        templates: Templates,
        per_second: int = 80,
        max_media_bytes: int | None = None,
    ) -> None:
        self.wa, self.texts, self.media, self.number = wa, texts, media, number
        self.window, self.clock, self.templates = window, clock, templates
        self.max_media_bytes = max_media_bytes
        self.markup = WhatsAppMarkup()
        # Meta's throughput for one number (80 msg/s by default), spaced evenly like Telegram's.
        self.pace = AsyncLimiter(1, 1 / per_second)

    def invite_link(self, code: str) -> str | None:
        return whatsapp_invite_link(self.number, code) if self.number else None

    async def download(self, media: Media) -> bytes:
        """The file's bytes; MediaTooBig when Meta's size for it, or the bytes coming in, pass
        the limit (the rest is never read: a server that lies cannot make us take 1 GB)."""
        found = await self.wa.get_media_url(media.ref)
        limit = self.max_media_bytes
        if limit is not None and found.file_size > limit:
            raise MediaTooBig(found.file_size)
        chunks, size = [], 0
        async with contextlib.aclosing(self.wa.stream_media(found.url)) as stream:
            async for chunk in stream:
                size += len(chunk)
                if limit is not None and size > limit:
                    raise MediaTooBig(size)
                chunks.append(chunk)
        return b"".join(chunks)

    async def answer_callback(self, event: InboundEvent, text: str | None, alert: bool) -> None:
        # WhatsApp has no tap answers: a word that matters (an alert) is sent as a message.
        if text and alert:
            await self.wa.send_message(event.chat_id, text)

    async def deliver(self, chat_id: str, message: Outgoing, resolve: RefResolver) -> list[str]:
        try:
            return await self._deliver(chat_id, message)
        except ReEngagementMessage as exc:
            raise DeliveryError(str(exc), permanent=True, outside_window=True) from exc
        except TooManyMessages as exc:
            raise DeliveryError(str(exc), retry_after=PAIR_RATE_WAIT) from exc
        except ThrottlingError as exc:
            raise DeliveryError(str(exc)) from exc
        except WhatsAppError as exc:
            transient = exc.is_transient or (exc.status_code or 0) >= 500
            raise DeliveryError(str(exc), permanent=not transient) from exc
        except httpx.HTTPError as exc:
            raise DeliveryError(repr(exc)) from exc

    async def _deliver(self, chat_id: str, message: Outgoing) -> list[str]:
        if not isinstance(message, Template) and not await self._window_open(chat_id):
            instead = template_for(message)
            if instead is None:
                return []  # e.g. buttons taken off a card: nothing worth a template
            message = instead
        if isinstance(message, Template):
            return [await self._send_template(chat_id, message)]
        if isinstance(message, Delete):
            return []  # WhatsApp posts nothing we would take back
        if isinstance(message, Text):
            return [await self._send_text(chat_id, message.lines, message.buttons)]
        if isinstance(message, Edit):
            # Sent messages cannot be edited here: a change comes as a new message, and new
            # choices (reasons under a card) as a new list; removed buttons simply stay.
            if message.lines:
                return [await self._send_text(chat_id, message.lines, message.buttons)]
            if message.buttons:
                return [await self._send_text(chat_id, [T("wa.choose")], message.buttons)]
            return []
        if isinstance(message, Album):
            return await self._send_album(chat_id, message)
        if isinstance(message, Card):  # no photo with reply buttons here: photos, then text
            new = [p for p, m in zip(message.photos, _marks(message), strict=True) if m != "same"]
            ids = await self._send_album(chat_id, Album(new)) if new else []
            return [*ids, await self._send_text(chat_id, message.lines, message.buttons)]
        return [await self._send_file(chat_id, message)]

    async def _window_open(self, chat_id: str) -> bool:
        opened = await self.window(chat_id)
        return opened is not None and self.clock() - opened < WINDOW

    async def _send_template(self, chat_id: str, template: Template) -> str:
        rendered = [_flat(self.texts.render_lines([p], self.markup)) for p in template.params]
        if template.name == "reminder":
            name, params = self.templates.reminder, rendered
        else:  # notify: the whole message as its one parameter
            name, params = self.templates.notify, [_flat(" · ".join(rendered))]
        async with self.pace:
            sent = await self.wa.send_template(
                chat_id,
                name=name,
                language=TemplateLanguage(self.templates.language),
                # pywa's BodyText.params has no self; mypy takes the first value for it.
                params=[BodyText.params(*params)],  # type: ignore[arg-type]
            )
        return sent.id

    async def _send_text(self, chat_id: str, lines: list[T], buttons: list[list[Button]]) -> str:
        flat = [b for row in buttons for b in row]
        links = [b for b in flat if b.url]
        taps = [b for b in flat if b.data]
        body = self.texts.render_lines(lines, self.markup)
        for link in links:
            body += f"\n{self.texts.render(link.label)}: {link.url}"
        async with self.pace:
            if not taps:  # no preview: a robot must not open a link first (desk logins)
                sent = await self.wa.send_message(
                    chat_id, _clip(body, TEXT_LIMIT), preview_url=False
                )
            else:
                choices = self._choices(taps)
                sent = await self.wa.send_message(
                    chat_id, _clip(body, INTERACTIVE_BODY), buttons=choices
                )
        return sent.id

    def _choices(self, taps: list[Button]) -> list[WaButton] | SectionList:
        titles = [self.texts.render(b.label) for b in taps]
        if len(taps) <= MAX_BUTTONS and all(len(x) <= BUTTON_TITLE for x in titles):
            return [
                WaButton(title, callback_data=b.data or "")
                for title, b in zip(titles, taps, strict=True)
            ]
        choices = list(zip(titles, taps, strict=True))
        if len(choices) > MAX_ROWS:
            # Keep the last two (write a reason, back): the way out must stay on the list.
            log.warning("%d choices; WhatsApp lists hold %d", len(choices), MAX_ROWS)
            choices = choices[: MAX_ROWS - 2] + choices[-2:]
        rows = [
            SectionRow(title=_clip(title, ROW_TITLE), callback_data=b.data or "", description=None)
            for title, b in choices
        ]
        return SectionList(button_title="Pilih", sections=[Section(title="Pilihan", rows=rows)])

    async def _send_album(self, chat_id: str, album: Album) -> list[str]:
        caption = _clip(self.texts.render_lines(album.caption, self.markup), CAPTION_LIMIT)
        ids = []
        for i, photo in enumerate(album.photos):
            data = await self._photo_bytes(photo)
            async with self.pace:
                sent = await self.wa.send_image(
                    chat_id, data, caption=caption if i == 0 else None, mime_type="image/jpeg"
                )
            ids.append(sent.id)
        return ids

    async def _photo_bytes(self, photo: PhotoRef) -> bytes:
        # Originals can be 20 MB; WhatsApp takes 5 MB images. A 2048 px JPEG without GPS.
        return await asyncio.to_thread(self.media.upload_copy, photo.path)

    async def _send_file(self, chat_id: str, message: File) -> str:
        try:
            data = await asyncio.to_thread(Path(message.path).read_bytes)
        except OSError as exc:
            raise DeliveryError(f"file {message.path} is gone: {exc}", permanent=True) from exc
        caption = _clip(self.texts.render_lines(message.caption, self.markup), CAPTION_LIMIT)
        async with self.pace:
            if message.as_photo:
                sent = await self.wa.send_image(
                    chat_id, data, caption=caption or None, mime_type="image/png"
                )
            else:
                sent = await self.wa.send_document(
                    chat_id,
                    data,
                    filename=message.filename,
                    caption=caption or None,
                    mime_type=_mime(message.filename),
                )
        return sent.id


def _marks(card: Card) -> list[str]:
    return (card.marks + [""] * len(card.photos))[: len(card.photos)]


def _mime(filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    return {
        ".pdf": "application/pdf",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".png": "image/png",
    }.get(suffix, "application/octet-stream")


def _flat(text: str, limit: int = 900) -> str:
    """Template parameters may not hold new lines, tabs or runs of spaces (Meta refuses them)."""
    flat = " · ".join(part.strip() for part in text.splitlines() if part.strip())
    return _clip(" ".join(flat.split()), limit) or "-"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class WhatsAppChannel:
    """One business number: pywa's client, our Messenger, and the webhook entry points."""

    def __init__(
        self,
        *,
        phone_id: str,
        token: str,
        app_secret: str,
        verify_token: str,
        api_url: str,
        on_event: Callable[[InboundEvent], Awaitable[None]],
        on_status: StatusCallback,
        texts: Texts,
        media: MediaStore,
        window: WindowLookup,
        clock: Callable[[], datetime],
        templates: Templates | None = None,
        per_second: int = 80,
        number: str | None = None,
        httpx_kwargs: dict[str, Any] | None = None,
        max_media_bytes: int | None = None,
    ) -> None:
        self.on_event, self.on_status = on_event, on_status
        self.wa = WhatsApp(
            phone_id=phone_id,
            token=token,
            server=None,
            verify_token=verify_token,
            app_secret=app_secret,
            skip_duplicate_updates=False,  # the database dedupes, across restarts too
            session=httpx.AsyncClient(timeout=30, **(httpx_kwargs or {})),
        )
        # pywa has no option for the Graph API base (FACTS.md §2): point its session there.
        version = self.wa.api._session.base_url.path.rstrip("/").rsplit("/", 1)[-1]
        self.wa.api._session.base_url = f"{api_url.rstrip('/')}/{version}"
        self.wa.add_handlers(
            MessageHandler(self._on_message),
            EditedMessageHandler(self._on_edit),
            CallbackButtonHandler(self._on_tap),
            CallbackSelectionHandler(self._on_tap),
            MessageStatusHandler(self._on_status),
        )
        self.messenger = WhatsAppMessenger(
            self.wa,
            texts,
            media,
            number,
            window=window,
            clock=clock,
            templates=templates or Templates(),
            per_second=per_second,
            max_media_bytes=max_media_bytes,
        )

    async def challenge(
        self, mode: str | None, token: str | None, challenge: str | None
    ) -> tuple[str, int]:
        if mode != "subscribe":
            return "Forbidden", 403
        body, status = await self.wa.webhook_challenge_handler(vt=token, ch=challenge)
        return str(body), status

    async def is_signed(self, body: bytes, signature: str | None) -> bool:
        return await self.wa.webhook_update_validator(body, signature) is None

    async def process(self, body: bytes) -> None:
        """Handle a stored, already verified body: every message and status in it."""
        for single in split_batch(body):
            await self.wa.webhook_update_handler(single)

    async def close(self) -> None:
        await self.wa.api._session.aclose()

    async def _on_message(self, _wa: object, msg: Message) -> None:
        event = message_event(msg)
        if event is None:
            log.debug("ignoring WhatsApp %s message %s", msg.type, msg.id)
            return
        await self.on_event(event)

    async def _on_edit(self, _wa: object, edit: EditedMessage) -> None:
        await self.on_event(edited_event(edit))

    async def _on_tap(self, _wa: object, tap: CallbackButton | CallbackSelection) -> None:
        await self.on_event(tap_event(tap))

    async def _on_status(self, _wa: object, status: MessageStatus) -> None:
        error = status.error
        text = str(error) if error else None
        failure = failure_of(error.code if error else None)
        await self.on_status(status.id, str(status.status.value), text, failure)


SIGNATURE_HEADER = pywa_utils.HUB_SIG

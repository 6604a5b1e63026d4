"""Telegram adapter: Update -> InboundEvent, and outbox messages -> Bot API calls."""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import os
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    ChatMember,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram._utils.types import JSONDict
from telegram.constants import MessageLimit, ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, TypeHandler
from telegram.request import HTTPXRequest

from bot.channels import TokenRejected
from handlers.events import InboundEvent, Media
from handlers.messages import (
    Album,
    Button,
    Card,
    Delete,
    Edit,
    File,
    Outgoing,
    T,
    Template,
    Text,
)
from handlers.ports import DeliveryError, RefResolver
from handlers.texts import Texts
from storage.media import MediaStore

# Opt in to PTB 23's behaviour now: durations such as RetryAfter.retry_after are timedeltas.
os.environ.setdefault("PTB_TIMEDELTA", "1")

log = logging.getLogger(__name__)
CHANNEL = "telegram"
POLL_SECONDS = 25  # long polling: Telegram answers at once when an update comes

PRIVATE_COMMANDS = [
    ("lapor", "Kirim laporan kegiatan"),
    ("status", "Laporan saya"),
    ("pilar", "Pilar hari ini dan pekan ini"),
    ("batal", "Batalkan draf"),
    ("pengingat", "Nyalakan/matikan pengingat"),
    ("laporan", "Rekap laporan (redaksi)"),
    ("bantuan", "Cara memakai Warta"),
]
GROUP_COMMANDS = [
    ("pilar", "Pilar hari ini dan pekan ini"),
    ("pengingat", "Pengingat pilar tiap pagi"),
    ("redaksi", "Jadikan grup ini ruang redaksi"),
    ("pimpinan", "Jadikan grup ini grup pimpinan"),
    ("laporan", "Rekap laporan"),
    ("bantuan", "Cara memakai Warta"),
]


class HtmlMarkup:
    def escape(self, text: str) -> str:
        return html.escape(text, quote=False)

    def bold(self, text: str) -> str:
        return f"<b>{text}</b>"


def to_event(update: Update, bot_id: int | None = None) -> InboundEvent | None:
    """Translate an update; None for kinds Warta does not act on."""
    if update.callback_query is not None:
        return _callback_event(update)
    if update.my_chat_member is not None:
        return _membership_event(update)
    message = update.message or update.edited_message
    if message is not None and message.migrate_to_chat_id:
        return _moved_event(update, message)
    if message is None or message.from_user is None:
        return None
    user, chat = message.from_user, message.chat
    text = message.text or message.caption or ""
    command, args = _command(message)
    reply = message.reply_to_message
    return InboundEvent(
        channel=CHANNEL,
        event_id=str(update.update_id),
        sender=str(user.id),
        sender_name=user.full_name,
        chat_id=str(chat.id),
        is_private=chat.type == chat.PRIVATE,
        chat_title=chat.title or "",
        text=text,
        command=command,
        args=args,
        media=_media(message),
        media_group_id=message.media_group_id,
        message_id=str(message.message_id),
        reply_to_bot=bool(reply and reply.from_user and reply.from_user.id == bot_id),
        kind=_kind(message),
        edited=update.edited_message is not None,
    )


_OTHER_KINDS = {"location": "location", "venue": "location", "contact": "contact", "dice": "dice"}


def _kind(message: Message) -> str:
    """What a message without text or a photo is: such things never become a caption."""
    for attribute, kind in _OTHER_KINDS.items():
        if getattr(message, attribute, None) is not None:
            return kind
    if message.poll is not None:
        return "poll"
    return "sticker" if message.sticker is not None else "text"


def _command(message: Message) -> tuple[str | None, list[str]]:
    text = message.text or ""
    if not text.startswith("/"):
        return None, []
    head, *args = text.split()
    return head[1:].split("@", 1)[0].lower(), args


def _media(message: Message) -> list[Media]:
    if message.photo:
        largest = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        return [
            Media("photo", largest.file_id, largest.file_unique_id, "image/jpeg", largest.file_size)
        ]
    if message.document:
        d = message.document
        return [
            Media("document", d.file_id, d.file_unique_id, d.mime_type, d.file_size, d.file_name)
        ]
    for kind in ("video", "animation", "video_note", "audio", "voice", "sticker"):
        item = getattr(message, kind)
        if item is not None:
            return [
                Media(
                    kind,
                    item.file_id,
                    item.file_unique_id,
                    getattr(item, "mime_type", None),
                    item.file_size,
                )
            ]
    return []


def _callback_event(update: Update) -> InboundEvent:
    query = update.callback_query
    assert query is not None
    message = query.message
    chat = message.chat if message is not None else None
    return InboundEvent(
        channel=CHANNEL,
        event_id=str(update.update_id),
        sender=str(query.from_user.id),
        sender_name=query.from_user.full_name,
        chat_id=str(chat.id) if chat else str(query.from_user.id),
        is_private=bool(chat and chat.type == chat.PRIVATE),
        chat_title=(chat.title or "") if chat else "",
        callback_id=query.id,
        callback_data=query.data or "",
        message_id=str(message.message_id) if message is not None else None,
    )


def _moved_event(update: Update, message: Message) -> InboundEvent:
    """The group became a supergroup: Telegram gives it a new id; bindings must follow."""
    sender = message.from_user
    return InboundEvent(
        channel=CHANNEL,
        event_id=str(update.update_id),
        sender=str(sender.id) if sender else "",
        sender_name=sender.full_name if sender else "",
        chat_id=str(message.chat.id),
        is_private=False,
        moved_to=str(message.migrate_to_chat_id),
    )


def _membership_event(update: Update) -> InboundEvent | None:
    change = update.my_chat_member
    assert change is not None
    gone = change.new_chat_member.status in (ChatMember.LEFT, ChatMember.BANNED)
    was_out = change.old_chat_member.status in (ChatMember.LEFT, ChatMember.BANNED)
    if not gone and not was_out:
        return None  # a change of rights (made admin): nothing to say
    private = change.chat.type == change.chat.PRIVATE
    if private and not gone:
        return None  # unblocked: their next message tells us
    return InboundEvent(
        channel=CHANNEL,
        event_id=str(update.update_id),
        sender=str(change.from_user.id),
        sender_name=change.from_user.full_name,
        chat_id=str(change.chat.id),
        is_private=private,
        chat_title=change.chat.title or "",
        bot_removed=gone,
        bot_added=not gone,
    )


class TelegramMessenger:
    """The Messenger port on python-telegram-bot's Bot."""

    channel = CHANNEL

    def __init__(
        self, application: Application, texts: Texts, media: MediaStore, username: str | None = None
    ) -> None:
        self.app = application
        self.texts = texts
        self.media = media
        self._renders = asyncio.Semaphore(MediaStore.SHEETS_AT_ONCE)
        self.markup = HtmlMarkup()
        self._username = username

    @property
    def bot(self) -> Any:
        return self.app.bot

    def invite_link(self, code: str) -> str | None:
        username = self._username
        if username is None:
            try:
                username = self.bot.username
            except RuntimeError:  # not initialized yet: getMe has not answered
                return None
        return telegram_invite_link(username, code) if username else None

    def post_link(self, chat_id: str, message_id: str) -> str:
        """t.me link of a message in a channel (public by @name, private by its id)."""
        if chat_id.startswith("@"):
            return f"https://t.me/{chat_id[1:]}/{message_id}"
        return f"https://t.me/c/{chat_id.removeprefix('-100')}/{message_id}"

    async def download(self, media: Media) -> bytes:
        file = await self.bot.get_file(media.ref)
        return bytes(await file.download_as_bytearray())

    async def answer_callback(self, event: InboundEvent, text: str | None, alert: bool) -> None:
        await self.bot.answer_callback_query(event.callback_id, text=text, show_alert=alert)

    async def deliver(self, chat_id: str, message: Outgoing, resolve: RefResolver) -> list[str]:
        try:
            return await self._deliver(chat_id, message, resolve)
        except RetryAfter as exc:
            retry = exc.retry_after
            seconds = retry.total_seconds() if hasattr(retry, "total_seconds") else float(retry)
            raise DeliveryError(str(exc), retry_after=seconds) from exc
        except BadRequest as exc:
            if "message is not modified" in exc.message.lower():
                return []
            gone = "chat not found" in exc.message.lower()
            raise DeliveryError(str(exc), permanent=True, gone=gone) from exc
        except Forbidden as exc:
            raise DeliveryError(str(exc), gone=True) from exc
        except NetworkError as exc:  # includes timeouts and 5xx answers
            raise DeliveryError(str(exc)) from exc
        except ChatMigrated as exc:
            raise DeliveryError(str(exc), moved_to=str(exc.new_chat_id)) from exc
        except TelegramError as exc:
            raise DeliveryError(str(exc), permanent=True) from exc

    async def _deliver(self, chat_id: str, message: Outgoing, resolve: RefResolver) -> list[str]:
        if isinstance(message, Template):  # Telegram has no 24-hour window: say it plainly
            message = Text(message.params)
        if isinstance(message, Text):
            sent = await self.bot.send_message(
                chat_id,
                self._fit(message.lines, MessageLimit.MAX_TEXT_LENGTH),
                parse_mode=ParseMode.HTML,
                reply_markup=self._markup(message),
                link_preview_options=_NO_PREVIEW,
            )
            return [str(sent.message_id)]
        if isinstance(message, Album):
            return await self._send_album(chat_id, message)
        if isinstance(message, Card):
            return await self._send_card(chat_id, message)
        if isinstance(message, File):
            return await self._send_file(chat_id, message)
        if isinstance(message, Delete):
            await self.bot.delete_messages(chat_id, [int(i) for i in message.message_ids])
            return []
        return await self._edit(chat_id, message, resolve)

    async def _send_file(self, chat_id: str, message: File) -> list[str]:
        try:
            data = await asyncio.to_thread(Path(message.path).read_bytes)
        except OSError as exc:
            raise DeliveryError(f"file {message.path} is gone: {exc}", permanent=True) from exc
        caption = _clip(self.texts.render_lines(message.caption), MessageLimit.CAPTION_LENGTH)
        if message.as_photo:
            sent = await self.bot.send_photo(
                chat_id, data, caption=caption or None, filename=message.filename
            )
        else:
            sent = await self.bot.send_document(
                chat_id, data, caption=caption or None, filename=message.filename
            )
        return [str(sent.message_id)]

    async def _send_card(self, chat_id: str, card: Card) -> list[str]:
        """One photo message: the report's one photo (by file id when it came from here), or
        its contact sheet, captioned with the card and carrying its buttons."""
        if len(card.photos) == 1:
            p = card.photos[0]
            photo = await self._photo_input(p.path, p.source_channel, p.source_ref, p.source_kind)
        else:
            rels = [p.path for p in card.photos]
            # Waiting here, not in a worker thread: the photo checks share those threads.
            async with self._renders:
                photo = await asyncio.to_thread(self.media.contact_sheet, rels, card.marks)
        sent = await self.bot.send_photo(
            chat_id,
            photo,
            caption=self._fit(card.lines, MessageLimit.CAPTION_LENGTH),
            parse_mode=ParseMode.HTML,
            reply_markup=InlineKeyboardMarkup(self._keyboard(card.buttons)),
        )
        return [str(sent.message_id)]

    async def _edit(self, chat_id: str, message: Edit, resolve: RefResolver) -> list[str]:
        message_id = message.message_id or (await resolve(message.ref) if message.ref else None)
        if message_id is None:
            raise DeliveryError(f"nothing sent under {message.ref} to edit", permanent=True)
        markup = InlineKeyboardMarkup(self._keyboard(message.buttons))
        if not message.lines:
            await self.bot.edit_message_reply_markup(
                chat_id=chat_id, message_id=int(message_id), reply_markup=markup
            )
            return [str(message_id)]
        try:
            await self._edit_lines(chat_id, int(message_id), message, markup, message.caption)
        except BadRequest as exc:
            # A card sent the other way (before an upgrade, or with the other newsroom setting)
            if "there is no" not in exc.message.lower():
                raise
            await self._edit_lines(chat_id, int(message_id), message, markup, not message.caption)
        return [str(message_id)]

    async def _edit_lines(
        self,
        chat_id: str,
        message_id: int,
        message: Edit,
        markup: InlineKeyboardMarkup,
        caption: bool,
    ) -> None:
        if caption:
            await self.bot.edit_message_caption(
                chat_id=chat_id,
                message_id=message_id,
                caption=self._fit(message.lines, MessageLimit.CAPTION_LENGTH),
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )
            return
        await self.bot.edit_message_text(
            self._fit(message.lines, MessageLimit.MAX_TEXT_LENGTH),
            chat_id=chat_id,
            message_id=message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            link_preview_options=_NO_PREVIEW,
        )

    async def _send_album(self, chat_id: str, album: Album) -> list[str]:
        caption = _clip(self.texts.render_lines(album.caption), MessageLimit.CAPTION_LENGTH)
        files = [
            await self._photo_input(p.path, p.source_channel, p.source_ref, p.source_kind)
            for p in album.photos
        ]
        if len(files) == 1:
            sent = await self.bot.send_photo(chat_id, files[0], caption=caption)
            return [str(sent.message_id)]
        media = [
            InputMediaPhoto(f, caption=caption if i == 0 else None) for i, f in enumerate(files)
        ]
        sent_all = await self.bot.send_media_group(chat_id, media)
        return [str(m.message_id) for m in sent_all]

    async def _photo_input(self, path: str, channel: str, ref: str, kind: str) -> str | bytes:
        if channel == CHANNEL and kind == "photo":
            return ref  # Telegram keeps the file: resend by id, no upload
        return await asyncio.to_thread(self.media.upload_copy, path)

    def _markup(self, message: Text) -> InlineKeyboardMarkup | ForceReply | None:
        if message.force_reply:
            return ForceReply(selective=True)
        return InlineKeyboardMarkup(self._keyboard(message.buttons)) if message.buttons else None

    def _keyboard(self, rows: list[list[Button]]) -> list[list[InlineKeyboardButton]]:
        return [[self._button(b) for b in row] for row in rows]

    def _button(self, button: Button) -> InlineKeyboardButton:
        label = self.texts.render(button.label)
        if button.url:
            return InlineKeyboardButton(label, url=button.url)
        return InlineKeyboardButton(label, callback_data=button.data)

    def _fit(self, lines: list[T], limit: int) -> str:
        """Render within limit, shortening the longest raw text (a caption) only as needed.

        The limit counts rendered HTML, where one "&" takes five characters, so the cut is found
        by bisecting the raw text's length, not by subtracting; the text is escaped after it is
        cut, so no entity is ever split.
        """

        def longest_within(size: int, render: Callable[[int], str]) -> str | None:
            """render(k) for the largest k < size that fits the limit; None if none does."""
            low, high, best = 0, size - 1, None
            while low <= high:  # render(k) grows with k
                mid = (low + high) // 2
                text = render(mid)
                if len(text) <= limit:
                    low, best = mid + 1, text
                else:
                    high = mid - 1
            return best

        text = self.texts.render_lines(lines, self.markup)
        if len(text) <= limit:
            return text
        raw = [
            i
            for i, line in enumerate(lines)
            if line.key == "raw" and line.params["text"] not in ("", "…")
        ]
        if not raw:  # nothing left to shorten: lose the bold rather than send broken HTML
            plain = self.texts.render_lines(lines)
            return longest_within(len(plain), lambda k: html.escape(plain[:k], False) + "…") or ""
        index = max(raw, key=lambda i: len(lines[i].params["text"]))
        value = lines[index].params["text"]

        def cut(keep: int) -> list[T]:
            short = T("raw", {"text": value[:keep].rstrip() + "…"})
            return [*lines[:index], short, *lines[index + 1 :]]

        fitted = longest_within(len(value), lambda k: self.texts.render_lines(cut(k), self.markup))
        return fitted if fitted is not None else self._fit(cut(0), limit)  # then the next one


# Map links would cost operators data, and a preview robot would open desk login links first.
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def _clip(text: str, limit: int) -> str:
    """Cut a caption to the limit. Captions go without parse_mode (plain text, never escaped),
    so what is cut is the text the reader sees and there is no entity to split."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def telegram_invite_link(username: str, code: str) -> str:
    return f"https://t.me/{username}?start={code}"


def build_application(
    *,
    token: str,
    base_url: str,
    base_file_url: str,
    on_update: Callable[[Update], Awaitable[None]],
    httpx_kwargs: dict[str, Any] | None = None,
    pool_size: int = 16,
    group_rate: int = 20,
    overall_rate: int = 30,
) -> Application:
    """PTB's Application with our transport, rate limiter and a single catch-all handler."""
    kwargs = httpx_kwargs or {}
    request = HTTPXRequest(
        connection_pool_size=pool_size, httpx_kwargs=kwargs, read_timeout=20, write_timeout=60
    )
    polling = HTTPXRequest(connection_pool_size=2, httpx_kwargs=kwargs, read_timeout=40)
    app = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_file_url)
        .request(request)
        .get_updates_request(polling)
        # Retries are the outbox's job (it persists them); the limiter only paces.
        .rate_limiter(smooth_rate_limiter(overall_rate, group_rate))
        .concurrent_updates(64)
        .build()
    )

    async def handle(update: object, _context: object) -> None:
        if isinstance(update, Update):
            await on_update(update)

    app.add_handler(TypeHandler(Update, handle))
    return app


class AlbumRateLimiter(AIORateLimiter):
    """PTB's limiter, counting an album as the messages it is: Telegram counts each photo of a
    sendMediaGroup against the group's 20 a minute, PTB's limiter counts one request."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        if endpoint == "sendMediaGroup":
            await self._take_extra(data, len(data.get("media") or []) - 1)
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )

    async def _take_extra(self, data: dict[str, Any], extra: int) -> None:
        """The album's other photos, taken from the same limiters the request then takes one
        from (one at a time: each limiter holds one message per slot)."""
        chat_id = data.get("chat_id")
        with contextlib.suppress(ValueError, TypeError):
            chat_id = int(chat_id)  # type: ignore[arg-type]
        in_group = (isinstance(chat_id, int) and chat_id < 0) or isinstance(chat_id, str)
        for _ in range(max(0, extra)):
            if self._base_limiter is not None:
                async with self._base_limiter:
                    pass
            if in_group and self._group_max_rate:
                async with self._get_group_limiter(chat_id):  # type: ignore[arg-type]
                    pass


def smooth_rate_limiter(per_second: int, per_group_minute: int) -> AIORateLimiter:
    """PTB's limiter, spacing messages evenly instead of allowing a burst up front.

    With its defaults (30 per 1 s, 20 per 60 s) aiolimiter's bucket lets 30 go at once and then
    30 more within the same second, and 20 into a group then 19 more within the minute: up to
    twice Telegram's limits in a sliding window, which bench/reminder_broadcast.py showed as
    429s. One message per 1/30 s, and per 3 s into a group, never exceeds them in any window.
    """
    return AlbumRateLimiter(
        max_retries=0,
        overall_max_rate=1,
        overall_time_period=1 / per_second,
        group_max_rate=1,
        group_time_period=60 / per_group_minute,
    )


async def register_commands(app: Application) -> None:
    """Indonesian command menus: one for private chats, one for groups."""
    await app.bot.set_my_commands(
        [BotCommand(c, d) for c, d in PRIVATE_COMMANDS], scope=BotCommandScopeAllPrivateChats()
    )
    await app.bot.set_my_commands(
        [BotCommand(c, d) for c, d in GROUP_COMMANDS], scope=BotCommandScopeAllGroupChats()
    )


class TelegramChannel:
    """One bot on Telegram: PTB's Application, our Messenger, and their lifecycle."""

    def __init__(
        self,
        *,
        token: str,
        api_url: str,
        on_event: Callable[[InboundEvent], Awaitable[None]],
        texts: Texts,
        media: MediaStore,
        username: str | None = None,
        httpx_kwargs: dict[str, Any] | None = None,
        group_rate: int = 20,
        overall_rate: int = 30,
    ) -> None:
        base = api_url.rstrip("/")
        self.api_url = base
        self.on_event = on_event
        self.app = build_application(
            token=token,
            base_url=f"{base}/bot",
            base_file_url=f"{base}/file/bot",
            on_update=self._on_update,
            httpx_kwargs=httpx_kwargs,
            group_rate=group_rate,
            overall_rate=overall_rate,
        )
        self.messenger = TelegramMessenger(self.app, texts, media, username)

    @property
    def username(self) -> str:
        return str(self.app.bot.username)

    def _bot_id(self) -> int | None:
        try:
            return int(self.app.bot.id)
        except RuntimeError:  # not initialized yet
            return None

    async def _on_update(self, update: Update) -> None:
        event = to_event(update, self._bot_id())
        if event is not None:
            await self.on_event(event)

    async def connect(self) -> None:
        """getMe until Telegram answers: a server often boots before its network is up."""
        delay = 2.0
        while True:
            try:
                await self.app.initialize()
                return
            except InvalidToken as exc:
                raise TokenRejected(str(exc)) from exc
            except NetworkError as exc:
                log.warning(
                    "Telegram (%s) belum bisa dihubungi: %s; mencoba lagi dalam %.0f detik",
                    self.api_url,
                    exc,
                    delay,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)

    async def start(self) -> None:
        try:
            await register_commands(self.app)
        except Exception:  # menus are a convenience; never a reason not to start
            log.warning("registering command menus failed", exc_info=True)
        await self.app.start()

    async def set_webhook(self, url: str, secret: str | None) -> None:
        await self.app.bot.set_webhook(url, secret_token=secret, allowed_updates=Update.ALL_TYPES)

    async def poll(self, store: Callable[[str, list[bytes]], Awaitable[None]]) -> None:
        """getUpdates until cancelled. Each batch is stored before the next call's offset
        acknowledges it to Telegram, so a process killed at any moment loses no update: what
        was stored and not handled is handled on start (PTB's Updater acknowledges first)."""
        await self.app.bot.delete_webhook(drop_pending_updates=False)
        offset: int | None = None
        delay = 1.0
        while True:
            try:
                updates = await self.app.bot.get_updates(
                    offset=offset, timeout=POLL_SECONDS, allowed_updates=Update.ALL_TYPES
                )
                if updates:
                    await store(CHANNEL, [u.to_json().encode("utf-8") for u in updates])
                    offset = updates[-1].update_id + 1
                delay = 1.0
            except InvalidToken:
                raise
            except Exception as exc:  # network or database: try again, the offset stays put
                log.warning("polling Telegram failed (%s); again in %.0f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

    async def stop(self) -> None:
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()

    async def process(self, update_json: dict[str, Any]) -> None:
        """Feed one raw update, as a webhook would (tests and benchmarks use it)."""
        await self.app.process_update(Update.de_json(update_json, self.app.bot))

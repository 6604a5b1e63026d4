"""A Telegram Bot API emulator: the real python-telegram-bot client talks to it over HTTP.

The sandbox runs the real Warta against it, so what a trainee sees is what Telegram shows; the
tests' fake Bot API is this with failures to inject. It answers like Telegram (form or
multipart requests, `{"ok": ..., "result": ...}`, errors with Telegram's codes and
descriptions), keeps the messages the bot sent so edits show, serves files for getFile
downloads and queues updates for getUpdates. Serve it with uvicorn or in-process through
httpx.ASGITransport(app=api.app).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.sandbox.telegram_text import (
    CALLBACK_DATA_LIMIT,
    CAPTION_LIMIT,
    DOWNLOAD_LIMIT,
    TEXT_LIMIT,
    BotApiError,
    visible_text,
)
from bot.sandbox.waiting import Waiters


@dataclass
class Sent:
    """A message the bot sent, as the fake keeps it (edits change it in place)."""

    chat_id: int
    message_id: int
    kind: str  # text | photo
    text: str = ""
    reply_markup: dict[str, Any] | None = None
    file_id: str | None = None
    media_group_id: str | None = None
    edits: int = 0
    file_name: str | None = None
    at: float = field(default_factory=time.perf_counter)  # when it arrived (benchmarks)

    @property
    def buttons(self) -> list[tuple[str, str]]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [
            (b["text"], b.get("callback_data") or b.get("url", "")) for row in rows for b in row
        ]

    @property
    def asks_reply(self) -> bool:
        """Sent with ForceReply: Telegram's app opens the reply to it at once."""
        return bool((self.reply_markup or {}).get("force_reply"))


@dataclass
class Said:
    """A message a person sent in a chat (Telegram shows both sides; the sandbox page too)."""

    chat_id: int
    message_id: int
    sender: str
    text: str = ""
    file_id: str | None = None
    media_group_id: str | None = None
    reply_to: int | None = None
    at: float = field(default_factory=time.perf_counter)


class Files:
    """The files people and the bot sent, by file_id: in memory, or on disk under `folder` so a
    day of thirty trainees' photos does not stay in memory (the sandbox)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder, self._memory = folder, dict[str, bytes]()
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)

    def __setitem__(self, file_id: str, data: bytes) -> None:
        if self.folder is None:
            self._memory[file_id] = data
        else:
            (self.folder / file_id).write_bytes(data)

    def get(self, file_id: str, default: bytes | None = None) -> bytes | None:
        if self.folder is None:
            return self._memory.get(file_id, default)
        path = self.folder / file_id
        # file ids are made here ("F12-3456"); anything with a path in it is not one
        if "/" in file_id or file_id.startswith(".") or not path.is_file():
            return default
        return path.read_bytes()

    def __getitem__(self, file_id: str) -> bytes:
        data = self.get(file_id)
        if data is None:
            raise KeyError(file_id)
        return data

    def __contains__(self, file_id: object) -> bool:
        return isinstance(file_id, str) and self.get(file_id) is not None


class BotApi(Waiters):
    """One bot's Bot API: the bot with this token, the chats it is in, what it sent there."""

    def __init__(
        self, token: str, bot_id: int, username: str, *, files_dir: Path | None = None
    ) -> None:
        super().__init__()
        self.token, self.bot_id, self.username = token, bot_id, username
        self.sent: list[Sent] = []
        self.said: list[Said] = []
        self.version = 0  # counts every change a chat shows: the sandbox page waits on it
        self.updates: list[dict[str, Any]] = []
        self.files = Files(files_dir)
        self.file_names: dict[str, str] = {}  # multipart part name -> the upload's file name
        self.known_chats: set[int] = set()
        self.group_titles: dict[int, str] = {}  # so a tap in a group carries its title
        self.webhook: dict[str, Any] | None = None
        self.deleted: list[Sent] = []
        self.open_queries: set[str] = set()
        self.answers: dict[str, dict[str, Any]] = {}
        self.query_chats: dict[str, int] = {}  # a tap's chat, so its answer shows there
        self.toasts: dict[int, tuple[str, float]] = {}  # the latest tap answer, per chat
        self._ids = itertools.count(1)
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(5000)
        self._new_update = asyncio.Event()
        self.app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self._api, methods=["GET", "POST"]),
                Route("/file/bot{token}/{path:path}", self._file, methods=["GET"]),
            ]
        )

    # ---- what users (and tests) do ---------------------------------------------------------
    def add_file(self, data: bytes, prefix: str = "F") -> tuple[str, str]:
        n = next(self._ids)
        file_id, unique = f"{prefix}{n}-{len(data)}", f"U{prefix}{n}"
        self.files[file_id] = data
        return file_id, unique

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates; returns it with its update_id."""
        update = {"update_id": next(self._update_ids), **update}
        self._remember_chats(update)
        self._remember_said(update.get("message"))
        self.updates.append(update)
        self._new_update.set()
        return update

    def _remember_said(self, message: dict[str, Any] | None) -> None:
        if not message:
            return
        sender = message.get("from", {})
        photo = message.get("photo") or [{}]
        reply = message.get("reply_to_message") or {}
        self.said.append(
            Said(
                int(message["chat"]["id"]),
                int(message["message_id"]),
                " ".join(filter(None, (sender.get("first_name"), sender.get("last_name")))),
                message.get("text") or message.get("caption") or "",
                photo[-1].get("file_id"),
                message.get("media_group_id"),
                reply.get("message_id"),
            )
        )
        self._changed()

    def said_in(self, chat_id: int | str) -> list[Said]:
        return [m for m in self.said if m.chat_id == int(chat_id)]

    def messages_to(self, chat_id: int | str) -> list[Sent]:
        return [m for m in self.sent if m.chat_id == int(chat_id)]

    def texts_to(self, chat_id: int | str) -> list[str]:
        return [m.text for m in self.messages_to(chat_id)]

    def last_to(self, chat_id: int | str) -> Sent:
        return self.messages_to(chat_id)[-1]

    def message(self, chat_id: int | str, message_id: int | str) -> Sent:
        return next(
            m for m in self.sent if m.chat_id == int(chat_id) and m.message_id == int(message_id)
        )

    # ---- HTTP -------------------------------------------------------------------------------
    async def _api(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return _error(BotApiError(401, "Unauthorized"))
        method = request.path_params["method"]
        params, files, names = await _read(request)
        self.file_names.update(names)
        self._received(method, params, files)
        handler = getattr(self, f"_m_{method.lower()}", None)
        if handler is None:
            return _error(BotApiError(404, "Not Found"))
        refused = self._refusal(method, params)
        if refused is not None:
            return _error(refused)
        try:
            result = handler(params, files)
            if asyncio.iscoroutine(result):
                result = await result
        except BotApiError as exc:
            return _error(exc)
        return JSONResponse({"ok": True, "result": result})

    async def _file(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return Response(status_code=401)
        file_id = request.path_params["path"].split("/")[-1].rsplit(".", 1)[0]
        data = self.files.get(file_id)
        return Response(status_code=404) if data is None else Response(data)

    def _received(self, method: str, params: dict[str, Any], files: dict[str, bytes]) -> None:
        """Every call as it arrives (tests record them)."""

    def _refusal(self, method: str, params: dict[str, Any]) -> BotApiError | None:
        """An error to answer instead of doing the call: none here (tests inject them)."""
        return None

    # ---- methods ----------------------------------------------------------------------------
    def _me(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Warta",
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _m_getme(self, p: dict[str, Any], f: dict[str, bytes]) -> dict[str, Any]:
        return self._me()

    def _m_setmycommands(self, p: dict[str, Any], f: dict[str, bytes]) -> bool:
        for command in json.loads(p["commands"]):
            if not command["command"].islower() or len(command["description"]) > 256:
                raise BotApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        return True

    def _m_setwebhook(self, p: dict[str, Any], f: dict[str, bytes]) -> bool:
        if not str(p.get("url", "")).startswith("https://"):
            raise BotApiError(400, "Bad Request: bad webhook: HTTPS url must be provided")
        self.webhook = {"url": p["url"], "secret_token": p.get("secret_token")}
        return True

    def _m_deletewebhook(self, p: dict[str, Any], f: dict[str, bytes]) -> bool:
        return True

    async def _m_getupdates(self, p: dict[str, Any], f: dict[str, bytes]) -> list[dict[str, Any]]:
        offset = int(p.get("offset", 0) or 0)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        deadline = time.monotonic() + min(float(p.get("timeout", 0) or 0), 2.0)
        while not self.updates and time.monotonic() < deadline:
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), deadline - time.monotonic())
            except TimeoutError:
                break
        return self.updates[: int(p.get("limit", 100) or 100)]

    def _m_getfile(self, p: dict[str, Any], f: dict[str, bytes]) -> dict[str, Any]:
        file_id = p["file_id"]
        data = self.files.get(file_id)
        if data is None:
            raise BotApiError(400, "Bad Request: invalid file_id")
        if len(data) > DOWNLOAD_LIMIT:
            raise BotApiError(400, "Bad Request: file is too big")
        return {
            "file_id": file_id,
            "file_unique_id": f"U{file_id}",
            "file_size": len(data),
            "file_path": f"photos/{file_id}.jpg",
        }

    def _m_sendmessage(self, p: dict[str, Any], f: dict[str, bytes]) -> dict[str, Any]:
        chat_id = self._chat(p)
        text = visible_text(p.get("text", ""), p.get("parse_mode"))
        if not text.strip():
            raise BotApiError(400, "Bad Request: message text is empty")
        if len(text) > TEXT_LIMIT:
            raise BotApiError(400, "Bad Request: message is too long")
        markup = self._markup(p)
        return self._store(Sent(chat_id, next(self._message_ids), "text", text, markup))

    def _m_sendphoto(self, p: dict[str, Any], f: dict[str, bytes]) -> dict[str, Any]:
        chat_id = self._chat(p)
        file_id = self._photo(p.get("photo", "attach://photo"), f)
        caption = self._caption(p)
        return self._store(
            Sent(chat_id, next(self._message_ids), "photo", caption, self._markup(p), file_id)
        )

    def _m_senddocument(self, p: dict[str, Any], f: dict[str, bytes]) -> dict[str, Any]:
        chat_id = self._chat(p)
        # An upload comes as the multipart part "document" (or one named by attach://).
        name = str(p.get("document", "attach://document")).removeprefix("attach://")
        if name not in f:
            raise BotApiError(400, "Bad Request: there is no document in the request")
        file_id, _ = self.add_file(f[name], prefix="DOC")
        sent = Sent(chat_id, next(self._message_ids), "document", self._caption(p), None, file_id)
        sent.file_name = self.file_names.get(name)
        return self._store(sent)

    def _m_sendmediagroup(self, p: dict[str, Any], f: dict[str, bytes]) -> list[dict[str, Any]]:
        chat_id = self._chat(p)
        media = json.loads(p["media"])
        if not 2 <= len(media) <= 10:
            raise BotApiError(400, "Bad Request: wrong number of media in the album")
        group = f"G{next(self._ids)}"
        out = []
        for item in media:
            if item.get("type") != "photo":
                raise BotApiError(400, "Bad Request: only photos expected here")
            caption = self._caption(item)
            sent = Sent(
                chat_id,
                next(self._message_ids),
                "photo",
                caption,
                None,
                self._photo(item["media"], f),
                group,
            )
            out.append(self._store(sent))
        return out

    def _m_editmessagetext(self, p: dict[str, Any], f: dict[str, bytes]) -> dict[str, Any]:
        sent = self._find(p)
        text = visible_text(p.get("text", ""), p.get("parse_mode"))
        if not text.strip():
            raise BotApiError(400, "Bad Request: message text is empty")
        if len(text) > TEXT_LIMIT:
            raise BotApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        markup = self._markup(p)
        if sent.text == text and sent.reply_markup == markup:
            raise BotApiError(
                400,
                "Bad Request: message is not modified: specified new "
                "message content and reply markup are exactly the same",
            )
        sent.text, sent.reply_markup, sent.edits = text, markup, sent.edits + 1
        self._changed()
        return self.message_json(sent)

    def _m_editmessagecaption(self, p: dict[str, Any], f: dict[str, bytes]) -> dict[str, Any]:
        sent = self._find(p)
        if sent.kind == "text":
            raise BotApiError(400, "Bad Request: there is no caption in the message to edit")
        caption = self._caption(p)
        markup = self._markup(p)
        if sent.text == caption and sent.reply_markup == markup:
            raise BotApiError(400, "Bad Request: message is not modified")
        sent.text, sent.reply_markup, sent.edits = caption, markup, sent.edits + 1
        self._changed()
        return self.message_json(sent)

    def _m_editmessagereplymarkup(self, p: dict[str, Any], f: dict[str, bytes]) -> dict[str, Any]:
        sent = self._find(p)
        markup = self._markup(p)
        if sent.reply_markup == markup:
            raise BotApiError(400, "Bad Request: message is not modified")
        sent.reply_markup, sent.edits = markup, sent.edits + 1
        self._changed()
        return self.message_json(sent)

    def _m_deletemessages(self, p: dict[str, Any], f: dict[str, bytes]) -> bool:
        chat_id = self._chat(p)
        wanted = {int(i) for i in json.loads(p["message_ids"])}
        gone = [m for m in self.sent if m.chat_id == chat_id and m.message_id in wanted]
        if not gone:
            raise BotApiError(400, "Bad Request: message to delete not found")
        self.deleted += gone
        self.sent = [m for m in self.sent if m not in gone]
        self._changed()
        return True

    def _m_answercallbackquery(self, p: dict[str, Any], f: dict[str, bytes]) -> bool:
        query_id = p["callback_query_id"]
        if query_id not in self.open_queries:
            raise BotApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self.open_queries.discard(query_id)
        self.answers[query_id] = {
            "text": p.get("text"),
            "show_alert": p.get("show_alert") in ("true", "True", True),
        }
        if p.get("text") and query_id in self.query_chats:
            self.toasts[self.query_chats[query_id]] = (str(p["text"]), time.perf_counter())
        self._changed()
        return True

    # ---- helpers ----------------------------------------------------------------------------
    def _chat(self, p: dict[str, Any]) -> int:
        chat_id = int(p["chat_id"])
        if chat_id > 0 and chat_id not in self.known_chats:
            raise BotApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat_id

    def _caption(self, p: dict[str, Any]) -> str:
        caption = visible_text(p.get("caption", "") or "", p.get("parse_mode"))
        if len(caption) > CAPTION_LIMIT:
            raise BotApiError(400, "Bad Request: message caption is too long")
        return caption

    def _photo(self, value: str, files: dict[str, bytes]) -> str:
        if value.startswith("attach://"):
            value = value.removeprefix("attach://")
        if value in files:
            file_id, _ = self.add_file(files[value], prefix="UP")
            return file_id
        if value not in self.files:
            raise BotApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        return value

    def _markup(self, p: dict[str, Any]) -> dict[str, Any] | None:
        raw = p.get("reply_markup")
        if not raw:
            return None
        markup = json.loads(raw) if isinstance(raw, str) else raw
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
                    raise BotApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if not button.get("text"):
                    raise BotApiError(400, "Bad Request: text buttons are unallowed")
        return markup

    def _find(self, p: dict[str, Any]) -> Sent:
        chat_id, message_id = int(p["chat_id"]), int(p["message_id"])
        for sent in self.sent:
            if sent.chat_id == chat_id and sent.message_id == message_id:
                if sent.kind != "text" and "text" in p:
                    raise BotApiError(400, "Bad Request: there is no text in the message to edit")
                return sent
        raise BotApiError(400, "Bad Request: message to edit not found")

    def _store(self, sent: Sent) -> dict[str, Any]:
        self.sent.append(sent)
        self._changed()
        return self.message_json(sent)

    def _changed(self) -> None:
        self.version += 1
        self._notify()

    def message_json(self, sent: Sent) -> dict[str, Any]:
        chat = (
            {"id": sent.chat_id, "type": "private", "first_name": "User"}
            if sent.chat_id > 0
            else {
                "id": sent.chat_id,
                "type": "supergroup",
                "title": self.group_titles.get(sent.chat_id, "Redaksi"),
            }
        )
        message: dict[str, Any] = {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": self._me(),
        }
        if sent.kind == "document":
            message["document"] = {
                "file_id": sent.file_id,
                "file_unique_id": f"U{sent.file_id}",
                "file_name": sent.file_name,
            }
            if sent.text:
                message["caption"] = sent.text
        elif sent.kind == "photo":
            message["photo"] = [
                {
                    "file_id": sent.file_id,
                    "file_unique_id": f"U{sent.file_id}",
                    "width": 1280,
                    "height": 960,
                }
            ]
            if sent.text:
                message["caption"] = sent.text
            if sent.media_group_id:
                message["media_group_id"] = sent.media_group_id
        else:
            message["text"] = sent.text
        if sent.reply_markup and "inline_keyboard" in sent.reply_markup:
            message["reply_markup"] = sent.reply_markup
        return message

    def _remember_chats(self, update: dict[str, Any]) -> None:
        for key in ("message", "callback_query"):
            item = update.get(key)
            chat = (item or {}).get("chat", {})
            if chat.get("title"):
                self.group_titles[int(chat["id"])] = chat["title"]
            if item:
                user = item.get("from", {})
                if item.get("chat", {}).get("type") == "private" or key == "callback_query":
                    self.known_chats.add(int(user.get("id", 0)))
                if key == "callback_query":
                    self.open_queries.add(item["id"])
                    chat_id = item.get("message", {}).get("chat", {}).get("id")
                    if chat_id is not None:
                        self.query_chats[item["id"]] = int(chat_id)


async def _read(request: Request) -> tuple[dict[str, Any], dict[str, bytes], dict[str, str]]:
    content_type = request.headers.get("content-type", "")
    params: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    names: dict[str, str] = {}
    if content_type.startswith("application/json"):
        params = await request.json()
    elif content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form()
        for key, value in form.multi_items():
            if isinstance(value, str):
                params[key] = value
            else:
                files[key] = await value.read()
                names[key] = value.filename or ""
    else:
        params = dict(request.query_params)
    return params, files, names


def _error(exc: BotApiError) -> JSONResponse:
    body: dict[str, Any] = {"ok": False, "error_code": exc.code, "description": exc.description}
    if exc.retry_after is not None:
        body["parameters"] = {"retry_after": exc.retry_after}
        body["description"] = f"Too Many Requests: retry after {exc.retry_after}"
    if exc.migrate_to is not None:
        body["parameters"] = {"migrate_to_chat_id": exc.migrate_to}
    return JSONResponse(body, status_code=exc.code)

"""A fake WhatsApp Cloud (Graph) API: the real pywa client talks to it over HTTP.

It records every message sent (text, interactive buttons and lists, images, documents,
templates), takes media uploads, serves media downloads (GET /<media_id> gives a URL, the URL
gives the bytes, Bearer token checked), and answers errors as Meta does. Tests build signed
webhook bodies with WaUser (tests/whatsapp_users.py) in Meta's real shapes.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from bot.sandbox.waiting import Waiters

PHONE_ID = "1122334455667"
BASE = "http://fake-graph"


@dataclass
class WaSent:
    """A message the bot sent, as the fake keeps it."""

    to: str
    id: str
    type: str  # text | interactive | image | document | template
    text: str = ""  # body, caption, or the template's parameters joined
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (title, id) of buttons or rows
    media_id: str | None = None
    filename: str | None = None
    template: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


class GraphError(Exception):
    def __init__(self, code: int, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


class FakeGraph(Waiters):
    def __init__(
        self, token: str = "WA-TEST-TOKEN", phone_id: str = PHONE_ID, base: str = BASE
    ) -> None:
        super().__init__()
        self.token, self.phone_id, self.base = token, phone_id, base
        self.sent: list[WaSent] = []
        self.media: dict[str, tuple[bytes, str]] = {}  # id -> (bytes, mime)
        self.uploads: list[str] = []
        self._failures: list[GraphError] = []
        self._ids = itertools.count(1)
        self.told: dict[str, int] = {}  # media id -> the file_size Meta says (when it lies)
        self.made: dict[str, int] = {}  # media id -> size of a file made while it streams
        self.served: dict[str, int] = {}  # media id -> bytes a download actually sent
        self.downloads_held: asyncio.Event | None = None
        self.downloading = self.most_downloading = 0
        self.app = Starlette(
            routes=[
                Route("/{version}/{phone_id}/messages", self._messages, methods=["POST"]),
                Route("/{version}/{phone_id}/media", self._upload, methods=["POST"]),
                Route("/download/{media_id}", self._download, methods=["GET"]),
                Route("/{version}/{media_id}", self._media_url, methods=["GET"]),
            ]
        )

    # ---- what tests use -------------------------------------------------------------------
    def add_media(self, data: bytes, mime: str = "image/jpeg") -> str:
        media_id = f"{next(self._ids)}{len(data)}"
        self.media[media_id] = (data, mime)
        return media_id

    def add_big_media(self, size: int, *, told: int | None = None) -> str:
        """A JPEG-typed file of `size` bytes, made as it is downloaded; told: the size claimed."""
        media_id = f"big{next(self._ids)}"
        self.media[media_id] = (b"", "image/jpeg")
        self.made[media_id] = size
        self.told[media_id] = size if told is None else told
        return media_id

    def hold_downloads(self) -> asyncio.Event:
        """Downloads wait until the returned event is set (to count how many run at once)."""
        self.downloads_held = asyncio.Event()
        return self.downloads_held

    def fail_next(self, code: int, message: str = "", status: int = 400, times: int = 1) -> None:
        text = message or {
            131047: "Re-engagement message",
            130429: "Rate limit hit",
            131000: "Something went wrong",
        }.get(code, "Error")
        self._failures += [GraphError(code, text, status)] * times

    def to(self, user: str) -> list[WaSent]:
        return [m for m in self.sent if m.to == user]

    def last_to(self, user: str) -> WaSent:
        return self.to(user)[-1]

    def _authorized(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.token}"

    async def _messages(self, request: Request) -> Response:
        if not self._authorized(request):
            return _error(GraphError(190, "Invalid OAuth access token", 401))
        if request.path_params["phone_id"] != self.phone_id:
            return _error(GraphError(100, "Unsupported post request", 400))
        if self._failures:
            return _error(self._failures.pop(0))
        body = await request.json()
        try:
            sent = self._record(body)
        except GraphError as exc:
            return _error(exc)
        return JSONResponse(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": sent.to, "wa_id": sent.to}],
                "messages": [{"id": sent.id}],
            }
        )

    def _record(self, body: dict[str, Any]) -> WaSent:
        to = body.get("to") or body.get("recipient")
        if not to:
            raise GraphError(100, "(#100) The parameter to is required.")
        kind = body.get("type", "text")
        sent = WaSent(str(to), f"wamid.OUT{next(self._ids)}", kind, raw=body)
        if kind == "text":
            sent.text = body["text"]["body"]
            _check(len(sent.text) <= 4096, "text too long")
        elif kind == "interactive":
            self._interactive(sent, body["interactive"])
        elif kind in ("image", "document"):
            item = body[kind]
            sent.media_id = item.get("id")
            _check(sent.media_id in self.media, "(#100) Invalid media id")
            sent.text, sent.filename = item.get("caption", ""), item.get("filename")
        elif kind == "template":
            template = body["template"]
            sent.template = f"{template['name']}/{template['language']['code']}"
            params = [
                p.get("text", "")
                for c in template.get("components", [])
                for p in c.get("parameters", [])
            ]
            sent.text = " | ".join(params)
        self.sent.append(sent)
        self._notify()
        return sent

    def _interactive(self, sent: WaSent, interactive: dict[str, Any]) -> None:
        sent.text = interactive["body"]["text"]
        _check(len(sent.text) <= 1024, "(#100) body text too long")
        action = interactive["action"]
        if interactive["type"] == "button":
            buttons = action["buttons"]
            _check(1 <= len(buttons) <= 3, "(#131009) 1 to 3 buttons")
            for b in buttons:
                reply = b["reply"]
                _check(len(reply["title"]) <= 20, "(#131009) button title too long")
                sent.buttons.append((reply["title"], reply["id"]))
            titles = [t for t, _ in sent.buttons]
            _check(len(set(titles)) == len(titles), "(#131009) button titles must be unique")
        elif interactive["type"] == "list":
            rows = [r for s in action["sections"] for r in s["rows"]]
            _check(1 <= len(rows) <= 10, "(#131009) 1 to 10 rows")
            for r in rows:
                _check(len(r["title"]) <= 24, "(#131009) row title too long")
                sent.buttons.append((r["title"], r["id"]))

    async def _upload(self, request: Request) -> Response:
        if not self._authorized(request):
            return _error(GraphError(190, "Invalid OAuth access token", 401))
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            return _error(GraphError(100, "(#100) file is required"))
        data = await upload.read()
        mime = upload.content_type or str(form.get("type") or "application/octet-stream")
        _ok = len(data) <= 5 * 1024 * 1024 or not mime.startswith("image/")
        if not _ok:
            return _error(GraphError(131053, "Media upload error: image over 5 MB"))
        media_id = self.add_media(data, mime)
        self.uploads.append(media_id)
        return JSONResponse({"id": media_id})

    async def _media_url(self, request: Request) -> Response:
        if not self._authorized(request):
            return _error(GraphError(190, "Invalid OAuth access token", 401))
        media_id = request.path_params["media_id"]
        if media_id not in self.media:
            return _error(GraphError(100, "(#100) Invalid media id", 400))
        data, mime = self.media[media_id]
        return JSONResponse(
            {
                "messaging_product": "whatsapp",
                "url": f"{self.base}/download/{media_id}",
                "mime_type": mime,
                "sha256": "x",
                "file_size": self.told.get(media_id, len(data)),
                "id": media_id,
            }
        )

    async def _download(self, request: Request) -> Response:
        if not self._authorized(request):
            return Response(status_code=401)
        media_id = request.path_params["media_id"]
        found = self.media.get(media_id)
        if found is None:
            return Response(status_code=404)
        self.downloading += 1
        self.most_downloading = max(self.most_downloading, self.downloading)
        try:
            if self.downloads_held is not None:
                await self.downloads_held.wait()
        finally:
            self.downloading -= 1
        if media_id in self.made:
            return StreamingResponse(self._make(media_id, request), media_type="image/jpeg")
        self.served[media_id] = len(found[0])
        return Response(found[0])

    async def _make(self, media_id: str, request: Request) -> AsyncIterator[bytes]:
        """Like a real server, stop sending once the client hung up."""
        chunk = b"\xff" * 65536
        self.served[media_id] = 0
        while self.served[media_id] < self.made[media_id]:
            if await request.is_disconnected():
                return
            self.served[media_id] += len(chunk)
            yield chunk


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise GraphError(100, message)


def _error(exc: GraphError) -> JSONResponse:
    return JSONResponse(
        {
            "error": {
                "message": exc.message,
                "type": "OAuthException",
                "code": exc.code,
                "fbtrace_id": "FAKE",
            }
        },
        status_code=exc.status,
    )


def pretty(body: dict[str, Any]) -> str:
    return json.dumps(body, indent=1)

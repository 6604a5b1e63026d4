"""The sandbox page: phone-like chats in a browser, for trying Warta and for Bimtek.

A trainee picks a name and gets an own operator chat; the newsroom, leaders' and reminder
groups are there too. What they type, the photos they pick and the buttons they press become
Telegram updates in the emulator, which Warta polls like Telegram. Plain forms (a cheap phone
needs no script to use it); htmx only keeps the open chat fresh, with a long poll.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.desk.pages import HTMX
from bot.desk.site import SECURITY_HEADERS
from bot.desk.units import qr_svg
from bot.sandbox.chat_view import Bubble, ChatInfo, bubbles, signature, toast
from bot.sandbox.people import ChatUser
from bot.sandbox.photos import as_telegram_photo, demo_photo, demo_photos
from bot.sandbox.run import BOT_USERNAME, DEMO_UNITS, LEADERS, NEWSROOM, REMINDERS, Sandbox
from handlers import practice
from storage.models import Role

HERE = Path(__file__).resolve().parent
COOKIE = "latihan"  # which person this browser is (a training sandbox: no secrets here)
POLL_SECONDS = 25.0  # a long poll answers at once on a change, else after this
MAX_UPLOAD = 60 * 1024 * 1024  # ten phone photos
MAX_NAME, MAX_TEXT, ALBUM_LIMIT = 40, 4096, 10
EDITOR_CHOICE = "redaktur"
GROUPS = (NEWSROOM, LEADERS, REMINDERS)
DEEP_LINK = re.compile(rf"^https://t\.me/{BOT_USERNAME}\?start=([\w-]{{1,64}})$")
CONTROLS: dict[str, Callable[..., Awaitable[int]]] = {
    "pengingat": practice.remind_now,
    "dorongan": practice.nudge_now,
    "rekap": practice.recap_now,
}
Endpoint = Callable[[Request], Awaitable[Response]]


class SandboxPage:
    def __init__(self, sandbox: Sandbox, *, address: str) -> None:
        self.sandbox, self.address = sandbox, address
        self._resetting = asyncio.Lock()
        self._closing = asyncio.Event()  # set on stop: open long polls answer at once
        self.env = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(htmx=f"/static/{HTMX}", units=DEMO_UNITS, address=address)

    def routes(self) -> list[BaseRoute]:
        page = _guarded
        return [
            Route("/", page(self.home), methods=["GET"]),
            Route("/ikut", page(self.join), methods=["POST"]),
            Route("/obrolan/{chat}", page(self.chat), methods=["GET"]),
            Route("/obrolan/{chat}/pesan", page(self.messages), methods=["GET"]),
            Route("/obrolan/{chat}/tulis", page(self.write), methods=["POST"]),
            Route("/obrolan/{chat}/foto", page(self.photo), methods=["POST"]),
            Route("/obrolan/{chat}/tekan", page(self.tap), methods=["POST"]),
            Route("/mulai", page(self.deep_link), methods=["GET"]),
            Route("/berkas/{file_id}", page(self.file), methods=["GET"]),
            Route("/pelatih/{control}", page(self.control), methods=["POST"]),
            Route("/alamat.svg", page(self.qr), methods=["GET"]),
            Route("/latihan/demo/{name}", page(self.demo_photo), methods=["GET"]),
            Mount("/latihan", app=StaticFiles(directory=HERE / "static"), name="latihan"),
        ]

    @property
    def api(self) -> Any:
        return self.sandbox.api

    # ---- pages ------------------------------------------------------------------------------
    async def home(self, request: Request) -> Response:
        me = self._viewer(request)
        news = request.query_params.get("kabar", "")
        core = self.sandbox.warta.core
        today = self.sandbox.warta.clock().astimezone(core.tz).date()
        pillar = core.schedule.focus_for(today)
        return self._render(
            "home.html", me=me, chats=self._chats(), news=news, pillar=pillar, org=core.org_name
        )

    async def chat(self, request: Request) -> Response:
        chat_id = self._chat_id(request)
        if chat_id is None:
            return self._render("gone.html", status=404)
        replying = _int(request.query_params.get("balas"))
        return self._render("chat.html", **self._chat_view(request, chat_id, replying))

    async def messages(self, request: Request) -> Response:
        """The long poll: the chat's messages once they differ from what the page shows."""
        chat_id = self._chat_id(request)
        if chat_id is None:
            return Response(status_code=404)
        shown = request.query_params.get("v", "")
        await self._until_changed(chat_id, shown)
        view = self._chat_view(request, chat_id, None)
        return self._render("messages.html", **view)

    async def _until_changed(self, chat_id: int, shown: str) -> None:
        changed = asyncio.ensure_future(
            self.api.wait_for(lambda: signature(self.api, chat_id) != shown, POLL_SECONDS)
        )
        closing = asyncio.ensure_future(self._closing.wait())
        await asyncio.wait({changed, closing}, return_when=asyncio.FIRST_COMPLETED)
        for task in (changed, closing):
            task.cancel()
        await asyncio.gather(changed, closing, return_exceptions=True)  # TimeoutError: no change

    def close(self) -> None:
        self._closing.set()

    # ---- what people do ---------------------------------------------------------------------
    async def join(self, request: Request) -> Response:
        form = await request.form()
        name = " ".join(str(form.get("nama", "")).split())[:MAX_NAME]
        choice = str(form.get("peran", ""))
        if not name or (choice != EDITOR_CHOICE and choice not in DEMO_UNITS):
            return RedirectResponse("/?kabar=nama", status_code=303)
        role, unit = (Role.EDITOR, None) if choice == EDITOR_CHOICE else (Role.OPERATOR, choice)
        user = await self.sandbox.trainee(name, role, unit)
        response = RedirectResponse(f"/obrolan/{user.id}", status_code=303)
        response.set_cookie(COOKIE, str(user.id), httponly=True, samesite="lax")
        return response

    async def write(self, request: Request) -> Response:
        form = await request.form()
        chat_id, person = self._actor(request, form)
        text = str(form.get("teks", "")).strip()[:MAX_TEXT]
        if chat_id is None or person is None or not text:
            return self._back(chat_id, actor=person)
        reply_to = self._message(chat_id, _int(str(form.get("balas", ""))))
        self.api.push(person.text(text, chat=self._chat(chat_id), reply_to=reply_to))
        return self._back(chat_id, actor=person)

    async def photo(self, request: Request) -> Response:
        declared = request.headers.get("content-length", "")
        if not declared.isdigit() or int(declared) > MAX_UPLOAD:
            return self._back(self._chat_id(request), "besar")
        form = await request.form(max_files=ALBUM_LIMIT + 1)
        chat_id, person = self._actor(request, form)
        if chat_id is None or person is None or chat_id != person.id:
            return self._back(chat_id)
        files = [f for f in form.getlist("foto") if not isinstance(f, str) and f.filename]
        uploads = [(f.filename or "foto", await f.read()) for f in files]
        uploads += [(n, demo_photo(n) or b"") for n in form.getlist("contoh") if isinstance(n, str)]
        if not uploads:
            return self._back(chat_id, "pilih")
        if len(uploads) > ALBUM_LIMIT:
            return self._back(chat_id, "banyak")
        caption = str(form.get("keterangan", "")).strip() or None
        for update in _sent_photos(person, uploads, caption):
            self.api.push(update)
        return self._back(chat_id)

    async def tap(self, request: Request) -> Response:
        form = await request.form()
        chat_id, person = self._actor(request, form)
        sent = self._message(chat_id, _int(str(form.get("pesan", ""))))
        data = str(form.get("data", ""))
        if chat_id is None or person is None or sent is None:
            return self._back(chat_id, actor=person)
        if data in (b for _, b in sent.buttons):  # only what the message offers, as in the app
            self.api.push(person.tap(sent, data))
        return self._back(chat_id, actor=person)

    async def deep_link(self, request: Request) -> Response:
        """A "Lapor" link button (t.me/<bot>?start=...) opens the viewer's own chat with it."""
        me = self._viewer(request)
        start = request.query_params.get("start", "")
        if me is None:
            return RedirectResponse("/?kabar=nama", status_code=303)
        if re.fullmatch(r"[\w-]{1,64}", start):
            self.api.push(me.text(f"/start {start}"))
        return self._back(me.id)

    async def file(self, request: Request) -> Response:
        file_id = request.path_params["file_id"]
        data = self.api.files.get(file_id)
        if data is None:
            return Response(status_code=404)
        if file_id.startswith("DOC"):
            name = request.query_params.get("nama", "berkas")
            safe = re.sub(r"[^\w.-]", "_", name)[:80] or "berkas"
            headers = {"Content-Disposition": f'attachment; filename="{safe}"'}
            return Response(data, media_type="application/octet-stream", headers=headers)
        return Response(data, media_type="image/jpeg", headers={"Cache-Control": "max-age=3600"})

    async def control(self, request: Request) -> Response:
        name = request.path_params["control"]
        if name == "ulang":
            async with self._resetting:
                await self.sandbox.reset()
            response = RedirectResponse("/?kabar=ulang", status_code=303)
            response.delete_cookie(COOKIE)
            return response
        job = CONTROLS.get(name)
        if job is None:
            return Response(status_code=404)
        count = await self.sandbox.fire(job)
        return RedirectResponse(f"/?kabar={name}-{min(count, 99)}", status_code=303)

    async def demo_photo(self, request: Request) -> Response:
        data = demo_photo(request.path_params["name"])
        if data is None:
            return Response(status_code=404)
        return Response(data, media_type="image/jpeg", headers={"Cache-Control": "max-age=86400"})

    async def qr(self, _request: Request) -> Response:
        return Response(qr_svg(self.address), media_type="image/svg+xml")

    # ---- helpers ----------------------------------------------------------------------------
    def _render(self, name: str, *, status: int = 200, **ctx: Any) -> HTMLResponse:
        return HTMLResponse(self.env.get_template(name).render(**ctx), status_code=status)

    def _viewer(self, request: Request) -> ChatUser | None:
        person = self.sandbox.people.get(_int(request.cookies.get(COOKIE)) or 0)
        return person.user if person else None

    def _chats(self) -> list[ChatInfo]:
        chats = [ChatInfo(_group_id(g), str(g["title"]), "group") for g in GROUPS]
        for person in self.sandbox.people.values():
            unit = person.unit or ("Redaktur" if person.role == Role.EDITOR else "Koordinator")
            chats.append(ChatInfo(person.user.id, f"{person.user.name} · {unit}", "private"))
        return chats

    def _chat_id(self, request: Request) -> int | None:
        chat_id = _int(request.path_params.get("chat"))
        known = {c.chat_id for c in self._chats()}
        return chat_id if chat_id in known else None

    def _chat(self, chat_id: int) -> dict[str, Any] | None:
        """The chat as Telegram puts it in an update; None for a private chat (the sender's)."""
        return next((dict(g) for g in GROUPS if g["id"] == chat_id), None)

    def _actor(self, request: Request, form: Any) -> tuple[int | None, ChatUser | None]:
        """The chat, and who acts in it: a private chat's owner; in a group, the one chosen."""
        chat_id = self._chat_id(request)
        if chat_id is None:
            return None, None
        wanted = chat_id if chat_id > 0 else _int(str(form.get("sebagai", "")))
        person = self.sandbox.people.get(wanted or 0)
        return chat_id, person.user if person else None

    def _message(self, chat_id: int | None, message_id: int | None) -> Any:
        if chat_id is None or message_id is None:
            return None
        found = [m for m in self.api.messages_to(chat_id) if m.message_id == message_id]
        return found[0] if found else None

    def _chat_view(self, request: Request, chat_id: int, replying: int | None) -> dict[str, Any]:
        shown = bubbles(self.api, chat_id)
        _open_deep_links_here(shown)
        me = self._viewer(request)
        info = next(c for c in self._chats() if c.chat_id == chat_id)
        asks = next((b for b in reversed(shown) if b.from_bot), None)
        reply_to = replying or (asks.message_id if asks and asks.asks_reply else None)
        quoted = next((b.text for b in shown if b.message_id == reply_to and b.from_bot), "")
        return {
            "chat": info,
            "bubbles": shown,
            "version": signature(self.api, chat_id),
            "toast": toast(self.api, chat_id),
            "me": me,
            "actor": self._actor_id(request, chat_id, me),
            "actors": [(p.user.id, p.user.name) for p in self.sandbox.people.values()],
            "reply_to": reply_to if quoted else None,
            "quoted": quoted.split("\n")[0][:80],
            "news": request.query_params.get("kabar", ""),
            "demo_photos": demo_photos(),
        }

    def _actor_id(self, request: Request, chat_id: int, me: ChatUser | None) -> int | None:
        """Who acts in a group from this page: the one picked (?sebagai=), else this browser's
        person, else the demo editor in the newsroom and the coordinator elsewhere."""
        if chat_id > 0:
            return None
        picked = _int(request.query_params.get("sebagai"))
        if picked in self.sandbox.people:
            return picked
        if me is not None:
            return me.id
        demo = self.sandbox.demo
        if demo is None:
            return None
        return (demo.editor if chat_id == NEWSROOM["id"] else demo.coordinator).id

    def _back(self, chat_id: int | None, news: str = "", actor: ChatUser | None = None) -> Response:
        if chat_id is None:
            return RedirectResponse("/", status_code=303)
        query = {"kabar": news, "sebagai": str(actor.id) if actor and chat_id < 0 else ""}
        shown = "&".join(f"{k}={v}" for k, v in query.items() if v)
        return RedirectResponse(f"/obrolan/{chat_id}" + (f"?{shown}" if shown else ""), 303)


def _open_deep_links_here(shown: list[Bubble]) -> None:
    """t.me links to this bot would leave the sandbox: they open the viewer's chat here."""
    for bubble in shown:
        for row in bubble.rows:
            for index, button in enumerate(row):
                found = DEEP_LINK.match(button.url)
                if found:
                    row[index] = replace(button, url=f"/mulai?start={found[1]}")


def _sent_photos(
    person: ChatUser, uploads: list[tuple[str, bytes]], caption: str | None
) -> list[dict[str, Any]]:
    """Pictures go as Telegram photos (an album when several); anything else as a file, as a
    phone sends a PDF, so Warta's answer to it is practised too."""
    album = f"album-{person.id}-{id(uploads)}" if len(uploads) > 1 else None
    updates = []
    for index, (name, raw) in enumerate(uploads):
        text = caption if index == 0 else None
        photo = as_telegram_photo(raw)
        if photo is None:
            updates.append(person.document(raw, mime=_mime(name), name=name, caption=text))
            continue
        updates.append(
            person.photo(
                photo.data,
                caption=text,
                media_group_id=album,
                width=photo.width,
                height=photo.height,
                small=photo.small,
            )
        )
    return updates


def _mime(name: str) -> str:
    suffix = Path(name).suffix.lower()
    known = {".pdf": "application/pdf", ".mp4": "video/mp4", ".heic": "image/heic"}
    return known.get(suffix, "application/octet-stream")


def _group_id(group: dict[str, object]) -> int:
    chat_id = group["id"]
    assert isinstance(chat_id, int)
    return chat_id


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _guarded(endpoint: Endpoint) -> Endpoint:
    """Forms posted from another site are refused (a page elsewhere cannot act here), and the
    desk's security headers are set: no script from elsewhere, no framing."""

    async def run(request: Request) -> Response:
        site = request.headers.get("sec-fetch-site", "same-origin")
        if request.method == "POST" and site not in ("same-origin", "none"):
            return Response("Ditolak: permintaan dari situs lain.", status_code=403)
        response = await endpoint(request)
        response.headers.update(SECURITY_HEADERS)
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    return run

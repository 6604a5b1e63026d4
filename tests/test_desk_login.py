"""The desk's passwordless login: /dasbor in chat, the confirm page, cookies, CSRF, logout.

Through the real app: chat on the fake Bot API and Graph API, web requests to Warta's own
Starlette app (httpx.ASGITransport), the harness clock for expiry.
"""

from __future__ import annotations

import asyncio
import json
import re

import httpx
import pytest
from sqlalchemy import select, update
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.desk import Desk, require
from bot.settings import Settings
from storage.desk import RECENT, digest
from storage.models import DeskSession, LoginLink, Role, utcnow
from tests.channels import TelegramPerson, WhatsAppPerson, join
from tests.desk_helpers import LINK, SAME_ORIGIN, URL, MakeDesk, browser, csrf_of, link_for, sign_in
from tests.fake_telegram import FakeTelegram
from tests.harness import Clock, Harness
from tests.telegram_users import NEWSROOM_CHAT


async def test_dasbor_sends_a_one_time_link_without_preview_on_both_channels(
    desk: Harness, fake: FakeTelegram
) -> None:
    editor = await join(desk, "telegram", "Rina", Role.EDITOR)
    origin, _ = await link_for(editor)
    assert origin == URL and "Rina" in editor.last_text() and "10 menit" in editor.last_text()
    assert isinstance(editor, TelegramPerson)
    sent = [c for c in fake.calls_of("sendMessage") if "/masuk/" in c.params.get("text", "")]
    assert sent and json.loads(sent[-1].params["link_preview_options"])["is_disabled"] is True

    boss = await join(desk, "whatsapp", "Kartika", Role.COORDINATOR)
    operator = await join(desk, "whatsapp", "Budi", Role.OPERATOR, "Kecamatan Bogor Barat")
    for person in (boss, operator):
        await link_for(person)
        assert isinstance(person, WhatsAppPerson)
        body = person.user.last().raw
        assert body["type"] == "text" and body["text"]["preview_url"] is False
    assert (await link_for(boss))[1] != (await link_for(boss))[1]  # a new code each time


async def test_dasbor_keyword_on_whatsapp_and_never_into_a_group(desk: Harness) -> None:
    wa = await join(desk, "whatsapp", "Sari", Role.EDITOR)
    await wa.say("dasbor")
    assert LINK.search(wa.last_text())
    editor = await join(desk, "telegram", "Rina", Role.EDITOR)
    assert isinstance(editor, TelegramPerson)
    await desk.send(editor.user.text("/dasbor", chat=NEWSROOM_CHAT))
    said = desk.newsroom_messages()[-1].text
    assert "chat pribadi" in said and not LINK.search(said)


async def test_without_public_url_the_desk_is_not_configured(make_desk: MakeDesk) -> None:
    h = await make_desk(None)
    editor = await join(h, "whatsapp", "Rina", Role.EDITOR)
    await editor.command("dasbor")
    assert "belum disiapkan" in editor.last_text() and "/masuk/" not in editor.last_text()
    async with browser(h) as client:
        assert (await client.get("/dasbor")).status_code == 404  # no desk routes at all


async def test_a_stranger_gets_the_stranger_answer(desk: Harness) -> None:
    stranger = desk.user("Orang", "Asing")
    await desk.send(stranger.text("/dasbor"))
    assert "hanya untuk admin" in desk.last_to(stranger).text
    async with desk.w.sessionmaker() as session:
        assert (await session.scalars(select(LoginLink))).all() == []


async def test_opening_the_link_spends_nothing_the_button_spends_it_once(desk: Harness) -> None:
    editor = await join(desk, "telegram", "Rina", Role.EDITOR)
    _, code = await link_for(editor)
    async with browser(desk) as robot:  # Telegram's or WhatsApp's preview robot, twice
        for _ in range(2):
            page = await robot.get(f"/masuk/{code}")
            assert page.status_code == 200
            assert "Masuk ke dasbor Warta sebagai Rina?" in page.text
            assert "set-cookie" not in page.headers
    async with browser(desk) as person:
        pressed = await person.post(f"/masuk/{code}", headers=SAME_ORIGIN)
        assert pressed.status_code == 303 and pressed.headers["location"] == "/dasbor"
        home = await person.get("/dasbor")
        assert home.status_code == 200
        assert "Selamat datang, Rina" in home.text and "redaktur" in home.text
    async with browser(desk) as other:
        again = await other.post(f"/masuk/{code}", headers=SAME_ORIGIN)
        assert (
            again.status_code == 404
            and "/dasbor" in again.text
            and "set-cookie" not in again.headers
        )
        assert (await other.get(f"/masuk/{code}")).status_code == 404
        assert (await other.get("/dasbor")).status_code == 303  # nobody signed in here


async def test_two_presses_at_once_sign_in_one_browser(desk: Harness) -> None:
    editor = await join(desk, "whatsapp", "Rina", Role.EDITOR)
    _, code = await link_for(editor)
    async with browser(desk) as first, browser(desk) as second:
        answers = await asyncio.gather(
            first.post(f"/masuk/{code}", headers=SAME_ORIGIN),
            second.post(f"/masuk/{code}", headers=SAME_ORIGIN),
        )
    assert sorted(a.status_code for a in answers) == [303, 404]
    async with desk.w.sessionmaker() as session:
        assert len((await session.scalars(select(DeskSession))).all()) == 1


async def test_a_link_expires_after_ten_minutes(desk: Harness, clock: Clock) -> None:
    editor = await join(desk, "telegram", "Rina", Role.EDITOR)
    _, late = await link_for(editor)
    _, in_time = await link_for(editor)
    clock.advance(minutes=9, seconds=59)
    async with browser(desk) as client:
        assert (await client.get(f"/masuk/{in_time}")).status_code == 200
        assert (await client.post(f"/masuk/{in_time}", headers=SAME_ORIGIN)).status_code == 303
        clock.advance(seconds=2)
        assert (await client.get(f"/masuk/{late}")).status_code == 404
        refused = await client.post(f"/masuk/{late}", headers=SAME_ORIGIN)
        assert refused.status_code == 404 and "kedaluwarsa" in refused.text


async def test_session_lasts_eight_hours(desk: Harness, clock: Clock) -> None:
    editor = await join(desk, "telegram", "Rina", Role.EDITOR)
    async with browser(desk) as client:
        await sign_in(desk, editor, client)
        clock.advance(hours=7, minutes=59)
        assert (await client.get("/dasbor")).status_code == 200
        clock.advance(minutes=2)
        assert (await client.get("/dasbor")).headers["location"] == "/masuk"


def cookie_flags(response: httpx.Response, name: str) -> dict[str, str]:
    header = next(h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}="))
    parts = [p.strip() for p in header.split(";")[1:]]
    return {p.split("=")[0].lower(): (p.split("=", 1)[1] if "=" in p else "") for p in parts}


@pytest.mark.parametrize("public_url", [URL, "http://127.0.0.1:8080"])
async def test_session_cookie_flags(make_desk: MakeDesk, public_url: str) -> None:
    h = await make_desk(public_url)
    editor = await join(h, "whatsapp", "Rina", Role.EDITOR)
    _, code = await link_for(editor)
    async with browser(h, public_url) as client:
        origin = {"Origin": public_url, "Sec-Fetch-Site": "same-origin"}
        pressed = await client.post(f"/masuk/{code}", headers=origin)
    flags = cookie_flags(pressed, "warta_sesi")
    assert "httponly" in flags and flags["samesite"] == "lax" and flags["path"] == "/"
    assert flags["max-age"] == str(8 * 3600)
    assert ("secure" in flags) == public_url.startswith("https://")


async def test_forged_requests_are_refused(desk: Harness) -> None:
    editor = await join(desk, "telegram", "Rina", Role.EDITOR)
    _, code = await link_for(editor)
    async with browser(desk) as client:
        # The login POST has no session yet: the origin checks alone guard it.
        for headers in (
            {"Sec-Fetch-Site": "cross-site"},
            {"Sec-Fetch-Site": "same-site", "Origin": "https://lain.example.go.id"},
            {"Origin": "https://evil.example"},
            {"Origin": "null"},
        ):
            refused = await client.post(f"/masuk/{code}", headers=headers)
            assert refused.status_code == 403 and "set-cookie" not in refused.headers
        assert (await client.post(f"/masuk/{code}", headers=SAME_ORIGIN)).status_code == 303
        csrf = csrf_of((await client.get("/dasbor")).text)
        for headers, data in (
            ({"Sec-Fetch-Site": "cross-site"}, {"csrf": csrf}),  # even with the token
            ({"Origin": "https://evil.example"}, {"csrf": csrf}),
            (SAME_ORIGIN, {}),  # no token
            (SAME_ORIGIN, {"csrf": "salah"}),
            ({**SAME_ORIGIN, "X-CSRF-Token": "salah"}, {}),
        ):
            refused = await client.post("/keluar", headers=headers, data=data)
            assert refused.status_code == 403, (headers, data)
            assert (await client.get("/dasbor")).status_code == 200  # still signed in
        # A request without Origin or Sec-Fetch-Site (not a browser) still needs the token.
        assert (await client.post("/keluar", headers={"X-CSRF-Token": csrf})).status_code == 303


async def test_logout_ends_the_session(desk: Harness) -> None:
    editor = await join(desk, "telegram", "Rina", Role.EDITOR)
    async with browser(desk) as client:
        await sign_in(desk, editor, client)
        token = client.cookies["warta_sesi"]
        csrf = csrf_of((await client.get("/dasbor")).text)
        out = await client.post("/keluar", headers=SAME_ORIGIN, data={"csrf": csrf})
        assert out.status_code == 303 and out.headers["location"] == "/masuk?keluar=1"
        assert "warta_sesi" not in client.cookies
        assert "sudah keluar" in (await client.get("/masuk?keluar=1")).text
    async with browser(desk) as copied:  # the old cookie, kept somewhere, is worth nothing
        copied.cookies.set("warta_sesi", token)
        assert (await copied.get("/dasbor")).headers["location"] == "/masuk"
    async with desk.w.sessionmaker() as session:
        stored = (await session.scalars(select(DeskSession))).one()
    assert stored.ended_at is not None and token not in stored.token_hash


async def test_deactivating_a_member_ends_their_sessions_and_links(desk: Harness) -> None:
    editor = await join(desk, "telegram", "Rina", Role.EDITOR)
    boss = await join(desk, "whatsapp", "Kartika", Role.COORDINATOR)
    async with browser(desk) as client:
        await sign_in(desk, editor, client)
        _, unused = await link_for(editor)
        assert (await client.get("/dasbor")).status_code == 200
        await boss.command("anggota", "nonaktifkan", "Rina")
        assert "Rina" in boss.last_text()
        assert (await client.get("/dasbor")).headers["location"] == "/masuk"
        assert (await client.get(f"/masuk/{unused}")).status_code == 404
        await boss.command("anggota", "aktifkan", "Rina")
        assert (await client.get("/dasbor")).status_code == 303  # back in chat, not in here


async def test_a_session_ended_by_another_process_refuses_changes_at_once(desk: Harness) -> None:
    """Page views may reuse a session check for RECENT_SECONDS; a change never does."""
    editor = await join(desk, "telegram", "Rina", Role.EDITOR)
    async with browser(desk) as client:
        await sign_in(desk, editor, client)
        csrf = csrf_of((await client.get("/dasbor")).text)
        async with desk.w.sessionmaker() as session, session.begin():  # as another process
            await session.execute(update(DeskSession).values(ended_at=utcnow()))
        assert (await client.get("/dasbor")).status_code == 200  # a view, within seconds
        out = await client.post("/laporan/setujui", headers=SAME_ORIGIN, data={"csrf": csrf})
        assert out.status_code == 401
        RECENT.forget_token(digest(client.cookies["warta_sesi"]))  # RECENT_SECONDS later
        assert (await client.get("/dasbor")).headers["location"] == "/masuk"


@pytest.mark.parametrize(
    "wanted",
    [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/masuk/abc",
    ],
)
async def test_no_open_redirect(desk: Harness, wanted: str) -> None:
    editor = await join(desk, "whatsapp", "Rina", Role.EDITOR)
    _, code = await link_for(editor)
    async with browser(desk) as client:
        page = await client.get(f"/masuk/{code}", params={"next": wanted})
        assert page.status_code == 200
        pressed = await client.post(f"/masuk/{code}", headers=SAME_ORIGIN, data={"next": wanted})
    assert pressed.headers["location"] == "/dasbor"


async def test_after_login_back_to_the_page_wanted(desk: Harness) -> None:
    editor = await join(desk, "whatsapp", "Rina", Role.EDITOR)
    async with browser(desk) as client:
        # The link carries next= (e.g. a "Buka di dasbor" button): the form keeps it.
        _, code = await link_for(editor)
        page = await client.get(f"/masuk/{code}", params={"next": "/dasbor?status=pending"})
        assert 'name="next" value="/dasbor?status=pending"' in page.text
        pressed = await client.post(
            f"/masuk/{code}", headers=SAME_ORIGIN, data={"next": "/dasbor?status=pending"}
        )
        assert pressed.headers["location"] == "/dasbor?status=pending"
    async with browser(desk) as client:
        # A page opened before signing in is remembered by this browser for the next login.
        bounced = await client.get("/dasbor?unit=3")
        assert bounced.status_code == 303 and bounced.headers["location"] == "/masuk"
        flags = cookie_flags(bounced, "warta_tujuan")
        assert "httponly" in flags and flags["samesite"] == "lax"
        assert "/dasbor" in (await client.get("/masuk")).text  # tells them to send /dasbor
        pressed = await sign_in(desk, editor, client)
        assert pressed.headers["location"] == "/dasbor?unit=3"
        assert "warta_tujuan" not in client.cookies


async def test_pages_carry_security_headers_and_static_files_cache(desk: Harness) -> None:
    editor = await join(desk, "telegram", "Rina", Role.EDITOR)
    async with browser(desk) as client:
        _, code = await link_for(editor)
        confirm = await client.get(f"/masuk/{code}")
        await client.post(f"/masuk/{code}", headers=SAME_ORIGIN)
        home = await client.get("/dasbor")
        for page in (confirm, home):
            assert page.headers["x-content-type-options"] == "nosniff"
            assert page.headers["referrer-policy"] == "same-origin"
            csp = page.headers["content-security-policy"]
            assert "default-src 'self'" in csp and "img-src 'self' data:" in csp
            assert page.headers["cache-control"] == "no-store"
        assert '<html lang="id">' in home.text and 'name="viewport"' in home.text
        assert 'href="#isi"' in home.text and "<main" in home.text and "<nav" in home.text
        csrf = csrf_of(home.text)
        assert f'hx-headers:inherited=\'{{"X-CSRF-Token": "{csrf}"}}\'' in home.text
        css = re.search(r'href="(/static/desk\.css\?v=\w+)"', home.text)
        script = re.search(r'src="(/static/htmx-4\.0\.1\.min\.js)"', home.text)
        assert css and script
        for path, kind in ((css.group(1), "text/css"), (script.group(1), "javascript")):
            asset = await client.get(path)
            assert asset.status_code == 200 and kind in asset.headers["content-type"]
            assert "immutable" in asset.headers["cache-control"]
            assert asset.headers["x-content-type-options"] == "nosniff"
        missing = await client.get("/static/nothing.js")
        assert missing.status_code == 404 and "immutable" not in missing.headers.get(
            "cache-control", ""
        )


async def test_htmx_partial_request_gets_only_the_block(desk: Harness) -> None:
    editor = await join(desk, "telegram", "Rina", Role.EDITOR)
    async with browser(desk) as client:
        await sign_in(desk, editor, client)
        partial = await client.get(
            "/dasbor", headers={"HX-Request": "true", "HX-Request-Type": "partial"}
        )
        whole = await client.get("/dasbor", headers={"HX-Request": "true"})
    assert "Selamat datang, Rina" in partial.text and "<html" not in partial.text
    assert "<html" in whole.text and partial.headers["vary"] == "HX-Request"


async def test_first_load_of_the_desk_is_light(desk: Harness) -> None:
    """HTML + CSS + htmx of /dasbor, uncompressed: the issue's budget is 60 KB."""
    editor = await join(desk, "telegram", "Rina", Role.EDITOR)
    async with browser(desk) as client:
        await sign_in(desk, editor, client)
        home = await client.get("/dasbor")
        assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', home.text)
        sizes = [len(home.content)] + [len((await client.get(a)).content) for a in assets]
    assert len(assets) == 2 and sum(sizes) <= 60 * 1024, sizes


async def test_require_refuses_a_role_and_a_stranger(desk: Harness) -> None:
    """require(), as later routes use it: 403 for a role it does not name, the sign-in
    redirect for nobody, 401 for an htmx request."""

    async def coordinators_only(request: Request) -> Response:
        member = await require(request, {Role.COORDINATOR})
        return PlainTextResponse(f"halo {member.name}")

    the_desk = _desk_of(desk)
    app = Starlette(routes=[*the_desk.routes(), Route("/khusus", the_desk.page(coordinators_only))])
    editor = await join(desk, "telegram", "Rina", Role.EDITOR)
    boss = await join(desk, "whatsapp", "Kartika", Role.COORDINATOR)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=URL) as client:
        assert (await client.get("/khusus")).headers["location"] == "/masuk"
        assert (await client.get("/khusus", headers={"HX-Request": "true"})).status_code == 401
        await sign_in(desk, editor, client)
        refused = await client.get("/khusus")
        assert refused.status_code == 403 and "peranmu" in refused.text
        await sign_in(desk, boss, client)
        assert (await client.get("/khusus")).text == "halo Kartika"


def _desk_of(h: Harness) -> Desk:
    return Desk(h.w.engine, public_url=URL)


def test_public_url_is_an_address_only() -> None:
    assert Settings(_env_file=None, public_url="https://warta.example.go.id/").public_url == URL
    assert Settings(_env_file=None, public_url="").public_url is None
    with pytest.raises(ValueError, match="tanpa jalur"):
        Settings(_env_file=None, public_url="https://warta.example.go.id/dasbor")
    with pytest.raises(ValueError, match="WARTA_PUBLIC_URL"):
        Settings(_env_file=None, public_url="warta.example.go.id")

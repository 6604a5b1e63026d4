"""What the coordinator pages' tests share: Warta with its desk and a prompts folder of its
own (the schedule page writes the schedule file: never the repository's), signed-in browsers
for each role, and the refusals every coordinator route must give."""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path

import httpx

from storage.models import Role
from tests.channels import Person, join
from tests.desk_helpers import SAME_ORIGIN, URL, browser, csrf_of, sign_in
from tests.fake_telegram import FakeTelegram
from tests.fake_whatsapp import FakeGraph
from tests.harness import ROOT, Clock, Harness, make_settings, whatsapp_settings

HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}
TAG = re.compile(r"<[^>]+>")


def own_prompts(folder: Path) -> Path:
    """A copy of prompts/ for one Warta: its schedule file may be edited."""
    target = folder / "prompts"
    if not target.exists():
        shutil.copytree(ROOT / "prompts", target)
    return target


async def start_warta(
    fake: FakeTelegram,
    graph: FakeGraph,
    folder: Path,
    database_url: str,
    clock: Clock,
    public_url: str = URL,
) -> Harness:
    """Warta on both channels with the desk, its own prompts and media under `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    settings = make_settings(
        folder,
        database_url,
        public_url=public_url,
        prompts_dir=own_prompts(folder),
        **whatsapp_settings(graph),
    )
    return await Harness(fake, settings, clock, graph).start()


class SignedIn:
    """A person's own browser on the desk, signed in through the chat link."""

    def __init__(self, person: Person, client: httpx.AsyncClient) -> None:
        self.person, self.client = person, client
        self.csrf = ""

    async def get(self, path: str) -> httpx.Response:
        response = await self.client.get(path)
        if 'name="csrf"' in response.text:
            self.csrf = csrf_of(response.text)
        return response

    async def post(
        self, path: str, data: dict[str, str] | None = None, *, htmx: bool = False
    ) -> httpx.Response:
        if not self.csrf:
            await self.get("/dasbor")
        headers = {**SAME_ORIGIN, **(HTMX if htmx else {})}
        return await self.client.post(
            path, data={"csrf": self.csrf, **(data or {})}, headers=headers
        )


async def signed_in(h: Harness, name: str, role: Role, unit: str | None = None) -> SignedIn:
    person = await join(h, "telegram", name, role, unit)
    client = browser(h)
    await sign_in(h, person, client)
    session = SignedIn(person, client)
    await session.get("/dasbor")
    return session


def text_of(html: str) -> str:
    """What a reader sees: tags out, entities read, spaces collapsed."""
    return " ".join(unescape(TAG.sub(" ", html)).split())


async def assert_coordinators_only(h: Harness, routes: list[tuple[str, str]]) -> None:
    """Every (method, path): editors and operators get 403, a stranger is sent to sign in
    (a page) or gets 401 (a form), and nothing an operator posts is done."""
    editor = await signed_in(h, "Rina Redaktur", Role.EDITOR)
    operator = await signed_in(h, "Budi Operator", Role.OPERATOR, "Kecamatan Refusal")
    async with browser(h) as stranger:
        for method, path in routes:
            for who in (editor, operator):
                if method == "GET":
                    answer = await who.client.get(path)
                else:
                    answer = await who.post(path, {"nama": "X", "peran": "editor", "teks": "x"})
                assert answer.status_code == 403, (who.person, method, path, answer.status_code)
                assert "Bukan untuk peranmu" in answer.text
            if method == "GET":
                answer = await stranger.get(path)
                assert answer.status_code == 303 and answer.headers["location"] == "/masuk"
            else:
                answer = await stranger.post(path, headers=SAME_ORIGIN)
                assert answer.status_code == 401, (method, path)

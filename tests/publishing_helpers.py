"""Publishing targets in tests: the fake WordPress and Facebook Page, a harness wired to them,
and the steps from a report to its posts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from storage.models import Role
from tests.fake_instagram import IG_TOKEN, IG_USER, FakeInstagram
from tests.fake_meta_pages import PAGE_ID, PAGE_TOKEN, FakePages
from tests.fake_telegram import FakeTelegram, Sent
from tests.fake_wordpress import PASSWORD, SITE, USER, FakeWordPress
from tests.harness import CAPTION, Clock, Harness, jpeg, make_settings
from tests.telegram_users import TgUser

TARGET_SETTINGS = {
    "wordpress_url": SITE,
    "wordpress_user": USER,
    "wordpress_app_password": PASSWORD,
    "facebook_page_id": PAGE_ID,
    "facebook_page_token": PAGE_TOKEN,
    "graph_api_url": "http://fake-graph",
}


@pytest.fixture
def wp() -> FakeWordPress:
    return FakeWordPress()


@pytest.fixture
def pages() -> FakePages:
    return FakePages()


@pytest.fixture
async def h(
    fake: FakeTelegram,
    tmp_path: Path,
    database_url: str,
    clock: Clock,
    wp: FakeWordPress,
    pages: FakePages,
) -> AsyncIterator[Harness]:
    settings = make_settings(tmp_path, database_url, **TARGET_SETTINGS)
    sites = {"website": wp.app, "facebook": pages.app}
    harness = await Harness(fake, settings, clock, sites=sites).start()
    try:
        yield harness
    finally:
        await harness.stop()


async def people(h: Harness) -> tuple[TgUser, TgUser]:
    editor = await h.join(h.user("Rina", "Redaktur"), Role.EDITOR)
    await h.newsroom(editor)
    operator = await h.join(h.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    return editor, operator


async def approve(h: Harness, editor: TgUser, operator: TgUser, caption: str = CAPTION) -> None:
    await h.send(operator.photo(jpeg(), caption=caption, media_group_id="a"))
    await h.send(operator.photo(jpeg(color=(200, 30, 30)), media_group_id="a"))
    await h.settle()
    await h.send(operator.tap_button(h.last_to(operator), "Kirim"))
    await h.send(editor.tap_button(h.card(), "Setujui"))


def card_of(h: Harness, number: str) -> Sent:
    return next(m for m in reversed(h.newsroom_messages()) if f"Laporan {number}" in m.text)


async def publish(h: Harness) -> None:
    assert h.w.publisher is not None
    await h.w.publisher.drain()
    await h.w.outbox.drain()


PUBLIC_URL = "http://warta.test"


@pytest.fixture
def ig() -> FakeInstagram:
    return FakeInstagram()


@pytest.fixture
async def igh(
    fake: FakeTelegram,
    tmp_path: Path,
    database_url: str,
    clock: Clock,
    wp: FakeWordPress,
    ig: FakeInstagram,
) -> AsyncIterator[Harness]:
    """The website and an Instagram account; Meta fetches photos from Warta's web app."""
    settings = make_settings(
        tmp_path,
        database_url,
        wordpress_url=SITE,
        wordpress_user=USER,
        wordpress_app_password=PASSWORD,
        instagram_user_id=IG_USER,
        instagram_token=IG_TOKEN,
        instagram_poll_seconds=0,
        graph_api_url="http://fake-graph",
        public_url=PUBLIC_URL,
    )
    harness = await Harness(
        fake, settings, clock, sites={"website": wp.app, "instagram": ig.app}
    ).start()
    ig.fetch = lambda url: fetch_from(harness, url)
    try:
        yield harness
    finally:
        await harness.stop()


async def fetch_from(h: Harness, url: str) -> tuple[int, bytes]:
    transport = httpx.ASGITransport(app=h.w.web.app)
    async with httpx.AsyncClient(transport=transport) as client:
        response = await client.get(url)
    return response.status_code, response.content

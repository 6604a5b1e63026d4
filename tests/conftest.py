"""Fixtures: a fresh database per test (SQLite file, or PostgreSQL when asked), fake API, bot."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.databases import fresh_database
from tests.fake_telegram import FakeTelegram
from tests.fake_whatsapp import FakeGraph
from tests.harness import MONDAY_9_WIB, Clock, Harness, make_settings, whatsapp_settings

PG_URL = os.environ.get("WARTA_TEST_DATABASE_URL", "")
# The desk's fixtures (desk, make_desk, served) and helpers.
pytest_plugins = ["tests.desk_helpers"]


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    yield await fresh_database(PG_URL or None, tmp_path)


@pytest.fixture
def fake() -> FakeTelegram:
    return FakeTelegram()


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY_9_WIB)


def newsroom_style(request: pytest.FixtureRequest) -> dict[str, str]:
    """Tests of the album newsroom (photos as an album, then a text card) are marked
    `album_newsroom`; the default is one contact-sheet photo message per card."""
    if request.node.get_closest_marker("album_newsroom"):
        return {"newsroom_photos": "album"}
    return {}


@pytest.fixture
async def bot(
    fake: FakeTelegram,
    tmp_path: Path,
    database_url: str,
    clock: Clock,
    request: pytest.FixtureRequest,
) -> AsyncIterator[Harness]:
    settings = make_settings(tmp_path, database_url, **newsroom_style(request))
    harness = await Harness(fake, settings, clock).start()
    try:
        yield harness
    finally:
        await harness.stop()


@pytest.fixture
def graph() -> FakeGraph:
    return FakeGraph()


@pytest.fixture
async def both(
    fake: FakeTelegram,
    graph: FakeGraph,
    tmp_path: Path,
    database_url: str,
    clock: Clock,
    request: pytest.FixtureRequest,
) -> AsyncIterator[Harness]:
    """Warta with Telegram and WhatsApp on, against both fakes."""
    style = newsroom_style(request)
    settings = make_settings(tmp_path, database_url, **whatsapp_settings(graph), **style)
    harness = await Harness(fake, settings, clock, graph).start()
    try:
        yield harness
    finally:
        await harness.stop()

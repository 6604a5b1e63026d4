"""Telegram in webhook mode: updates arrive on the same ASGI app, the secret token checked."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from storage.models import Role
from tests.fake_telegram import FakeTelegram
from tests.harness import Clock, Harness, make_settings

SECRET = "rahasia-webhook-kota-bogor-0123456789"  # 32+ characters, as settings require


@pytest.fixture
async def hooked(
    fake: FakeTelegram, tmp_path: Path, database_url: str, clock: Clock
) -> AsyncIterator[Harness]:
    settings = make_settings(
        tmp_path,
        database_url,
        telegram_webhook_url="https://warta.kotabogor.go.id",
        telegram_webhook_secret=SECRET,
    )
    harness = await Harness(fake, settings, clock).start()
    try:
        yield harness
    finally:
        await harness.stop()


async def post(h: Harness, update: dict, secret: str | None) -> httpx.Response:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
    transport = httpx.ASGITransport(app=h.w.web.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://warta") as client:
        response = await client.post(
            "/webhooks/telegram", content=json.dumps(update), headers=headers
        )
    await h.w.web.drain()
    await h.w.outbox.drain()
    return response


async def test_webhook_is_set_with_the_secret(hooked: Harness) -> None:
    await hooked.w.start_receiving()
    assert hooked.fake.webhook == {
        "url": "https://warta.kotabogor.go.id/webhooks/telegram",
        "secret_token": SECRET,
    }


async def test_updates_arrive_by_webhook_and_forgeries_are_refused(hooked: Harness) -> None:
    code = await hooked.invite_code(Role.OPERATOR, "Kecamatan A")
    user = hooked.user("Budi")
    update = hooked.fake.push(user.text(f"/start {code}"))
    hooked.fake.updates.remove(update)
    assert (await post(hooked, update, "salah")).status_code == 401
    assert (await post(hooked, update, None)).status_code == 401
    assert hooked.fake.messages_to(user.id) == []
    assert (await post(hooked, update, SECRET)).status_code == 200
    assert "Selamat bergabung" in hooked.fake.texts_to(user.id)[0]
    await post(hooked, update, SECRET)  # Telegram retries: handled once
    assert sum("Selamat bergabung" in t for t in hooked.fake.texts_to(user.id)) == 1


async def test_health(hooked: Harness) -> None:
    transport = httpx.ASGITransport(app=hooked.w.web.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://warta") as client:
        response = await client.get("/health")
    assert response.status_code == 200 and response.json() == {"ok": True}

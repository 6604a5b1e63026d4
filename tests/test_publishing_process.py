"""The whole `warta run` process publishing over 127.0.0.1: the fake Bot API, a fake WordPress
and a fake Instagram on their own ports; Instagram fetches the photos from Warta's own web
server through the signed links, as Meta would."""

from __future__ import annotations

import asyncio
import shutil
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from tests.fake_instagram import IG_TOKEN, IG_USER, FakeInstagram
from tests.fake_telegram import FakeTelegram, Sent
from tests.fake_wordpress import PASSWORD, USER, FakeWordPress
from tests.harness import ROOT
from tests.process_helpers import (
    cards_in,
    free_port,
    join_and_report,
    make_team,
    served_fake_fixture,
    spawn,
    until,
    warta_env,
)

served_fake = served_fake_fixture


async def serve(app: Any) -> tuple[uvicorn.Server, asyncio.Task[None], str]:
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    await until(lambda: server.started, "a fake to listen", 10)
    return server, task, f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"


@pytest.fixture
async def sites() -> AsyncIterator[tuple[FakeWordPress, FakeInstagram, str, str]]:
    wp, ig = FakeWordPress(), FakeInstagram()

    async def fetch(url: str) -> tuple[int, bytes]:  # Meta's crawler, over the network
        async with httpx.AsyncClient() as client:
            response = await client.get(url)
        return response.status_code, response.content

    ig.fetch = fetch
    wp_server, wp_task, wp_url = await serve(wp.app)
    ig_server, ig_task, ig_url = await serve(ig.app)
    wp.site = wp_url
    yield wp, ig, wp_url, ig_url
    wp_server.should_exit = ig_server.should_exit = True
    await asyncio.gather(wp_task, ig_task)


async def test_whole_process_publishes_website_then_instagram(
    served_fake: tuple[FakeTelegram, str],
    sites: tuple[FakeWordPress, FakeInstagram, str, str],
    tmp_path: Path,
    database_url: str,
) -> None:
    fake, api_url = served_fake
    wp, ig, wp_url, ig_url = sites
    prompts = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", prompts)
    schedule = prompts / "pillars" / "kota-bogor.toml"
    no_slots = schedule.read_text().replace('instagram = ["11:00", "19:00"]', "instagram = []")
    schedule.write_text(no_slots)  # at once: the process runs on the real clock
    port = free_port()
    env = warta_env(tmp_path, api_url, None if database_url.startswith("sqlite") else database_url)
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "WARTA_PROMPTS_DIR": str(prompts),
            "WARTA_WORDPRESS_URL": wp_url,
            "WARTA_WORDPRESS_USER": USER,
            "WARTA_WORDPRESS_APP_PASSWORD": PASSWORD,
            "WARTA_INSTAGRAM_USER_ID": IG_USER,
            "WARTA_INSTAGRAM_TOKEN": IG_TOKEN,
            "WARTA_INSTAGRAM_POLL_SECONDS": "0.2",
            "WARTA_GRAPH_API_URL": ig_url,
            "WARTA_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "WARTA_WEB_HOST": "127.0.0.1",
            "WARTA_WEB_PORT": str(port),
        }
    )
    team = await make_team(env, tmp_path)
    proc = await spawn(env, tmp_path, "run")
    try:
        editor, _ = await join_and_report(fake, team)

        def cards() -> list[Sent]:
            return cards_in(fake)

        fake.push(editor.tap_button(cards()[-1], "Setujui"))
        await until(lambda: ig.media, "the Instagram post", 60)
        await until(lambda: "🌐 Instagram:" in cards()[-1].text, "the card showing both links")
    finally:
        proc.send_signal(signal.SIGTERM)
        output = (await asyncio.wait_for(proc.communicate(), 30))[0].decode()
    assert proc.returncode == 0 and "Traceback" not in output, output
    (post,) = wp.live_posts()
    (carousel,) = ig.media.values()
    assert carousel["items"] == 2 and carousel["caption"].endswith(post["link"])
    assert all(u.startswith(f"http://127.0.0.1:{port}/terbit/") for u in ig.fetched)
    assert PASSWORD not in output and IG_TOKEN not in output

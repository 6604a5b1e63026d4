"""Polling stores every update before Telegram is told it arrived: a kill loses nothing."""

from __future__ import annotations

import asyncio

import pytest

from storage.models import Role
from storage.webhooks import Webhooks
from tests.harness import CAPTION, Harness, jpeg


class Killed(BaseException):
    """The process dies (kill -9) right after the batch was stored: nothing else runs."""


async def test_updates_stored_then_killed_are_handled_after_restart(bot: Harness) -> None:
    await bot.join(bot.user("Rina"), Role.EDITOR)
    operator = await bot.join(bot.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    for i in range(3):
        caption = CAPTION if i == 0 else None
        bot.fake.push(
            operator.photo(jpeg(color=(i * 70, 40, 90)), caption=caption, media_group_id="G")
        )

    async def store_then_die(channel: str, bodies: list[bytes]) -> None:
        async with bot.w.sessionmaker() as session, session.begin():
            for body in bodies:
                await Webhooks(session).store(channel, body, bot.clock())
        raise Killed

    with pytest.raises(Killed):
        await bot.w.telegram.poll(store_then_die)  # type: ignore[union-attr]
    assert not [t for t in bot.fake.texts_to(operator.id) if "Pratinjau" in t]

    await bot.w.abandon()  # no orderly stop: the process is gone
    bot.warta = None
    await bot.start()  # handles what was stored and not handled
    await bot.settle()
    previews = [t for t in bot.fake.texts_to(operator.id) if "Pratinjau" in t]
    assert len(previews) == 1 and "Foto: 3" in previews[0]

    # Telegram never got the offset, so it sends the same updates again: dropped as seen.
    poll = asyncio.create_task(bot.w.telegram.poll(bot.w.web.receive))  # type: ignore[union-attr]
    for _ in range(100):
        await asyncio.sleep(0.02)
        if not bot.fake.updates:  # acknowledged by the next getUpdates
            break
    poll.cancel()
    await asyncio.gather(poll, return_exceptions=True)
    await bot.w.web.drain()
    await bot.settle()
    assert len([t for t in bot.fake.texts_to(operator.id) if "Pratinjau" in t]) == 1

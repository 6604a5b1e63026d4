"""An album delivered in one batch is handled as one event (handlers/album_batch.py)."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from handlers.album_batch import merge
from handlers.events import InboundEvent, Media
from storage.models import InboxEntry, Photo, Report
from tests.harness import CAPTION, Harness, jpeg
from tests.telegram_users import TgUser
from tests.test_core_loop import setup_people


def album(bot: Harness, operator: TgUser, count: int, group: str) -> list[dict[str, Any]]:
    updates = []
    for i in range(count):
        content = operator.photo(
            jpeg(color=(i * 40, 90, 30)), media_group_id=group, caption=CAPTION if i == 0 else None
        )
        update = bot.fake.push(content)
        bot.fake.updates.remove(update)  # delivered here, as PTB's concurrent handlers would
        updates.append(update)
    return updates


async def deliver_together(bot: Harness, updates: list[dict[str, Any]]) -> None:
    await asyncio.gather(*(bot.w.process(u) for u in updates))
    await bot.w.engine.drain_background()
    await bot.w.outbox.drain()


def statements_like(bot: Harness, start: str) -> list[str]:
    """The SQL statements from now on that start so."""
    found: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.startswith(start):
            found.append(statement)

    sa_event.listen(bot.w.db.sync_engine, "before_cursor_execute", seen)
    return found


async def test_an_album_delivered_together_is_one_transaction_and_one_preview(
    bot: Harness,
) -> None:
    _, operator = await setup_people(bot)
    before = len(bot.fake.messages_to(operator.id))
    inbox_writes = statements_like(bot, "INSERT INTO inbox")
    updates = album(bot, operator, 4, "album-9")
    await deliver_together(bot, updates)
    await bot.settle()
    previews = [m for m in bot.fake.messages_to(operator.id)[before:] if "Pratinjau" in m.text]
    assert len(previews) == 1 and "Foto: 4" in previews[0].text
    async with bot.w.sessionmaker() as session:
        photos = list(await session.scalars(select(Photo).order_by(Photo.position)))
        recorded = await session.scalar(select(func.count()).select_from(InboxEntry))
    assert [p.position for p in photos] == [0, 1, 2, 3]
    assert len(inbox_writes) == 1  # one event, one transaction: its four updates recorded
    assert recorded is not None and recorded >= 4
    # Delivered again, all of it or a part: nothing is added twice.
    await deliver_together(bot, updates[1:3])
    await deliver_together(bot, updates)
    await bot.settle()
    async with bot.w.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Photo)) == 4


async def test_a_partly_redelivered_album_keeps_only_the_new_photos(bot: Harness) -> None:
    _, operator = await setup_people(bot)
    updates = album(bot, operator, 3, "album-7")
    await deliver_together(bot, updates[:1])  # the first arrived and was handled alone
    await deliver_together(bot, updates)  # then the whole album, the first again among them
    await bot.settle()
    async with bot.w.sessionmaker() as session:
        photos = list(await session.scalars(select(Photo).order_by(Photo.position)))
    assert [p.position for p in photos] == [0, 1, 2]
    assert "Foto: 3" in bot.last_to(operator).text


def item(event_id: str, text: str = "") -> InboundEvent:
    media = [Media(kind="photo", ref=f"f{event_id}", unique_id=f"u{event_id}")]
    return InboundEvent(
        channel="telegram",
        event_id=event_id,
        sender="5",
        sender_name="Op",
        chat_id="5",
        is_private=True,
        text=text,
        media=media,
        media_group_id="g",
    )


def test_items_merge_while_at_most_one_has_a_caption() -> None:
    merged = merge([item("1", "Kerja bakti"), item("2"), item("3", "Rapat RT"), item("4")])
    assert [m.event_id for m in merged] == ["1", "3"]
    assert [m.also for m in merged] == [["2"], ["4"]]
    assert [m.text for m in merged] == ["Kerja bakti", "Rapat RT"]
    assert merged[0].media_from == ["1", "2"] and len(merged[0].media) == 2
    [one] = merge([item("1"), item("2"), item("3", "Kerja bakti di RW 05")])
    assert one.text == "Kerja bakti di RW 05" and one.media_from == ["1", "2", "3"]


async def test_a_redelivered_caption_does_not_undo_a_newer_one(bot: Harness) -> None:
    _, operator = await setup_people(bot)
    updates = album(bot, operator, 3, "album-5")
    await deliver_together(bot, updates[:1])  # the first, with the caption, handled alone
    newer = "Rapat koordinasi kader posyandu di Kelurahan Cibuluh bersama lurah."
    await bot.send(operator.text(newer))  # the operator wrote a better caption meanwhile
    await deliver_together(bot, updates)  # the album again, the caption's update among it
    await bot.settle()
    async with bot.w.sessionmaker() as session:
        captions = list(await session.scalars(select(Report.caption)))
    assert captions == [newer]

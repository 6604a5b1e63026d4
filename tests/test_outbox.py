"""Nothing owed is lost when Telegram fails for a while: retried later, once, in order."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from handlers.messages import Text, raw, to_payload
from storage.models import OutboxMessage, Role
from storage.outbox import Outbox
from tests.harness import CAPTION, Clock, Harness, jpeg


async def outbox_rows(bot: Harness) -> list[OutboxMessage]:
    async with bot.w.sessionmaker() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_server_errors_are_retried_in_order_exactly_once(bot: Harness, clock: Clock) -> None:
    operator = await bot.join(bot.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    sent_before = len(bot.fake.messages_to(operator.id))
    bot.fake.fail_next("sendMessage", 502, times=2)
    await bot.send(operator.text("/status"))
    await bot.send(operator.text("/bantuan"))
    assert len(bot.fake.messages_to(operator.id)) == sent_before  # both wait: order per chat
    for _ in range(3):
        clock.advance(seconds=30)
        await bot.w.outbox.drain()
    texts = bot.fake.texts_to(operator.id)[sent_before:]
    assert len(texts) == 2
    assert "Belum ada laporan" in texts[0] and "Cara melapor" in texts[1]
    await bot.w.outbox.drain()
    assert len(bot.fake.texts_to(operator.id)) == sent_before + 2
    assert all(r.status == "sent" for r in await outbox_rows(bot))


async def test_429_waits_retry_after(bot: Harness, clock: Clock) -> None:
    operator = await bot.join(bot.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    before = len(bot.fake.messages_to(operator.id))
    bot.fake.fail_next("sendMessage", 429, retry_after=7)
    await bot.send(operator.text("/status"))
    clock.advance(seconds=6)
    await bot.w.outbox.drain()
    assert len(bot.fake.messages_to(operator.id)) == before
    clock.advance(seconds=2)
    await bot.w.outbox.drain()
    assert len(bot.fake.messages_to(operator.id)) == before + 1


async def test_blocked_user_does_not_hold_up_the_chat(bot: Harness) -> None:
    operator = await bot.join(bot.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    bot.fake.fail_next("sendMessage", 403)
    await bot.send(operator.text("/status"))
    await bot.send(operator.text("/bantuan"))
    rows = await outbox_rows(bot)
    assert [r.status for r in rows[-2:]] == ["failed", "sent"]
    assert "Forbidden" in (rows[-2].last_error or "")


async def test_card_edit_waits_for_the_card(bot: Harness, clock: Clock) -> None:
    editor = await bot.join(bot.user("Rina"), Role.EDITOR)
    await bot.newsroom(editor)
    operator = await bot.join(bot.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    await bot.send(operator.photo(jpeg(), caption=CAPTION))
    bot.fake.fail_next("sendPhoto", 500, times=3)
    await bot.send(operator.tap_button(bot.last_to(operator), "Kirim"))
    assert not [m for m in bot.newsroom_messages() if "Laporan #" in m.text]
    for _ in range(5):
        clock.advance(minutes=1)
        await bot.w.outbox.drain()
    card = bot.card()
    await bot.send(editor.tap_button(card, "Setujui"))
    assert "Disetujui" in bot.card().text
    cards = [m for m in bot.newsroom_messages() if "Laporan #" in m.text]
    assert [m.kind for m in cards] == ["photo"]  # the photo is the card: nothing sent twice


async def test_the_worker_looks_again_when_a_head_can_be_taken(bot: Harness, clock: Clock) -> None:
    """Not while messages wait behind a head that is held or not due yet (issue 13: a pass
    every 50 ms for a whole newsroom backlog): when a head is due or its lease ends."""
    now, payload = clock(), to_payload(Text([raw("x")]))
    async with bot.w.sessionmaker() as session, session.begin():
        outbox = Outbox(session)
        for chat in ("held", "held", "later", "later"):
            outbox.enqueue("telegram", chat, payload, now=now)
    async with bot.w.sessionmaker() as session, session.begin():
        outbox = Outbox(session)
        held, _, later, _ = await session.scalars(select(OutboxMessage.id).order_by("id"))
        assert await outbox.claim(held, now, timedelta(seconds=30), "another")
        await outbox.retry_later(later, now + timedelta(seconds=50), "429")
    async with bot.w.sessionmaker() as session:
        assert await Outbox(session).next_head_at() == now + timedelta(seconds=30)
    async with bot.w.sessionmaker() as session, session.begin():
        await Outbox(session).mark_sent(held, now)  # the next of that chat is its head now
    async with bot.w.sessionmaker() as session:
        assert await Outbox(session).next_head_at() == now


async def test_queued_messages_are_written_at_commit_and_a_savepoint_keeps_its_own(
    bot: Harness, clock: Clock
) -> None:
    """Messages are written once, at the outer commit; a savepoint rolled back drops only
    what was queued inside it, and a transaction rolled back drops all."""
    payload = to_payload(Text([raw("x")]))
    async with bot.w.sessionmaker() as session, session.begin():
        outbox = Outbox(session)
        outbox.enqueue("telegram", "before", payload, now=clock())
        try:
            async with session.begin_nested():
                outbox.enqueue("telegram", "inside", payload, now=clock())
                raise RuntimeError
        except RuntimeError:
            pass
        async with session.begin_nested():
            outbox.enqueue("telegram", "kept", payload, now=clock())
    try:
        async with bot.w.sessionmaker() as session, session.begin():
            Outbox(session).enqueue("telegram", "rolled back", payload, now=clock())
            raise RuntimeError
    except RuntimeError:
        pass
    async with bot.w.sessionmaker() as session:
        chats = list(await session.scalars(select(OutboxMessage.chat_id).order_by("id")))
    assert [c for c in chats if c in ("before", "inside", "kept", "rolled back")] == [
        "before",
        "kept",
    ]

"""Group chats bound to a purpose (the newsroom) and small persistent facts."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import BoundChat, KeyValue, OutboxMessage, Subscription

NEWSROOM = "newsroom"
LEADERS = "leaders"  # the leaders' chat: the weekly recap goes there


class Chats:
    """Repository of bound chats and key-value facts."""

    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def bound(self, org_id: int, purpose: str) -> list[BoundChat]:
        rows = await self.s.scalars(
            select(BoundChat).where(BoundChat.org_id == org_id, BoundChat.purpose == purpose)
        )
        return list(rows)

    async def bindings_of(self, channel: str, chat_id: str) -> list[BoundChat]:
        rows = await self.s.scalars(
            select(BoundChat).where(BoundChat.channel == channel, BoundChat.chat_id == chat_id)
        )
        return list(rows)

    async def bind(
        self, org_id: int, *, purpose: str, channel: str, chat_id: str, title: str, member_id: int
    ) -> BoundChat:
        """Bind a chat; a newsroom moved to another group replaces the old binding."""
        existing = await self.s.scalar(
            select(BoundChat).where(
                BoundChat.org_id == org_id,
                BoundChat.purpose == purpose,
                BoundChat.channel == channel,
            )
        )
        if existing is None:
            existing = BoundChat(org_id=org_id, purpose=purpose, channel=channel)
            self.s.add(existing)
        existing.chat_id, existing.title, existing.bound_by = chat_id, title[:200], member_id
        await self.s.flush()
        return existing

    async def unbind(self, bound: BoundChat) -> None:
        await self.s.delete(bound)

    async def move(self, channel: str, old: str, new: str) -> None:
        """A group that became a supergroup: its bindings, reminders and queue follow it."""
        for model in (BoundChat, Subscription):
            await self.s.execute(
                update(model)
                .where(model.channel == channel, model.chat_id == old)
                .values(chat_id=new)
            )
        await self.s.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.channel == channel,
                OutboxMessage.chat_id == old,
                OutboxMessage.status == "pending",
            )
            .values(chat_id=new)
        )

    async def get_value(self, key: str) -> str | None:
        row = await self.s.get(KeyValue, key)
        return None if row is None else row.value

    async def set_value(self, key: str, value: str) -> None:
        row = await self.s.get(KeyValue, key)
        if row is None:
            self.s.add(KeyValue(key=key, value=value))
        else:
            row.value = value
        await self.s.flush()

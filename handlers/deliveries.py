"""Messages that could not be delivered, what they were, and sending them again.

Two kinds: outbox messages Warta gave up on (storage.outbox FAILURES; the same ones
handlers/undeliverable lists to coordinators each morning), and messages WhatsApp took and then
reported failed (a failed delivery status). Whatever Warta already replaced by itself (a template
where the 24-hour window had closed, a resend after a passing failure) is not listed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.context import Context
from handlers.messages import T, send_again, t
from handlers.outcome import Outcome, done, refused
from handlers.texts import Texts
from handlers.units import not_coordinator
from storage.chats import Chats
from storage.models import Contact, Member, OutboxMessage
from storage.outbox import EXPIRED, GONE, REFUSED, Outbox

OUTBOX, RECEIPT = "o", "r"  # where a row comes from, in its address: /pengiriman/o/12
CHANNELS = {"telegram": "Telegram", "whatsapp": "WhatsApp"}  # names, not words to translate
REASONS = {GONE: "deliveries.gone", EXPIRED: "deliveries.expired", REFUSED: "deliveries.refused"}
# What a message was, by the section of its first text (card.title -> "card").
SECTIONS = {
    "card": "deliveries.kind_card",
    "notify": "deliveries.kind_notice",
    "reminder": "deliveries.kind_reminder",
    "nudge": "deliveries.kind_nudge",
    "stale": "deliveries.kind_stale",
    "recap": "deliveries.kind_recap",
    "undelivered": "deliveries.kind_undelivered",
}
TYPES = {
    "album": "deliveries.kind_album",
    "file": "deliveries.kind_file",
    "edit": "deliveries.kind_edit",
    "delete": "deliveries.kind_delete",
    "template": "deliveries.kind_template",
}
SUMMARY_CHARS = 160
ERROR_CODE = re.compile(r"\bcode=(\d+)")  # pywa's error, as the receipt stored it


@dataclass(frozen=True)
class Undelivered:
    source: str  # OUTBOX or RECEIPT
    id: int
    at: datetime
    channel: str
    chat_id: str
    who: str
    kind: str
    summary: str
    reason: str
    error: str


async def retry(ctx: Context, source: str, item_id: int) -> Outcome:
    """Send an undelivered message again: back in the outbox as pending, attempts from zero
    and a fresh give-up clock (a receipt's message is queued again as a new one)."""
    if refusal := not_coordinator(ctx):
        return refusal
    if source == OUTBOX:
        again = await ctx.outbox.retry(item_id, ctx.now)
    elif source == RECEIPT:
        again = await ctx.outbox.resend(item_id, ctx.now)
    else:
        again = False
    return done(t("deliveries.retried")) if again else refused(t("deliveries.not_failed"))


async def undelivered(
    session: AsyncSession,
    texts: Texts,
    *,
    since: datetime,
    limit: int,
    failure_of: Callable[[int | None], str | None],
) -> list[Undelivered]:
    """Both kinds, newest first. failure_of classifies a platform's error code the way its
    adapter does ("window", "transient", "permanent"), to leave out what Warta replaced."""
    outbox = Outbox(session)
    rows: list[Undelivered] = []
    for message in await outbox.latest_given_up(since, limit):
        reason = REASONS.get(message.failure or REFUSED, REASONS[REFUSED])
        at = message.failed_at or message.created_at
        rows.append(_row(texts, OUTBOX, message.id, at, message, reason, message.last_error))
    for receipt, message in await outbox.failed_receipts(since, limit):
        code = ERROR_CODE.search(receipt.error or "")
        if send_again(message.payload, failure_of(int(code[1]) if code else None)) is not None:
            continue  # Warta sent a template or the same message again by itself
        reason = "deliveries.receipt_failed"
        rows.append(
            _row(texts, RECEIPT, receipt.id, receipt.updated_at, message, reason, receipt.error)
        )
    rows.sort(key=lambda row: row.at, reverse=True)
    return await _named(session, texts, rows[:limit])


def _row(
    texts: Texts,
    source: str,
    row_id: int,
    at: datetime,
    message: OutboxMessage,
    reason: str,
    error: str | None,
) -> Undelivered:
    channel = CHANNELS.get(message.channel, message.channel)
    kind, summary = describe(texts, message.payload)
    return Undelivered(
        source=source,
        id=row_id,
        at=at,
        channel=message.channel,
        chat_id=message.chat_id,
        who=message.chat_id,
        kind=kind,
        summary=summary,
        reason=texts.render(t(reason, channel=channel)),
        error=(error or "")[:300],
    )


async def _named(session: AsyncSession, texts: Texts, rows: list[Undelivered]) -> list[Undelivered]:
    """Who each was for: the member behind the chat, else a bound group's title, else the id."""
    chats = {row.chat_id for row in rows}
    found = await session.execute(
        select(Contact.channel, Contact.chat_id, Member.name)
        .join(Member, Member.id == Contact.member_id)
        .where(Contact.chat_id.in_(chats))
    )
    names = {(channel, chat): name for channel, chat, name in found.all()}
    named: list[Undelivered] = []
    for row in rows:
        who = names.get((row.channel, row.chat_id)) or await _title(session, row)
        named.append(replace(row, who=who))
    return named


async def _title(session: AsyncSession, row: Undelivered) -> str:
    for bound in await Chats(session).bindings_of(row.channel, row.chat_id):
        if bound.title:
            return bound.title
    return row.chat_id


def describe(texts: Texts, payload: dict[str, Any]) -> tuple[str, str]:
    """(what it was, its first words) for a queued payload, readable by a coordinator."""
    kind = payload.get("type", "text")
    lines = payload.get("lines") or payload.get("caption") or payload.get("params") or []
    if kind == "text" and lines:
        label = SECTIONS.get(lines[0]["key"].split(".")[0], "deliveries.kind_reply")
    else:
        label = TYPES.get(kind, "deliveries.kind_reply")
    params = {"name": payload.get("filename") or payload.get("name") or ""}
    shown = " · ".join(_plain(texts, line) for line in lines)
    if len(shown) > SUMMARY_CHARS:
        shown = shown[: SUMMARY_CHARS - 1].rstrip() + "…"
    return texts.render(T(label, params)), shown


def _plain(texts: Texts, line: dict[str, Any]) -> str:
    try:
        rendered = texts.render(T(line["key"], line.get("params", {})))
    except (KeyError, ValueError, IndexError):  # a text renamed since it was queued
        return ""
    return " ".join(rendered.split())

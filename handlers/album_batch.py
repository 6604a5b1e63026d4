"""An album's photos, delivered together, handled as one event: one transaction per album.

Telegram sends each photo of an album as its own update, in one batch, and Warta handles
updates concurrently; one person's events take turns (Engine._lock). The items that arrive
while the first one waits for its turn (or for GATHER) ride along with it: their photos join
its event, their update ids are recorded with its own, and each rider's handle() returns when
the merged event has been handled, so a webhook row is marked done only once it is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace

from handlers.events import InboundEvent

GATHER = 0.05  # s: the album's other items, delivered in the same batch, are here by then


def album_item(event: InboundEvent) -> bool:
    """A photo of an album sent in a private chat: it may be handled with its siblings."""
    return bool(
        event.media_group_id
        and event.media
        and event.is_private
        and not event.edited
        and not event.callback_id
    )


def merge(events: list[InboundEvent]) -> list[InboundEvent]:
    """The events as few as they can be: consecutive items merge while at most one of them
    carries a caption (two captions would each need deciding, so they stay apart)."""
    merged: list[InboundEvent] = []
    for event in events:
        last = merged[-1] if merged else None
        if last is not None and not (last.text and event.text):
            merged[-1] = _joined(last, event)
        else:
            merged.append(replace(event, media=list(event.media), fetched=[]))
    return merged


def _joined(first: InboundEvent, other: InboundEvent) -> InboundEvent:
    media_from = first.media_from or [first.event_id] * len(first.media)
    text_from = first.text_from or (first.event_id if first.text else None)
    return replace(
        first,
        text=first.text or other.text,
        text_from=text_from if first.text else (other.event_id if other.text else None),
        media=[*first.media, *other.media],
        media_from=[*media_from, *[other.event_id] * len(other.media)],
        also=[*first.also, other.event_id],
        fetched=[],
    )


def keep_only(event: InboundEvent, fresh: set[str]) -> None:
    """Drop what came with updates handled before (a redelivery of some of the items): their
    photos, and the caption if it came with one (it may have been changed since)."""
    if event.text_from is not None and event.text_from not in fresh:
        event.text = ""
    if not event.media_from:
        return
    kept = [i for i, source in enumerate(event.media_from) if source in fresh]
    event.media = [event.media[i] for i in kept]
    if event.fetched:
        event.fetched = [event.fetched[i] for i in kept]
    event.media_from = [event.media_from[i] for i in kept]


@dataclass
class Gathering:
    """The items waiting to be handled as one, and their common outcome."""

    events: list[InboundEvent]
    done: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class AlbumGatherer:
    """Groups an album's items per sender and album; each group is handled once."""

    def __init__(self) -> None:
        self._open: dict[tuple[str, str], Gathering] = {}

    async def handle(
        self,
        event: InboundEvent,
        turn: asyncio.Lock,
        run: Callable[[InboundEvent], Awaitable[None]],
    ) -> None:
        """Handle the item with the others of its album that arrive meanwhile, in the
        sender's turn; a rider returns (or raises) when the group is done."""
        key = (event.address, event.media_group_id or "")
        open_ = self._open.get(key)
        if open_ is not None:
            open_.events.append(event)
            await asyncio.shield(open_.done)
            return
        gathering = self._open[key] = Gathering([event])
        try:
            async with turn:
                await asyncio.sleep(GATHER)
                self._close(key, gathering)  # a later item starts a new gathering
                for merged in merge(gathering.events):
                    await run(merged)
        except asyncio.CancelledError:
            self._close(key, gathering)
            gathering.done.cancel()
            raise
        except Exception as exc:
            self._close(key, gathering)
            gathering.done.set_exception(exc)
            gathering.done.exception()  # retrieved: with no rider, nothing else would
            raise
        gathering.done.set_result(None)

    def _close(self, key: tuple[str, str], gathering: Gathering) -> None:
        if self._open.get(key) is gathering:
            del self._open[key]

"""The caption coach in the chat (issue 12): a line in the operator's preview, the "Perbaiki
ejaan" button's fix, and the card's note of what the caption does not say.

Suggestions only: nothing here stops a report from being sent. The analysis itself is
handlers/caption_coach.py; the region's place names and the word lists were loaded once at
startup (Core.coaching), the units' names are read per caption since they change.
"""

from __future__ import annotations

import time

from handlers.caption_coach import (
    Advice,
    Fix,
    advice_line,
    apply_fixes,
    coach,
    element_names,
    find_fixes,
)
from handlers.coach.places import Places
from handlers.context import Context
from handlers.messages import Button, T, t
from storage.models import Report
from storage.people import units_version

FIX_SPELLING = "de"  # the button's data: de:<draft id>:<content version>


UNITS_FRESH = 60.0  # s: how old the units' names may be (another process renamed one)


async def advice_for(ctx: Context, caption: str) -> Advice:
    return coach(caption, await _places(ctx), ctx.core.coaching.lexicon)


async def _places(ctx: Context) -> Places:
    """The region's places with the organization's units, read again after a minute or after
    this process changed a unit: an album's preview, its card and its receipt share them."""
    coaching, key = ctx.core.coaching, (ctx.org.id, units_version())
    cached = coaching.with_units.get(key)
    if cached is not None and time.monotonic() - cached[0] < UNITS_FRESH:
        return cached[1]
    units = await ctx.people.units(ctx.org.id)
    places = coaching.region.with_units(unit.name for unit in units)
    coaching.with_units.clear()  # one organization a process today: keep only the newest
    coaching.with_units[key] = (time.monotonic(), places)
    return places


def spelling_fixes(ctx: Context, caption: str) -> tuple[Fix, ...]:
    """The fixes alone need no place names: the button is decided without the database."""
    return find_fixes(caption, ctx.core.coaching.lexicon)


async def preview_line(ctx: Context, caption: str) -> list[T]:
    line = advice_line(await advice_for(ctx, caption), ctx.core.texts)
    return [line] if line is not None else []


def fix_button(ctx: Context, draft: Report) -> Button | None:
    """ "Perbaiki ejaan", carrying the content version like Kirim; None with nothing to fix."""
    if not spelling_fixes(ctx, draft.caption):
        return None
    return Button(t("button.fix_spelling"), f"{FIX_SPELLING}:{draft.id}:{draft.content_seq}")


def fixed_caption(ctx: Context, caption: str) -> str:
    return apply_fixes(caption, spelling_fixes(ctx, caption))


async def card_line(ctx: Context, report: Report) -> list[T]:
    """For the editors: every element the caption leaves out (they may fix it, or ask)."""
    advice = await advice_for(ctx, report.caption)
    if not advice.missing:
        return []
    return [t("card.coach_missing", elements=element_names(advice, ctx.core.texts))]

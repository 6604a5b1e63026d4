"""Warnings about a photo that help before the newsroom sees it: the operator may still send.

Too small, too dark, blurry, taken long ago, or already used in an earlier report. Stored on
the photo, shown in the operator's preview and on the editors' card.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from handlers.config import Limits
from handlers.context import Context
from handlers.messages import T, t
from storage.models import Photo, Report
from storage.photo_checks import Look


def measured(
    look: Look, taken: datetime | None, limits: Limits, now: datetime
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if look.short_side < limits.min_photo_side:
        found.append({"code": "small", "side": look.short_side, "min": limits.min_photo_side})
    if look.brightness < limits.dark_below:
        found.append({"code": "dark"})
    if look.sharpness < limits.blurry_below:
        found.append({"code": "blurry"})
    if taken is not None and (now - taken).days >= limits.old_photo_days:
        found.append({"code": "old", "days": (now - taken).days})
    return found


async def add_duplicate(
    ctx: Context, draft: Report, photo: Photo, earlier: list[str] | None = None
) -> None:
    """Flag a photo already used in an earlier report of this organization. earlier: what
    the search before the transaction found (the engine's prefetch), else searched here."""
    if not photo.dhash:
        return
    if earlier is None:
        earlier = await ctx.reports.similar_photos(
            ctx.org.id, photo.dhash, max_bits=ctx.core.limits.duplicate_bits, other_than=None
        )
    # A revision's own earlier version is not a reuse.
    earlier = [number for number in earlier if number != draft.number]
    if earlier:
        photo.warnings = [*(photo.warnings or []), {"code": "duplicate", "number": earlier[0]}]


def warning_lines(photos: list[Photo]) -> list[T]:
    """ "⚠️ Foto 2 terlalu gelap." and the like, in photo order."""
    lines = []
    for n, photo in enumerate(photos, 1):
        for warning in photo.warnings or []:
            params = {k: v for k, v in warning.items() if k != "code"}
            lines.append(t(f"warn.{warning['code']}", n=n, **params))
    return lines

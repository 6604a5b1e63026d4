""" "Lihat foto asli" under a contact-sheet card: the report's photos whole, as an album, in the
tapping editor's private chat (a private chat does not spend the newsroom group's budget of
messages a minute)."""

from __future__ import annotations

from handlers.cards import photo_ref
from handlers.context import Context
from handlers.messages import Album, t


async def tap_originals(ctx: Context, report_id: int) -> None:
    if not ctx.can_decide():
        ctx.answer(t("review.not_editor"), alert=True)
        return
    report = await ctx.reports.get(report_id)
    if report is None or report.org_id != ctx.org.id:
        ctx.answer(t("tap.stale"), alert=True)
        return
    photos = await ctx.reports.photos(report.id)
    caption = t("card.originals_caption", number=report.number or "", count=len(photos))
    ctx.send(ctx.ev.channel, ctx.ev.sender, Album([photo_ref(p) for p in photos], [caption]))
    ctx.answer(t("card.originals_sent"))

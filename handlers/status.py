"""/status: an operator's recent reports and where they stand."""

from __future__ import annotations

from handlers.context import Context
from handlers.messages import t
from handlers.timefmt import when

STATUS_KEYS = {
    "pending": "status.pending",
    "approved": "status.approved",
    "revision": "status.revision",
    "rejected": "status.rejected",
}


async def show_status(ctx: Context) -> None:
    reports = await ctx.reports.recent_of(ctx.me.id)
    draft = await ctx.reports.draft_of(ctx.me.id)
    if not reports and draft is None:
        ctx.reply(t("status.empty"))
        return
    lines = [t("status.header")]
    for r in reports:
        at = when(r.submitted_at, ctx.core.tz) if r.submitted_at else "-"
        version = t("status.version", version=r.version) if r.version > 1 else None
        lines.append(
            t(
                "status.line",
                number=r.number,
                pillar=r.pillar_name or "-",
                state=ctx.core.texts.render(t(STATUS_KEYS.get(r.status, "status.pending"))),
                when=at,
                version=ctx.core.texts.render(version) if version else "",
            )
        )
    if draft is not None:
        lines.append(t("status.draft", count=await ctx.reports.photo_count(draft.id)))
    ctx.reply(*lines)

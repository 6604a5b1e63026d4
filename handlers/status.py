"""/status: an operator's recent reports and where they stand."""

from __future__ import annotations

from handlers.context import Context
from handlers.messages import t
from handlers.timefmt import when
from storage.models import ReportStatus

STATUS_KEYS = {
    ReportStatus.PENDING: "status.pending",
    ReportStatus.APPROVED: "status.approved",
    ReportStatus.REVISION: "status.revision",
    ReportStatus.REJECTED: "status.rejected",
    ReportStatus.WITHDRAWN: "status.withdrawn",
    ReportStatus.CANCELLED: "status.cancelled",
}


async def show_status(ctx: Context) -> None:
    # Only versions the newsroom got: a revision drafted and dropped was never submitted.
    reports = [
        (r, r.submitted_at) for r in await ctx.reports.recent_of(ctx.me.id) if r.submitted_at
    ]
    draft = await ctx.reports.draft_of(ctx.me.id)
    if not reports and draft is None:
        ctx.reply(t("status.empty"))
        return
    lines = [t("status.header")]
    for r, submitted_at in reports:
        version = t("status.version", version=r.version) if r.version > 1 else None
        lines.append(
            t(
                "status.line",
                number=r.number,
                pillar=r.pillar_name or "-",
                state=ctx.core.texts.render(t(STATUS_KEYS[r.status])),
                when=when(submitted_at, ctx.core.tz),
                version=ctx.core.texts.render(version) if version else "",
            )
        )
    if draft is not None:
        lines.append(t("status.draft", count=await ctx.reports.photo_count(draft.id)))
    ctx.reply(*lines)

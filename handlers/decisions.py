"""Deciding on a sent report: the one set of rules for a chat tap and the web desk.

Every function acts as `ctx.member` (ctx.event may be None: the desk has no chat event) and
answers with the refusal to show, or None when it was done. Whichever side acts first wins;
the other is told who decided. Chat cards on every channel and the operator are updated the
same way wherever the decision was made.
"""

from __future__ import annotations

from handlers import cards, package, publishing
from handlers.context import Context
from handlers.messages import Button, T, Text, t
from storage.models import Report, ReportStatus

STATUS_WORDS = {
    ReportStatus.APPROVED: "disetujui",
    ReportStatus.REVISION: "diminta revisi",
    ReportStatus.REJECTED: "ditolak",
    ReportStatus.WITHDRAWN: "ditarik",
}
# What each decision starts from: a withdrawal takes back an approved, published report.
STARTS_FROM = {
    ReportStatus.APPROVED: ReportStatus.PENDING,
    ReportStatus.REVISION: ReportStatus.PENDING,
    ReportStatus.REJECTED: ReportStatus.PENDING,
    ReportStatus.WITHDRAWN: ReportStatus.APPROVED,
}
# A reason is asked for everything but an approval.
NEEDS_REASON = {ReportStatus.REVISION, ReportStatus.REJECTED, ReportStatus.WITHDRAWN}


async def open_report(ctx: Context, report_id: int, to: ReportStatus) -> Report | T:
    """The report if ctx.member may move it to `to` now; otherwise why not."""
    if not ctx.can_decide():
        return t("review.not_editor")
    report = await ctx.reports.get(report_id)
    if (
        report is None
        or report.org_id != ctx.org.id
        or report.number is None  # never submitted: a draft, or one cancelled before Kirim
        or report.status in (ReportStatus.DRAFT, ReportStatus.CANCELLED)
        or (to == ReportStatus.WITHDRAWN and report.published_at is None)
    ):
        return t("tap.stale")
    if report.status != STARTS_FROM[to]:
        return await already_decided(ctx, report)
    return report


async def already_decided(ctx: Context, report: Report) -> T:
    decider = await ctx.people.member(report.decided_by)
    return t(
        "review.already_decided",
        number=report.number,
        outcome=STATUS_WORDS.get(report.status, report.status),
        name=decider.name if decider else "-",
    )


async def decide(ctx: Context, report_id: int, to: ReportStatus, reason: str | None) -> T | None:
    """Record the decision if it is still open, then update every card, publish or take
    down, and tell the operator. None when done, else the refusal."""
    opened = await open_report(ctx, report_id, to)
    if not isinstance(opened, Report):
        return opened
    reason = (reason or "").strip() or None
    if to in NEEDS_REASON and reason is None:
        return t("review.reason_missing")
    won = await ctx.reports.decide(
        report_id,
        to,
        editor_id=ctx.me.id,
        reason=reason,
        now=ctx.now,
        from_status=STARTS_FROM[to],
        via=ctx.via,
    )
    report = await ctx.reports.refresh(opened)
    if not won:  # another tap, process or browser was first
        return await already_decided(ctx, report)
    await _carry_out(ctx, report)
    return None


async def _carry_out(ctx: Context, report: Report) -> None:
    if report.status == ReportStatus.WITHDRAWN:
        await publishing.take_down(ctx, report)
    await cards.decided_card(ctx, report, ctx.me)
    if report.status == ReportStatus.APPROVED:
        await publishing.publish(ctx, report)
        package.prepare_derivatives(ctx, report.id)
    await _tell_operator(ctx, report)


async def _tell_operator(ctx: Context, report: Report) -> None:
    reason = report.decision_reason or "-"
    if report.status == ReportStatus.APPROVED:
        message = Text([t("notify.approved", number=report.number)])
    elif report.status == ReportStatus.REVISION:
        message = Text(
            [t("notify.revision", number=report.number, reason=reason)],
            [[Button(t("button.send_revision"), f"kr:{report.id}")]],
        )
    elif report.status == ReportStatus.WITHDRAWN:
        message = Text([t("notify.withdrawn", number=report.number, reason=reason)])
    else:
        message = Text([t("notify.rejected", number=report.number, reason=reason)])
    await ctx.send_member(report.member_id, message)

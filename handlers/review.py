"""Editors' decisions on report cards: approve in one tap, revise or reject with a reason."""

from __future__ import annotations

from handlers import cards, package, publishing
from handlers.cards import ACTIONS, REJECTION, REVISION, WITHDRAWAL
from handlers.context import Context, TapHandler
from handlers.messages import Button, Edit, Text, t
from storage.models import Report, ReportStatus

STATUS_WORDS = {
    ReportStatus.APPROVED: "disetujui",
    ReportStatus.REVISION: "diminta revisi",
    ReportStatus.REJECTED: "ditolak",
    ReportStatus.WITHDRAWN: "ditarik",
}


async def _open_report(ctx: Context, report_id: int, action: int = 0) -> Report | None:
    """The report if this person may act on it and it still waits for that: pending for a
    decision, approved and published for a withdrawal. Otherwise say why, and None."""
    if not ctx.can_decide():
        ctx.answer(t("review.not_editor"), alert=True)
        return None
    if not await cards.is_review_place(ctx):
        ctx.answer(t("review.old_newsroom"), alert=True)
        return None
    report = await ctx.reports.get(report_id)
    withdrawing = action == WITHDRAWAL
    if (
        report is None
        or report.org_id != ctx.org.id
        or report.number is None  # never submitted: a draft, or one cancelled before Kirim
        or report.status in (ReportStatus.DRAFT, ReportStatus.CANCELLED)
        or (withdrawing and not report.published_ids)
    ):
        ctx.answer(t("tap.stale"), alert=True)
        return None
    if report.status != (ReportStatus.APPROVED if withdrawing else ReportStatus.PENDING):
        await _already_decided(ctx, report)
        return None
    return report


async def _already_decided(ctx: Context, report: Report) -> None:
    """Tell an editor who came too late who decided; as an alert on a tap, else in the chat."""
    decider = await ctx.people.member(report.decided_by)
    text = t(
        "review.already_decided",
        number=report.number,
        outcome=STATUS_WORDS.get(report.status, report.status),
        name=decider.name if decider else "-",
    )
    if ctx.ev.callback_id:
        ctx.answer(text, alert=True)
    else:
        ctx.reply(text)


async def tap_approve(ctx: Context, report_id: int) -> None:
    if await _open_report(ctx, report_id) is not None:
        await _decide(ctx, report_id, ReportStatus.APPROVED, None)


async def tap_ask_reason(ctx: Context, report_id: int, action: int) -> None:
    report = await _open_report(ctx, report_id, action)
    if report is None:
        return
    ctx.reply_message(
        Edit([], cards.reason_buttons(ctx, report.id, action), message_id=ctx.ev.message_id)
    )
    ctx.answer(t("review.pick_reason"))


async def tap_revise(ctx: Context, report_id: int) -> None:
    await tap_ask_reason(ctx, report_id, REVISION)


async def tap_reject(ctx: Context, report_id: int) -> None:
    await tap_ask_reason(ctx, report_id, REJECTION)


async def tap_withdraw(ctx: Context, report_id: int) -> None:
    await tap_ask_reason(ctx, report_id, WITHDRAWAL)


async def tap_back(ctx: Context, report_id: int) -> None:
    report = await ctx.reports.get(report_id)
    if report is not None and report.status == ReportStatus.APPROVED and ctx.can_decide():
        buttons = cards.decided_buttons(report)  # back from the withdrawal reasons
    elif await _open_report(ctx, report_id) is not None:
        buttons = cards.decision_buttons(report_id)
    else:
        return
    ctx.reply_message(Edit([], buttons, message_id=ctx.ev.message_id))
    ctx.answer()


async def tap_preset_reason(ctx: Context, report_id: int, action: int, key: str) -> None:
    reason = next((r for r in ctx.core.reasons if r.key == key), None)
    if action not in ACTIONS or reason is None:
        ctx.answer(t("tap.stale"), alert=True)
        return
    if await _open_report(ctx, report_id, action) is not None:
        await _decide(ctx, report_id, ACTIONS[action], reason.text)


async def tap_typed_reason(ctx: Context, report_id: int, action: int) -> None:
    if action not in ACTIONS:
        ctx.answer(t("tap.stale"), alert=True)
        return
    report = await _open_report(ctx, report_id, action)
    if report is None:
        return
    await ctx.reports.ask_reason(
        member_id=ctx.me.id,
        chat_id=ctx.ev.chat_id,
        report_id=report.id,
        action=ACTIONS[action].value,
    )
    key = {REVISION: "review.type_revision", WITHDRAWAL: "review.type_withdrawal"}.get(
        action, "review.type_rejection"
    )
    # A reply to this message reaches the bot even with group privacy mode on.
    ctx.reply(t(key, name=ctx.me.name, number=report.number), force_reply=True)
    ctx.answer(t("review.type_hint"))


async def receive_typed_reason(ctx: Context) -> bool:
    """The answer to "type the reason"; False when this person was not asked one here."""
    if not ctx.can_decide():
        return False
    question = await ctx.reports.take_reason_question(ctx.me.id, ctx.ev.chat_id)
    if question is None:
        return False
    await _decide(ctx, question.report_id, ReportStatus(question.action), ctx.ev.text.strip())
    return True


async def _decide(ctx: Context, report_id: int, to: ReportStatus, reason: str | None) -> None:
    was = ReportStatus.APPROVED if to == ReportStatus.WITHDRAWN else ReportStatus.PENDING
    won = await ctx.reports.decide(
        report_id, to, editor_id=ctx.me.id, reason=reason, now=ctx.now, from_status=was
    )
    report = await ctx.reports.refresh(await ctx.reports.get(report_id))  # type: ignore[arg-type]
    if not won:
        await _already_decided(ctx, report)
        return
    if to == ReportStatus.WITHDRAWN:
        publishing.take_down(ctx, report)
    await cards.decided_card(ctx, report, ctx.me)
    if to == ReportStatus.APPROVED:
        await publishing.publish(ctx, report)
        package.prepare_derivatives(ctx, report.id)
    ctx.answer(t("review.done", outcome=STATUS_WORDS[to]))
    await _tell_operator(ctx, report)


async def _tell_operator(ctx: Context, report: Report) -> None:
    if report.status == ReportStatus.APPROVED:
        message = Text([t("notify.approved", number=report.number)])
    elif report.status == ReportStatus.REVISION:
        message = Text(
            [t("notify.revision", number=report.number, reason=report.decision_reason or "-")],
            [[Button(t("button.send_revision"), f"kr:{report.id}")]],
        )
    elif report.status == ReportStatus.WITHDRAWN:
        message = Text(
            [t("notify.withdrawn", number=report.number, reason=report.decision_reason or "-")]
        )
    else:
        message = Text(
            [t("notify.rejected", number=report.number, reason=report.decision_reason or "-")]
        )
    await ctx.send_member(report.member_id, message)


CALLBACKS: dict[str, TapHandler] = {
    "ap": tap_approve,
    "rv": tap_revise,
    "rj": tap_reject,
    "rb": tap_back,
    "rr": tap_preset_reason,
    "rt": tap_typed_reason,
    "wd": tap_withdraw,
}

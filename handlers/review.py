"""Editors' decisions on report cards: approve in one tap, revise or reject with a reason."""

from __future__ import annotations

from handlers import caption_fix, cards, decisions
from handlers.cards import ACTIONS, REJECTION, REVISION, WITHDRAWAL
from handlers.context import Context, TapHandler
from handlers.messages import Edit, T, t
from storage.models import Report, ReportStatus

APPROVED = ReportStatus.APPROVED


async def _in_old_newsroom(ctx: Context) -> bool:
    """A card left behind in a moved newsroom only shows; say so."""
    if ctx.can_decide() and not await cards.is_review_place(ctx):
        _refuse(ctx, t("review.old_newsroom"))
        return True
    return False


async def _open_report(ctx: Context, report_id: int, action: int = 0) -> Report | None:
    """The report if this person may act on it here and it still waits for that; otherwise
    say why (as an alert on a tap) and None."""
    if await _in_old_newsroom(ctx):
        return None
    opened = await decisions.open_report(ctx, report_id, ACTIONS.get(action, APPROVED))
    if not isinstance(opened, Report):
        _refuse(ctx, opened)
        return None
    return opened


def _refuse(ctx: Context, text: T) -> None:
    """A refusal as an alert on the tapped button, else (a typed reason) in the chat."""
    if ctx.ev.callback_id:
        ctx.answer(text, alert=True)
    else:
        ctx.reply(text)


async def tap_approve(ctx: Context, report_id: int) -> None:
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
    elif (report := await _open_report(ctx, report_id)) is not None:
        buttons = cards.decision_buttons(report_id)
    else:
        return
    photos = len(await ctx.reports.photos(report.id))
    buttons = cards.placed(ctx, report, buttons, ctx.ev.channel, photos)
    ctx.reply_message(Edit([], buttons, message_id=ctx.ev.message_id))
    ctx.answer()


async def tap_fix_caption(ctx: Context, report_id: int) -> None:
    report = await _open_report(ctx, report_id)  # still pending, and this is where it's decided
    if report is not None:
        await caption_fix.ask_for_caption(ctx, report)


async def tap_preset_reason(ctx: Context, report_id: int, action: int, key: str) -> None:
    reason = next((r for r in ctx.core.reasons if r.key == key), None)
    if action not in ACTIONS or reason is None:
        ctx.answer(t("tap.stale"), alert=True)
        return
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
    if question.action == caption_fix.CAPTION_QUESTION:  # "Ubah keterangan": the new caption
        await caption_fix.receive_caption(ctx, question.report_id)
        return True
    await _decide(ctx, question.report_id, ReportStatus(question.action), ctx.ev.text.strip())
    return True


async def _decide(ctx: Context, report_id: int, to: ReportStatus, reason: str | None) -> None:
    if await _in_old_newsroom(ctx):
        return
    refusal = await decisions.decide(ctx, report_id, to, reason)
    if refusal is not None:
        _refuse(ctx, refusal)
    else:
        ctx.answer(t("review.done", outcome=decisions.STATUS_WORDS[to]))


CALLBACKS: dict[str, TapHandler] = {
    "ap": tap_approve,
    "rv": tap_revise,
    "rj": tap_reject,
    "rb": tap_back,
    "rr": tap_preset_reason,
    "rt": tap_typed_reason,
    "wd": tap_withdraw,
    cards.FIX_CAPTION: tap_fix_caption,
}

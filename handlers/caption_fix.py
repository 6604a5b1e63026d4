"""An editor fixes a pending report's caption before deciding (issue 11).

From the desk (a form) or from the chat card ("Ubah keterangan": the bot asks, the editor's
reply is the new caption), with the same rules: only an editor or coordinator, only while the
report waits for a decision. The report keeps its one row (number, version, cards, the list's
newest-version rule and recaps stay as they are); the fix is kept with the old and new text
(storage CaptionFix) and shown as its own step in the report's history. Every card shows the
new caption, and the operator is told what was changed.
"""

from __future__ import annotations

import hashlib

from handlers import cards, decisions
from handlers import report as report_flow
from handlers.context import Context
from handlers.inbound_text import tidy
from handlers.messages import T, Text, raw, t
from storage.models import Report, ReportStatus

# PendingReason.action for "reply with the new caption" (the other actions are statuses).
CAPTION_QUESTION = "caption"
MAX_CAPTION_CHARS = 4000  # a Telegram text (the card) holds 4096


def caption_hash(caption: str) -> str:
    """What the desk's form says it showed, so a fix made meanwhile is not overwritten."""
    return hashlib.sha256(caption.encode()).hexdigest()[:16]


def caption_problem(ctx: Context, caption: str) -> T | None:
    """The operator's rules for a caption, and a length a card can carry."""
    problem = report_flow.text_problem(ctx, caption)
    if problem is not None:
        return problem
    if len(caption) > MAX_CAPTION_CHARS:
        return t("caption_fix.too_long", max=MAX_CAPTION_CHARS, length=len(caption))
    return None


async def fix_caption(
    ctx: Context, report_id: int, new_caption: str, *, shown: str | None = None
) -> T | None:
    """Replace the caption of a pending report as ctx.member; None when done, else why not.
    shown: caption_hash of the caption the editor was looking at (the desk's form)."""
    opened = await decisions.open_report(ctx, report_id, ReportStatus.APPROVED)  # = pending
    if not isinstance(opened, Report):
        return opened
    caption = tidy(new_caption)
    problem = caption_problem(ctx, caption)
    if problem is not None:
        return problem
    if shown is not None and shown != caption_hash(opened.caption):
        return t("caption_fix.changed_meanwhile", number=opened.number)
    if caption == opened.caption:
        return t("caption_fix.same")
    before = opened.caption
    won = await ctx.reports.fix_caption(
        opened, caption, editor_id=ctx.me.id, now=ctx.now, via=ctx.via
    )
    report = await ctx.reports.refresh(opened)
    if not won:  # a decision or another fix came first
        if report.status != ReportStatus.PENDING:
            return await decisions.already_decided(ctx, report)
        return t("caption_fix.changed_meanwhile", number=report.number)
    await cards.update_cards(ctx, report, [], cards.decision_buttons(report.id))
    await ctx.send_member(report.member_id, Text(changes_for_operator(ctx, report, before)))
    return None


def changes_for_operator(ctx: Context, report: Report, before: str) -> list[T]:
    """Who fixed the caption, the words taken out and put in, and the caption now."""
    lines = [t("notify.caption_fixed", number=report.number, name=ctx.me.name)]
    removed, added = cards.caption_diff(before, report.caption)
    if removed:
        lines.append(t("notify.caption_removed", words=removed))
    if added:
        lines.append(t("notify.caption_added", words=added))
    return [*lines, t("notify.caption_now"), raw(report.caption)]


# ---- from the chat card (the tap itself: review.tap_fix_caption) ---------------------------
async def ask_for_caption(ctx: Context, report: Report) -> None:
    """ "Ubah keterangan" on the card: ask for the new caption, answered by a reply (which
    reaches the bot in a group even with privacy mode on), as a typed reason is."""
    await _ask(ctx, report, [t("caption_fix.ask", name=ctx.me.name, number=report.number)])
    ctx.answer(t("caption_fix.hint"))


async def receive_caption(ctx: Context, report_id: int) -> None:
    """The editor's reply to "write the new caption". A caption that breaks the rules is
    asked for again; any other refusal (decided meanwhile) is said and the question ends."""
    if not await cards.is_review_place(ctx):
        ctx.reply(t("review.old_newsroom"))
        return
    refusal = await fix_caption(ctx, report_id, ctx.ev.text)
    if refusal is None:
        return
    report = await ctx.reports.get(report_id)
    if report is not None and caption_problem(ctx, tidy(ctx.ev.text)) is not None:
        await _ask(ctx, report, [refusal, t("caption_fix.ask_again", number=report.number)])
    else:
        ctx.reply(refusal)


async def _ask(ctx: Context, report: Report, lead: list[T]) -> None:
    await ctx.reports.ask_reason(
        member_id=ctx.me.id, chat_id=ctx.ev.chat_id, report_id=report.id, action=CAPTION_QUESTION
    )
    lines = [*lead, t("caption_fix.current"), raw(report.caption)]
    ctx.reply(*lines, force_reply=True)

"""Publishing what was approved to the organization's official channel, and taking it back."""

from __future__ import annotations

import logging

from handlers import cards, targets
from handlers.context import Context
from handlers.messages import Album, Delete, T, raw, t
from storage.models import Report

log = logging.getLogger(__name__)
PUBLISHED = "pub:"  # outbox ref of a channel post: "pub:<report id>"


async def publish(ctx: Context, report: Report) -> None:
    """On the channel: the photos as an album with caption, the pillar's hashtags and a
    credit line. On the website and social targets: queued into their slots."""
    if cards.consent_question(ctx, report) and report.consent_at is None:
        log.info("report %s not published: consent not confirmed", report.number)
        return
    if ctx.core.targets:
        await targets.queue_report(ctx, report)
    target = ctx.core.publish_to
    if target is None:
        return
    photos = await ctx.reports.photos(report.id)
    album = Album([cards.photo_ref(p) for p in photos], await post_caption(ctx, report))
    ctx.send(target[0], target[1], album, ref=f"{PUBLISHED}{report.id}")


async def post_caption(ctx: Context, report: Report) -> list[T]:
    """Caption first, shortened if need be, so that hashtags and credit always fit."""
    pillar = ctx.core.schedule.by_key(report.pillar_key)
    unit = await ctx.people.unit(report.unit_id)
    tags = " ".join(pillar.hashtags) if pillar else ""
    credit = ctx.core.texts.render(t("publish.credit", unit=unit.name if unit else ctx.org.name))
    room = cards.CAPTION_LIMIT - len(tags) - len(credit) - 8
    caption = report.caption if len(report.caption) <= room else report.caption[: room - 1] + "…"
    return [raw(caption), *([raw(tags)] if tags else []), raw(credit)]


async def mark_published(ctx: Context, report_id: int, chat_id: str, ids: list[str]) -> None:
    """The post went out: remember where, and put its link on every card."""
    report = await ctx.reports.get(report_id)
    if report is None:
        return
    report.published_chat, report.published_ids, report.published_at = chat_id, ids, ctx.now
    await cards.decided_card(ctx, report, await ctx.people.member(report.decided_by))


async def take_down(ctx: Context, report: Report) -> None:
    await targets.take_down(ctx, report)
    if ctx.core.publish_to and report.published_chat and report.published_ids:
        channel = ctx.core.publish_to[0]
        ctx.send(channel, report.published_chat, Delete([str(i) for i in report.published_ids]))

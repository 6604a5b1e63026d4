"""Publishing to the website, Facebook and Instagram: queued into slots on approval, the
website first, taken down on withdrawal. The calls themselves are bot/publishing's; this is
what the newsroom decides and is told (channel-agnostic, the same from chat and desk)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from handlers import cards
from handlers.context import Context, TapHandler
from handlers.messages import Button, T, Text, raw, t
from handlers.publish_slots import next_free_slot
from storage.models import Publication, Report, ReportStatus
from storage.models import PublicationStatus as S
from storage.publications import Publications

WEBSITE = "website"
NAMES = {"website": "Situs web", "facebook": "Facebook", "instagram": "Instagram"}
SENTENCE_END = re.compile(r"(?<=[.!?])\s")
TITLE_MAX = 120
WEBSITE_FAILED_WAIT = timedelta(hours=1)
SLOT_GRACE = timedelta(minutes=30)
POSTING_STEPS = {"post", "publish"}  # bot/publishing's step that makes a post public


@dataclass
class PostContent:
    """What every target posts of one report; read in one transaction, posted outside it."""

    report_id: int
    number: str
    title: str
    caption: str
    hashtags: tuple[str, ...]
    pillar_key: str | None
    pillar_name: str | None
    credit: str
    photos: list[tuple[str, str]] = field(default_factory=list)  # (stored path, sha256)
    website_url: str | None = None  # the website post, once out: linked from social posts

    def social_text(self) -> str:
        parts = [self.caption, " ".join(self.hashtags), self.credit]
        if self.website_url:
            parts.append(f"Selengkapnya: {self.website_url}")
        return "\n\n".join(p for p in parts if p)

    def web_body(self) -> str:
        paragraphs = [p.strip() for p in self.caption.split("\n") if p.strip()]
        body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
        return body + f"<p><em>{html.escape(self.credit)}</em></p>"


def title_of(caption: str) -> str:
    """The caption's first sentence, as a post title (shortened at a word when long)."""
    first = SENTENCE_END.split(caption.strip(), maxsplit=1)[0].strip().rstrip(".")
    return _short(first, TITLE_MAX)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


async def queue_report(ctx: Context, report: Report) -> None:
    """On approval: each configured target takes its next free slot; social targets never
    before the website, whose link they carry."""
    repo = Publications(ctx.session)
    earliest = ctx.now
    for target in ordered(ctx.core.targets):
        slots = ctx.core.schedule.slots.get(target, ())
        taken = await repo.taken_slots(ctx.org.id, target, earliest)
        slot = next_free_slot(slots, ctx.core.tz, earliest, taken)
        repo.add(ctx.org.id, report.id, target, slot)
        ctx.publishing_due = True
        if target == WEBSITE:
            earliest = slot


def ordered(targets: tuple[str, ...]) -> list[str]:
    return sorted(targets, key=lambda name: name != WEBSITE)


async def take_down(ctx: Context, report: Report) -> None:
    """Withdrawal: what has not gone out is cancelled, what has is taken down by the worker."""
    for pub in await Publications(ctx.session).of_report(report.id):
        idle = pub.claimed_by is None and not _maybe_out(pub)
        if pub.status in (S.QUEUED, S.FAILED) and idle:
            pub.status = S.CANCELLED  # nothing of it is out (an unpublished upload at most)
        elif pub.status in (S.QUEUED, S.PUBLISHED):  # a half-made post is finished, then removed
            pub.withdrawn_at = ctx.now
            if pub.status == S.PUBLISHED:
                pub.status, pub.next_try_at = S.REMOVING, ctx.now
                ctx.publishing_due = True


def _maybe_out(pub: Publication) -> bool:
    """Whether the step that makes the post public was begun (it may have happened)."""
    progress = pub.progress or {}
    made = set(progress.get("done", {})) | {progress.get("started")}
    return bool(made & POSTING_STEPS)


async def post_content(ctx: Context, pub: Publication) -> PostContent | None:
    """What the worker posts for this publication; None when the report is gone."""
    report = await ctx.reports.get(pub.report_id)
    if report is None or report.number is None:
        return None
    pillar = ctx.core.schedule.by_key(report.pillar_key)
    unit = await ctx.people.unit(report.unit_id)
    credit = ctx.core.texts.render(t("publish.credit", unit=unit.name if unit else ctx.org.name))
    content = PostContent(
        report_id=report.id,
        number=report.number,
        title=title_of(report.caption),
        caption=report.caption,
        hashtags=pillar.hashtags if pillar else (),
        pillar_key=report.pillar_key,
        pillar_name=pillar.name if pillar else report.pillar_name,
        credit=credit,
        photos=[(p.path, p.sha256) for p in await ctx.reports.photos(report.id)],
    )
    if pub.target != WEBSITE:
        content.website_url = await website_url(ctx, pub.report_id)
    return content


async def website_url(ctx: Context, report_id: int) -> str | None:
    for pub in await Publications(ctx.session).of_report(report_id):
        if pub.target == WEBSITE and pub.status == S.PUBLISHED:
            return pub.url
    return None


async def waits_for_website(ctx: Context, pub: Publication) -> datetime | None:
    """A social post whose website post is not out yet waits: until when to look again."""
    if pub.target == WEBSITE or pub.status != S.QUEUED:
        return None
    for other in await Publications(ctx.session).of_report(pub.report_id):
        if other.target == WEBSITE and other.status == S.QUEUED:
            return max(other.next_try_at, ctx.now)
        if other.target == WEBSITE and other.status == S.FAILED:  # woken when it is out
            return ctx.now + WEBSITE_FAILED_WAIT
    return None


async def published(ctx: Context, pub: Publication) -> None:
    """A target's post is out: the report counts as published, every card shows the link."""
    report = await ctx.reports.get(pub.report_id)
    if report is None:
        return
    if report.published_at is None:
        report.published_at = ctx.now
    if pub.target == WEBSITE:  # the social posts waiting for its link go at their slots
        for other in await Publications(ctx.session).of_report(pub.report_id):
            if other.status == S.QUEUED and other.target != WEBSITE:
                await _ready(ctx, other)
    await cards.decided_card(ctx, report, await ctx.people.member(report.decided_by))


async def _ready(ctx: Context, pub: Publication) -> None:
    """Due at its slot; one missed by more than SLOT_GRACE (the website was late) takes the
    next free slot: nothing goes out at an hour nobody chose."""
    if pub.slot_at >= ctx.now - SLOT_GRACE:
        pub.next_try_at = max(pub.slot_at, ctx.now)
        return
    slots = ctx.core.schedule.slots.get(pub.target, ())
    taken = await Publications(ctx.session).taken_slots(ctx.org.id, pub.target, ctx.now)
    pub.slot_at = pub.next_try_at = next_free_slot(slots, ctx.core.tz, ctx.now, taken)


async def refresh_card(ctx: Context, report_id: int) -> None:
    """Every copy of the card shows where the report is now (queued, out, failed)."""
    report = await ctx.reports.get(report_id)
    if report is not None and report.status == ReportStatus.APPROVED:
        await cards.decided_card(ctx, report, await ctx.people.member(report.decided_by))


async def removed(ctx: Context, pub: Publication) -> None:
    """Taken down (or not possible: the editor who approved is told exactly what to do)."""
    report = await ctx.reports.get(pub.report_id)
    if report is None or report.decided_by is None:
        return
    if pub.status == S.REMOVE_BY_HAND:
        lines = [t("target.remove_by_hand", target=NAMES[pub.target], number=report.number)]
        lines.append(raw(pub.url or "-"))
        await ctx.send_member(report.decided_by, Text(lines))


async def failed(ctx: Context, pub: Publication) -> None:
    """A permanent error: the editor who approved hears what happened and what to do."""
    report = await ctx.reports.get(pub.report_id)
    if report is None or report.decided_by is None:
        return
    kind = pub.error_kind or "invalid"
    lines: list[T] = [
        t("target.failed", target=NAMES[pub.target], number=report.number),
        t(f"target.why_{kind}"),
    ]
    if pub.target == WEBSITE and len(ctx.core.targets) > 1:
        lines.append(t("target.social_waits"))
    retry = [[Button(t("button.publish_retry"), f"pr:{pub.id}")]]
    await ctx.send_member(report.decided_by, Text(lines, retry))
    await refresh_card(ctx, report.id)


async def retry(ctx: Context, publication_id: int) -> T:
    """An editor's "try again" after a permanent error (the token was renewed)."""
    pub = await Publications(ctx.session).get(publication_id)
    if pub is None or pub.org_id != ctx.org.id or not ctx.can_decide() or pub.withdrawn_at:
        return t("tap.stale")
    if pub.status != S.FAILED:
        return t("target.not_failed")
    pub.status, pub.next_try_at, pub.attempts = S.QUEUED, ctx.now, 0
    pub.error_kind = pub.error_text = None
    ctx.publishing_due = True
    await refresh_card(ctx, pub.report_id)
    return t("target.retrying", target=NAMES[pub.target])


async def tap_retry(ctx: Context, publication_id: int) -> None:
    ctx.answer(await retry(ctx, publication_id), alert=True)


async def publish_now(ctx: Context, publication_id: int) -> T:
    """An editor's "now": the slot is skipped (the website first still holds)."""
    pub = await Publications(ctx.session).get(publication_id)
    if pub is None or pub.org_id != ctx.org.id or not ctx.can_decide():
        return t("tap.stale")
    if pub.status != S.QUEUED:
        return t("target.not_queued")
    pub.slot_at = pub.next_try_at = ctx.now
    ctx.publishing_due = True
    await refresh_card(ctx, pub.report_id)
    return t("target.now", target=NAMES[pub.target])


async def move_up(ctx: Context, publication_id: int) -> T:
    """Swap slots with the one before it in the same target's queue."""
    repo = Publications(ctx.session)
    pub = await repo.get(publication_id)
    if pub is None or pub.org_id != ctx.org.id or not ctx.can_decide():
        return t("tap.stale")
    queue = await repo.queue(ctx.org.id, pub.target)
    ids = [p.id for p in queue]
    if pub.id not in ids:
        return t("target.not_queued")
    at = ids.index(pub.id)
    if at == 0:
        return t("target.already_first")
    before = queue[at - 1]
    pub.slot_at, before.slot_at = before.slot_at, pub.slot_at
    pub.next_try_at, before.next_try_at = pub.slot_at, before.slot_at
    await refresh_card(ctx, pub.report_id)
    await refresh_card(ctx, before.report_id)
    return t("target.moved_up", target=NAMES[pub.target])


async def links(ctx: Context, report: Report) -> list[T]:
    """A line per target the report is on, for its card."""
    if report.status not in (ReportStatus.APPROVED, ReportStatus.WITHDRAWN):
        return []
    lines: list[T] = []
    for pub in await Publications(ctx.session).of_report(report.id):
        name = NAMES.get(pub.target, pub.target)
        if pub.status == S.PUBLISHED and pub.url:
            lines.append(t("card.on_target", target=name, link=pub.url))
        elif pub.status == S.QUEUED:
            when = pub.slot_at.astimezone(ctx.core.tz).strftime("%d/%m %H.%M")
            lines.append(t("card.target_queued", target=name, when=when))
        elif pub.status == S.FAILED:
            lines.append(t("card.target_failed", target=name))
    return lines


QUEUE_SHOWN = 5  # per target in chat; the desk shows the whole queue


async def queue_command(ctx: Context) -> None:
    """/antrean: what waits for which slot, with "now" and "move up" for editors."""
    if not ctx.can_decide():
        ctx.reply(t("review.not_editor"))
        return
    if not ctx.core.targets:
        ctx.reply(t("target.none_configured"))
        return
    lines: list[T] = [t("target.queue_title")]
    buttons: list[list[Button]] = []
    for target in ordered(ctx.core.targets):
        queue = await Publications(ctx.session).queue(ctx.org.id, target)
        lines.append(t("target.queue_target", target=NAMES[target], count=len(queue)))
        for pub in queue[:QUEUE_SHOWN]:
            report = await ctx.reports.get(pub.report_id)
            number = report.number if report else "-"
            when = pub.slot_at.astimezone(ctx.core.tz).strftime("%d/%m %H.%M")
            title = _short(title_of(report.caption)) if report else ""
            lines.append(t("target.queue_item", number=number, when=when, title=title))
            buttons.append(
                [
                    Button(t("button.publish_now", number=number), f"pn:{pub.id}"),
                    Button(t("button.move_up"), f"pu:{pub.id}"),
                ]
            )
    ctx.reply(*lines, buttons=buttons)


async def tap_now(ctx: Context, publication_id: int) -> None:
    ctx.answer(await publish_now(ctx, publication_id), alert=True)


async def tap_up(ctx: Context, publication_id: int) -> None:
    ctx.answer(await move_up(ctx, publication_id), alert=True)


CALLBACKS: dict[str, TapHandler] = {"pr": tap_retry, "pn": tap_now, "pu": tap_up}

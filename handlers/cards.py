"""The newsroom card of a report: what editors see, and its buttons."""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass

from handlers import caption_advice
from handlers.context import DECIDERS, Context
from handlers.desk_links import open_in_desk, report_path
from handlers.messages import Album, Button, Card, Edit, PhotoRef, T, Text, raw, t
from handlers.photo_warnings import warning_lines
from handlers.timefmt import when
from storage.chats import NEWSROOM
from storage.models import Member, Photo, Report, ReportStatus

# The shortest photo-caption limit of our channels (Telegram and WhatsApp: 1024).
CAPTION_LIMIT = 1024
REVISION, REJECTION, WITHDRAWAL = 1, 2, 3
FIX_CAPTION = "uk"  # "Ubah keterangan": its button's data (handlers/caption_fix)
ACTIONS = {
    REVISION: ReportStatus.REVISION,
    REJECTION: ReportStatus.REJECTED,
    WITHDRAWAL: ReportStatus.WITHDRAWN,
}


def card_ref(report_id: int) -> str:
    return f"card:{report_id}"


PERSONAL_CARDS = ("whatsapp",)  # channels without newsroom groups: editors get cards in private
SHEET_CHANNELS = ("telegram",)  # a card is one photo message there (newsroom_sheet)
ORIGINALS = "fo"  # "Lihat foto asli": its button's data (handlers/originals)
Place = tuple[str, str]  # (channel, chat id) where a card goes


@dataclass(frozen=True)
class Earlier:
    """An earlier version of a report: its photos' content hashes, and where its card went."""

    version: int
    hashes: tuple[str, ...]
    places: frozenset[Place]


async def review_destinations(ctx: Context) -> list[Place]:
    """Where cards go: every bound newsroom, and each editor who reviews on WhatsApp."""
    places = [(room.channel, room.chat_id) for room in await ctx.chats.bound(ctx.org.id, NEWSROOM)]
    places += await ctx.people.decider_chats(ctx.org.id, DECIDERS, PERSONAL_CARDS)
    return places


async def post_to_newsrooms(ctx: Context, report: Report) -> int:
    """Queue the photos and the card for every review destination; returns how many."""
    places = await review_destinations(ctx)
    photos, earlier = await ctx.reports.photos(report.id), await earlier_versions(ctx, report)
    for place in places:
        await _post(ctx, report, place, photos, earlier)
    return len(places)


async def post_card(ctx: Context, report: Report, channel: str, chat_id: str) -> None:
    photos, earlier = await ctx.reports.photos(report.id), await earlier_versions(ctx, report)
    await _post(ctx, report, (channel, chat_id), photos, earlier)


async def _post(
    ctx: Context, report: Report, place: Place, photos: list[Photo], earlier: list[Earlier]
) -> None:
    if photos and is_sheet_place(ctx, place):
        await _post_sheet(ctx, report, place, photos, earlier)
        return
    # The photos this place has not seen in an earlier version's card, then the card.
    shown = shown_before(photos, earlier, place)
    unseen = [p for p in photos if p.sha256 not in shown]
    if unseen:
        if shown:
            caption = t(
                "card.album_caption_new",
                number=report.number,
                version=report.version,
                caption=report.caption,
            )
        else:
            caption = t("card.album_caption", number=report.number, caption=report.caption)
        ctx.send(*place, Album([photo_ref(p) for p in unseen], [caption]))
    lines = await card_lines(ctx, report, photos, earlier=earlier, shown=shown)
    buttons = placed(ctx, report, decision_buttons(report.id), place[0], len(photos))
    ctx.send(*place, Text(lines, buttons), ref=card_ref(report.id))


async def _post_sheet(
    ctx: Context, report: Report, place: Place, photos: list[Photo], earlier: list[Earlier]
) -> None:
    """One message: every photo on the sheet (a revision's new ones marked), the card as its
    caption, the buttons."""
    before = set(earlier[0].hashes) if earlier else None
    marks = ["new" if before is not None and p.sha256 not in before else "" for p in photos]
    lines = await card_lines(ctx, report, photos, earlier=earlier, shown={})
    buttons = placed(ctx, report, decision_buttons(report.id), place[0], len(photos))
    card = Card([photo_ref(p) for p in photos], lines, buttons, marks)
    ctx.send(*place, card, ref=card_ref(report.id))


def is_sheet_place(ctx: Context, place: Place) -> bool:
    """Telegram groups count messages a minute: there a card is one photo message."""
    return ctx.core.newsroom_sheet and place[0] in SHEET_CHANNELS


async def earlier_versions(ctx: Context, report: Report) -> list[Earlier]:
    """The versions before this one, newest first."""
    found: list[Earlier] = []
    previous = await ctx.reports.get(report.revision_of_id) if report.revision_of_id else None
    while previous is not None:
        photos = await ctx.reports.photos(previous.id)
        sent = await ctx.outbox.sent_refs(card_ref(previous.id))
        places = frozenset((m.channel, m.chat_id) for m in sent)
        found.append(Earlier(previous.version, tuple(p.sha256 for p in photos), places))
        older = previous.revision_of_id
        previous = await ctx.reports.get(older) if older else None
    return found


def shown_before(photos: list[Photo], earlier: list[Earlier], place: Place) -> dict[str, int]:
    """Photos (by content hash) that a card at this place already showed, with the version
    whose card did. A version's card carries only the photos its predecessor's card there did
    not, so a photo's card is the oldest of the unbroken run of versions, reaching back from
    this one, that had the photo and whose cards reached this place."""
    shown: dict[str, int] = {}
    left = {p.sha256 for p in photos}
    for version in earlier:
        if place not in version.places:
            break  # that card never got here (a newsroom bound since, an editor who joined)
        left &= set(version.hashes)
        shown.update(dict.fromkeys(left, version.version))
    return shown


async def update_cards(
    ctx: Context, report: Report, tail: list[T], buttons: list[list[Button]]
) -> None:
    """Every copy of the card: where it was sent (an old newsroom too) and where it is due;
    each shows the card's lines for its place, then `tail`."""
    places = {(m.channel, m.chat_id) for m in await ctx.outbox.sent_refs(card_ref(report.id))}
    places.update(await review_destinations(ctx))
    photos, earlier = await ctx.reports.photos(report.id), await earlier_versions(ctx, report)
    for place in sorted(places):
        sheet = bool(photos) and is_sheet_place(ctx, place)
        shown = {} if sheet else shown_before(photos, earlier, place)
        lines = await card_lines(ctx, report, photos, earlier=earlier, shown=shown)
        fitting = placed(ctx, report, buttons, place[0], len(photos))
        edit = Edit([*lines, *tail], fitting, ref=card_ref(report.id), caption=sheet)
        ctx.send(*place, edit)


async def is_review_place(ctx: Context) -> bool:
    """Decisions are taken where cards go now; a card left in a moved newsroom only shows."""
    ev = ctx.ev
    return ev.is_private or (ev.channel, ev.chat_id) in await review_destinations(ctx)


def photo_ref(photo: Photo) -> PhotoRef:
    return PhotoRef(photo.path, photo.source_channel, photo.source_ref, photo.source_kind)


def decision_buttons(report_id: int) -> list[list[Button]]:
    return [
        [
            Button(t("button.approve"), f"ap:{report_id}"),
            Button(t("button.revise"), f"rv:{report_id}"),
            Button(t("button.reject"), f"rj:{report_id}"),
        ],
        [Button(t("button.fix_caption"), f"{FIX_CAPTION}:{report_id}")],  # see fitted()
    ]


def placed(
    ctx: Context, report: Report, buttons: list[list[Button]], channel: str, photos: int
) -> list[list[Button]]:
    """The card's buttons at a place: fitted to the channel, "Lihat foto asli" under a contact
    sheet, then "Buka di dasbor" when the desk is on (WhatsApp shows it as a link)."""
    rows = list(fitted(buttons, channel))  # a copy: the caller reuses its rows per place
    # Not on a card closed for good (rejected, withdrawn): the desk still has its photos.
    if rows and photos > 1 and ctx.core.newsroom_sheet and channel in SHEET_CHANNELS:
        rows.append([Button(t("button.originals"), f"{ORIGINALS}:{report.id}")])
    return rows + open_in_desk(ctx.core, report_path(report.number or ""))


def fitted(buttons: list[list[Button]], channel: str) -> list[list[Button]]:
    """The card's buttons for a channel. WhatsApp shows three reply buttons, and a fourth
    would make the card a list (approving in two taps): there "Ubah keterangan" is one of the
    revision choices instead (reason_buttons)."""
    if channel not in PERSONAL_CARDS:
        return buttons
    fix = f"{FIX_CAPTION}:"
    return [row for row in buttons if not any((b.data or "").startswith(fix) for b in row)]


def reason_buttons(ctx: Context, report_id: int, action: int) -> list[list[Button]]:
    wanted = {REVISION: "revision", REJECTION: "rejection"}.get(action)
    rows = [
        # The reason's key, not its position: the list may change while a card waits.
        [Button(t("raw_button", text=r.label), f"rr:{report_id}:{action}:{r.key}")]
        for r in ctx.core.reasons
        if wanted is None or wanted in r.actions
    ]
    if action == REVISION:  # rather than sending it back for the caption, fix it here
        rows.append([Button(t("button.fix_caption"), f"{FIX_CAPTION}:{report_id}")])
    rows.append(
        [
            Button(t("button.typed_reason"), f"rt:{report_id}:{action}"),
            Button(t("button.back"), f"rb:{report_id}"),
        ]
    )
    return rows


async def card_lines(
    ctx: Context,
    report: Report,
    photos: list[Photo],
    *,
    earlier: list[Earlier],
    shown: dict[str, int],
) -> list[T]:
    """The card's text at one place; `shown`: photos an earlier card there already showed."""
    tz = ctx.core.tz
    unit = await ctx.people.unit(report.unit_id)
    sender = await ctx.people.member(report.member_id)
    lines = [t("card.title", number=report.number)]
    if report.revision_of_id:
        lines.append(t("card.revision_of", version=report.version, number=report.number))
    lines += [
        t("card.unit", unit=unit.name if unit else "-"),
        t("card.sender", name=sender.name if sender else "-"),
        t("card.pillar", pillar=report.pillar_name or "-"),
        t("card.photos", count=len(photos)),
    ]
    taken = sorted(p.taken_at for p in photos if p.taken_at)
    if taken:
        lines.append(t("card.taken", when=when(taken[0], tz)))
    place = next((p for p in photos if p.latitude is not None and p.longitude is not None), None)
    if place is not None:
        lines.append(t("card.place", lat=f"{place.latitude:.5f}", lon=f"{place.longitude:.5f}"))
    if report.submitted_at:
        lines.append(t("card.submitted", when=when(report.submitted_at, tz)))
    if report.revision_of_id:
        lines += await _changes(ctx, report, photos, earlier, shown)
    lines += warning_lines(photos)
    if consent_question(ctx, report):
        lines.append(t("card.consent_given" if report.consent_at else "card.consent_missing"))
    lines += await caption_advice.card_line(ctx, report)
    lines += await _caption_fixed(ctx, report)
    lines += [t("card.caption"), raw(report.caption)]
    return lines


async def _caption_fixed(ctx: Context, report: Report) -> list[T]:
    """An editor fixed the caption (handlers/caption_fix): the newsroom sees whose words these
    are, also once decided."""
    fixes = await ctx.reports.caption_fixes([report.id])
    if not fixes:
        return []
    editor = await ctx.people.member(fixes[-1].editor_id)
    name = editor.name if editor else "-"
    return [t("card.caption_fixed", name=name, when=when(fixes[-1].at, ctx.core.tz))]


async def _changes(
    ctx: Context,
    report: Report,
    photos: list[Photo],
    earlier: list[Earlier],
    shown: dict[str, int],
) -> list[T]:
    previous = await ctx.reports.get(report.revision_of_id or 0)
    if previous is None or not earlier:
        return []
    lines = [t("card.changes")]
    if previous.decision_reason:
        lines.append(t("card.changes_reason", reason=previous.decision_reason))
    removed, added = caption_diff(previous.caption, report.caption)
    if not removed and not added:
        lines.append(t("card.caption_same"))
    if removed:
        lines.append(t("card.caption_removed", words=removed))
    if added:
        lines.append(t("card.caption_added", words=added))
    lines.append(photo_changes(list(earlier[0].hashes), [p.sha256 for p in photos]))
    if shown:
        lines.append(_shown_line(photos, shown))
    return lines


def photo_changes(before: list[str], after: list[str]) -> T:
    """New, removed and kept photos by content: a photo sent again unchanged is kept."""
    kept = sum((Counter(before) & Counter(after)).values())
    new, removed = len(after) - kept, len(before) - kept
    if new or removed:
        return t(
            "card.photos_replaced",
            new=new,
            removed=removed,
            kept=kept,
            before=len(before),
            after=len(after),
        )
    return t("card.photos_same" if before == after else "card.photos_reordered")


def _shown_line(photos: list[Photo], shown: dict[str, int]) -> T:
    """Where the photos not sent again are: the newsroom still sees every photo of the report."""
    count = sum(p.sha256 in shown for p in photos)
    versions = ", ".join(str(v) for v in sorted(set(shown.values())))
    return t("card.photos_shown_before", count=count, versions=versions)


def caption_diff(old: str, new: str, limit: int = 200) -> tuple[str, str]:
    """Words taken out and put in, each clipped to `limit` characters."""
    a, b = old.split(), new.split()
    removed: list[str] = []
    added: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op in ("replace", "delete"):
            removed.append(" ".join(a[i1:i2]))
        if op in ("replace", "insert"):
            added.append(" ".join(b[j1:j2]))
    return _clip(" … ".join(removed), limit), _clip(" … ".join(added), limit)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def outcome_line(ctx: Context, report: Report, decider: Member | None) -> T:
    name = decider.name if decider else "-"
    at = when(report.decided_at, ctx.core.tz) if report.decided_at else "-"
    reason = report.decision_reason or "-"
    if report.status == ReportStatus.APPROVED:
        return t("card.outcome_approved", name=name, when=at)
    if report.status == ReportStatus.REVISION:
        return t("card.outcome_revision", name=name, when=at, reason=reason)
    if report.status == ReportStatus.WITHDRAWN:
        return t("card.outcome_withdrawn", name=name, when=at, reason=reason)
    return t("card.outcome_rejected", name=name, when=at, reason=reason)


def consent_question(ctx: Context, report: Report) -> str | None:
    """What the operator must confirm for this report's pillar (children's faces), if any."""
    pillar = ctx.core.schedule.by_key(report.pillar_key)
    return pillar.consent if pillar else None


def post_link(ctx: Context, report: Report) -> str:
    """A link to the channel post, as the publishing channel writes it."""
    target, ids = ctx.core.publish_to, report.published_ids or []
    messenger = ctx.messengers.get(target[0]) if target else None
    link_of = getattr(messenger, "post_link", None)
    link = link_of(report.published_chat, str(ids[0])) if link_of and ids else None
    return link or str(report.published_chat)


def decided_buttons(report: Report) -> list[list[Button]]:
    """An approved card offers the upload package, and, once published, withdrawal."""
    if report.status != ReportStatus.APPROVED:
        return []
    row = [Button(t("button.package"), f"pk:{report.id}")]
    if report.published_at is not None:  # on the channel or any target
        row.append(Button(t("button.withdraw"), f"wd:{report.id}"))
    return [row]


async def decided_card(ctx: Context, report: Report, decider: Member | None) -> None:
    """Every copy of the card shows the outcome (and the channel post, when there is one)."""
    tail = [outcome_line(ctx, report, decider)]
    if report.published_ids and report.published_chat:
        tail.append(t("card.published", link=post_link(ctx, report)))
    if ctx.core.targets:
        from handlers.targets import links  # targets updates cards in turn

        tail.extend(await links(ctx, report))
    await update_cards(ctx, report, tail, decided_buttons(report))

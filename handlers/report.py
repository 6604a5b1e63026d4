"""The operator's report: photos, caption, pillar, preview, send. Drafts live in the database."""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers import caption_advice, cards
from handlers.context import Context, TapHandler
from handlers.events import FetchedMedia
from handlers.messages import Button, Edit, T, Text, raw, t
from handlers.photo_warnings import add_duplicate, measured, warning_lines
from storage.models import DraftStep, Photo, Report, ReportStatus
from storage.webhooks import Webhooks

PREVIEW_CAPTION_CHARS = 300
OTHER_KINDS = ("location", "contact", "sticker", "dice", "poll")
QUEUE_PATIENCE = timedelta(seconds=60)
FEW_BUTTONS = ("whatsapp",)  # three reply buttons; a fourth makes the preview a list


async def start_report(ctx: Context) -> None:
    draft = await ctx.reports.draft_of(ctx.me.id)
    if draft is not None:
        ctx.reply(t("report.resume"))
        await prompt_step(ctx, draft)
        return
    pillar = ctx.core.schedule.for_day(ctx.today())
    await _new_draft(ctx)
    intro = (
        t("report.today", pillar=pillar.name, description=pillar.description)
        if pillar
        else t("report.today_none")
    )
    ctx.reply(intro, t("report.ask_photos", max=ctx.core.limits.max_photos))


async def cancel_command(ctx: Context) -> None:
    draft = await ctx.reports.draft_of(ctx.me.id)
    if draft is None:
        ctx.reply(t("report.nothing_to_cancel"))
        return
    await _cancel(ctx, draft)


async def _cancel(ctx: Context, draft: Report) -> None:
    await ctx.reports.set_status(draft, ReportStatus.CANCELLED, actor_id=ctx.me.id, now=ctx.now)
    ctx.albums_to_cancel.append(draft.id)
    ctx.reply(t("report.cancelled"))


async def _new_draft(ctx: Context) -> Report:
    pillar = ctx.core.schedule.for_day(ctx.today())
    return await ctx.reports.start_draft(
        org_id=ctx.org.id,
        unit_id=ctx.me.unit_id,
        member_id=ctx.me.id,
        channel=ctx.ev.channel,
        pillar_key=pillar.key if pillar else None,
        pillar_name=pillar.name if pillar else None,
    )


async def receive_media(ctx: Context) -> None:
    ev = ctx.ev
    problems = [f for f in ev.fetched if f.problem]
    accepted = [f for f in ev.fetched if f.stored and f.info]
    for problem in problems:
        ctx.reply(_problem_text(problem))
    if not accepted:
        return
    draft = await ctx.reports.draft_of(ctx.me.id)
    sources: list[str] = []
    if draft is None:
        draft = await _new_draft(ctx)
    elif draft.revision_of_id and not draft.replaced_photos:
        # The first new photo of a revision replaces the photos it inherited.
        await ctx.reports.clear_photos(draft.id)
        draft.replaced_photos = True
    else:
        sources = await ctx.reports.photo_sources(draft.id)
    new: list[Photo] = []
    for fetched in accepted:
        if fetched.media.unique_id in sources:
            continue
        if len(sources) >= ctx.core.limits.max_photos:
            draft.dropped_photos += 1  # told once, when the album is acknowledged
            continue
        draft.consent_at = None  # confirmed for other photos: ask again
        photo = _photo(ctx, draft, fetched)
        photo.position = len(sources)
        await add_duplicate(ctx, draft, photo, fetched.earlier)
        new.append(photo)
        sources.append(fetched.media.unique_id)
        changed(draft)
    _take_caption(ctx, draft, ev.text)
    if draft.step == DraftStep.PHOTOS and draft.caption:
        draft.step = DraftStep.CAPTION
    waiting = bool(ev.media_group_id or not ev.text)
    if waiting:
        # More photos may follow (an album, or one by one): answer once they stop coming.
        # The time is kept in the database, so a process killed meanwhile leaves nothing stuck.
        draft.settle_at = ctx.now + timedelta(seconds=ctx.core.limits.album_wait)
        ctx.albums_to_settle.append(draft.id)
    # Written with every change to the draft made: one UPDATE of it beside the INSERTs.
    await ctx.reports.add_photos(new)
    if not waiting:
        await _acknowledge_photos(ctx, draft)  # a photo with its caption: straight to preview


def changed(draft: Report) -> None:
    """The operator changed what would be sent: older previews can no longer send it."""
    draft.content_seq += 1
    draft.proposed_caption = None


def _take_caption(ctx: Context, draft: Report, text: str) -> None:
    """A photo's caption becomes the draft's, unless it is too short to replace a good one."""
    if not text or text == draft.caption:
        return
    if _caption_problem(ctx, draft) is None and text_problem(ctx, text) is not None:
        return  # "ok" under a photo does not erase the caption already written
    draft.caption = text
    changed(draft)


def _photo(ctx: Context, draft: Report, fetched: FetchedMedia) -> Photo:
    info, stored, media = fetched.info, fetched.stored, fetched.media
    assert info is not None and stored is not None
    taken = info.taken_local
    if taken is not None and taken.tzinfo is None:
        taken = taken.replace(tzinfo=ctx.core.tz)  # camera clocks keep local time
    return Photo(
        report_id=draft.id,
        sha256=stored.sha256,
        path=stored.path,
        mime=info.mime,
        size_bytes=stored.size,
        width=info.width,
        height=info.height,
        taken_at=taken,
        latitude=info.latitude,
        longitude=info.longitude,
        source_channel=ctx.ev.channel,
        source_ref=media.ref,
        source_unique_id=media.unique_id,
        source_kind=media.kind,
        media_group_id=ctx.ev.media_group_id,
        dhash=fetched.look.dhash if fetched.look else None,
        warnings=measured(fetched.look, taken, ctx.core.limits, ctx.now) if fetched.look else [],
    )


def _problem_text(fetched: FetchedMedia) -> T:
    code = fetched.problem or "corrupt"
    return t(f"photo.{code}", **{k: _fmt(v) for k, v in fetched.detail.items()})


def _fmt(value: object) -> object:
    return f"{value:.1f}" if isinstance(value, float) else value


async def settle_abandoned_albums(ctx: Context) -> None:
    """Scheduled: albums whose wait ended with nobody to answer them (a killed process)."""
    for draft in await ctx.reports.drafts_to_settle(ctx.now, limit=20):
        await settle_album(ctx, draft.id)


async def settle_album(ctx: Context, report_id: int, *, now: bool = False) -> None:
    """Acknowledge an album once its photos stopped coming (now=True: at once, on shutdown)."""
    draft = await ctx.reports.get(report_id)
    if draft is None:
        return
    # An item being stored finishes first. Waited for (PostgreSQL), the draft is read again;
    # SQLite's transaction held the write lock before the first read.
    if await ctx.reports.lock_author(draft.member_id):
        draft = await ctx.reports.refresh(draft)
    if draft.status != ReportStatus.DRAFT or draft.settle_at is None:
        return  # answered already (a caption came, or another process settled it)
    if not now and (draft.settle_at > ctx.now or await _more_queued(ctx, draft.settle_at)):
        ctx.albums_to_settle.append(draft.id)  # more items came in meanwhile: wait for them
        return
    found = await ctx.people.active_member_reached_at(draft.member_id)
    if found is None:
        return
    ctx.member, contact = found
    await _acknowledge_photos(ctx, draft, to=(contact.channel, contact.chat_id))


async def _more_queued(ctx: Context, settle_at: datetime) -> bool:
    """Updates received within the album's wait and still queued may be more of its photos
    (under load, or in a restarted process's backlog, they are handled later than they came).
    A stuck one holds the album back QUEUE_PATIENCE at most."""
    if ctx.now > settle_at + QUEUE_PATIENCE:
        return False
    return await Webhooks(ctx.session).waiting(received_by=settle_at)


async def _acknowledge_photos(
    ctx: Context, draft: Report, to: tuple[str, str] | None = None
) -> None:
    # Read before the draft changes: the preview reuses them, and the draft is written once.
    count = len(await ctx.reports.photos(draft.id))
    draft.settle_at = None
    lead: list[T] = [t("report.photos_received", count=count)]
    if draft.dropped_photos:
        lead.append(
            t("report.too_many_photos", max=ctx.core.limits.max_photos, left=draft.dropped_photos)
        )
        draft.dropped_photos = 0
    problem = _caption_problem(ctx, draft)
    if draft.step in (DraftStep.PREVIEW, DraftStep.NEW_CAPTION) or (draft.caption and not problem):
        await _after_caption(ctx, draft, to=to, lead=lead)
        return
    if draft.caption and problem is not None:
        await prompt_step(ctx, draft, to=to, lead=[*lead, problem])
        return
    draft.step = DraftStep.CAPTION
    await prompt_step(ctx, draft, to=to, lead=lead)


async def receive_text(ctx: Context) -> None:
    ev = ctx.ev
    if ev.kind != "text":
        # A location, contact, sticker or dice is never a caption.
        ctx.reply(t(f"report.kind_{ev.kind}" if ev.kind in OTHER_KINDS else "report.kind_other"))
        return
    text = ev.text
    draft = await ctx.reports.draft_of(ctx.me.id)
    if draft is None:
        await _caption_first(ctx, text)
        return
    if draft.settle_at is not None:
        draft.settle_at = None  # the caption after an album: answer now, not at the timer
        ctx.albums_to_cancel.append(draft.id)
    if draft.step == DraftStep.PREVIEW and _caption_problem(ctx, draft) is None:
        await _propose_caption(ctx, draft, text)
        return
    problem = text_problem(ctx, text)
    if problem is not None:
        ctx.reply(problem)  # the caption written before (if any) stays
        return
    await _take_new_caption(ctx, draft, text)


async def _take_new_caption(
    ctx: Context, draft: Report, text: str, lead: list[T] | None = None
) -> None:
    """A good caption replaces the draft's: on to the photos, or to the preview."""
    draft.caption = text
    changed(draft)
    if await ctx.reports.photo_count(draft.id) == 0:
        ctx.reply(t("report.caption_saved", max=ctx.core.limits.max_photos))
        return
    await _after_caption(ctx, draft, lead=lead)


async def _caption_first(ctx: Context, text: str) -> None:
    """Text with no draft: a caption-sized text starts a report (photos may follow)."""
    if text_problem(ctx, text) is not None:
        ctx.reply(t("report.no_draft"))
        return
    draft = await _new_draft(ctx)
    draft.caption = text
    draft.step = DraftStep.CAPTION
    ctx.reply(t("report.caption_saved", max=ctx.core.limits.max_photos))


async def _propose_caption(ctx: Context, draft: Report, text: str) -> None:
    """Text at a standing preview never changes it silently: short replies ("ok", "sip")
    leave it alone, a longer text is offered as the new caption."""
    if text_problem(ctx, text) is not None:
        ctx.reply(t("report.preview_kept"))
        return
    draft.proposed_caption = text
    ctx.reply(
        t("report.replace_caption"),
        raw(_preview_caption(text)),
        buttons=[
            [
                Button(t("button.replace_caption"), f"dg:{draft.id}:{draft.content_seq}"),
                Button(t("button.keep_caption"), f"dn:{draft.id}"),
            ]
        ],
    )


async def receive_edit(ctx: Context) -> None:
    """The person edited an earlier message: in a draft it is the new caption; after Kirim
    the edit does not reach the newsroom, and they are told so."""
    text = ctx.ev.text
    draft = await ctx.reports.draft_of(ctx.me.id)
    if draft is None:
        sent = await ctx.reports.recent_of(ctx.me.id, limit=1)
        if sent and text:
            ctx.reply(t("report.edit_after_send", number=sent[0].number))
        return
    problem = text_problem(ctx, text)
    if problem is not None:
        ctx.reply(problem)
        return
    if text != draft.caption:
        await _take_new_caption(ctx, draft, text, lead=[t("report.caption_from_edit")])


async def _after_caption(
    ctx: Context,
    draft: Report,
    *,
    to: tuple[str, str] | None = None,
    lead: list[T] | None = None,
) -> None:
    """A good caption leads to the preview when the pillar is known, else to choosing one."""
    lines = list(lead or [])
    if len(draft.caption) > cards.CAPTION_LIMIT:
        lines.append(t("report.caption_long", limit=cards.CAPTION_LIMIT))
    asking = draft.step in (DraftStep.PHOTOS, DraftStep.CAPTION)
    if draft.pillar_key is None or (asking and not _one_step(ctx)):
        draft.step = DraftStep.PILLAR
    else:
        draft.step = DraftStep.PREVIEW
    await prompt_step(ctx, draft, to=to, lead=lines)


def _one_step(ctx: Context) -> bool:
    """A photo sent with its caption skips the pillar question (today's pillar is kept)."""
    ev = ctx.event
    return ev is None or bool(ev.media and ev.text.strip())


def _caption_problem(ctx: Context, draft: Report) -> T | None:
    return text_problem(ctx, draft.caption)


def text_problem(ctx: Context, text: str) -> T | None:
    """Why a text cannot be a caption, or None. Texts arrive tidied (inbound_text.tidy)."""
    if not text:
        return t("caption.empty")
    if len(text) < ctx.core.limits.min_caption_chars:
        return t("caption.short", min=ctx.core.limits.min_caption_chars)
    return None


async def prompt_step(
    ctx: Context, draft: Report, *, to: tuple[str, str] | None = None, lead: list[T] | None = None
) -> None:
    """Ask for whatever the draft needs next."""
    lines = list(lead or [])
    buttons: list[list[Button]] = []
    channel, chat_id = to or (ctx.ev.channel, ctx.ev.chat_id)
    if draft.step == DraftStep.PHOTOS:
        lines.append(t("report.ask_photos", max=ctx.core.limits.max_photos))
    elif draft.step == DraftStep.CAPTION:
        if not any(line.key.startswith("caption.") for line in lines):
            lines.append(t("report.ask_caption"))
    elif draft.step == DraftStep.NEW_CAPTION:
        lines.append(t("report.ask_new_caption"))
    elif draft.step == DraftStep.PILLAR:
        lines.append(t("report.ask_pillar"))
        buttons = pillar_buttons(ctx, draft)
    else:
        lines += await preview_lines(ctx, draft, channel)
        buttons = preview_buttons(ctx, draft, channel)
    ctx.send(channel, chat_id, Text(lines, buttons))


def pillar_buttons(ctx: Context, draft: Report) -> list[list[Button]]:
    today = ctx.core.schedule.for_day(ctx.today())
    rows = []
    for pillar in ctx.core.schedule.pillars:
        key = "button.pillar_today" if today and pillar.key == today.key else "button.pillar"
        # The pillar's key, not its position: positions move when /jadwal reloads.
        rows.append([Button(t(key, name=pillar.name), f"dp:{draft.id}:{pillar.key}")])
    return rows


async def preview_lines(ctx: Context, draft: Report, channel: str | None = None) -> list[T]:
    """The draft as it would be sent; while it is a draft, the caption coach's line after
    the caption (the receipt after Kirim keeps the preview without it)."""
    photos = await ctx.reports.photos(draft.id)
    lines = []
    if draft.revision_of_id:
        lines.append(t("preview.revision", number=draft.number, version=draft.version))
    lines += [
        t("preview.title"),
        t("preview.photos", count=len(photos)),
        *warning_lines(photos),
        _pillar_line(ctx, draft, channel),
        t("preview.caption"),
        raw(_preview_caption(draft.caption)),
    ]
    if draft.status == ReportStatus.DRAFT:
        lines += await caption_advice.preview_line(ctx, draft.caption)
    if any(p.warnings for p in photos):
        lines.append(t("preview.warnings_hint"))
    question = cards.consent_question(ctx, draft)
    if question:
        key = "preview.consent_given" if draft.consent_at else "preview.consent_needed"
        lines.append(t(key, question=question))
    return lines


def _preview_caption(caption: str) -> str:
    if len(caption) <= PREVIEW_CAPTION_CHARS:
        return caption
    return caption[:PREVIEW_CAPTION_CHARS].rstrip() + "…"


def _pillar_line(ctx: Context, draft: Report, channel: str | None) -> T:
    today = ctx.core.schedule.for_day(ctx.today())
    if today is not None and draft.pillar_key == today.key:
        menu = _fix_for_pillar(ctx, draft, channel)  # no Ganti pilar button to point at
        key = "preview.pillar_today_menu" if menu else "preview.pillar_today"
        return t(key, pillar=draft.pillar_name or "-")
    return t("preview.pillar", pillar=draft.pillar_name or "-")


def preview_buttons(ctx: Context, draft: Report, channel: str | None = None) -> list[list[Button]]:
    """Kirim carries the content version it shows, so an older preview cannot send newer
    content. The pillar is one tap away: one-step reports get today's by default."""
    seq = draft.content_seq
    send = Button(t("button.send"), f"dk:{draft.id}:{seq}")
    edit = Button(t("button.edit"), f"du:{draft.id}")  # Batal lives there: three fit WhatsApp
    fix = caption_advice.fix_button(ctx, draft)
    if fix is not None and _fix_for_pillar(ctx, draft, channel):
        return [[send, fix, edit]]
    rows = [[send, Button(t("button.change_pillar"), f"dl:{draft.id}"), edit]]
    if fix is not None:
        rows.append([fix])
    if _consent_needed(ctx, draft):
        rows.insert(0, [Button(t("button.consent"), f"dz:{draft.id}:{seq}")])
    return rows


def _consent_needed(ctx: Context, draft: Report) -> bool:
    return bool(cards.consent_question(ctx, draft)) and draft.consent_at is None


def _fix_for_pillar(ctx: Context, draft: Report, channel: str | None) -> bool:
    """On WhatsApp a fourth button would make the preview a list, Kirim two taps away: there
    "Perbaiki ejaan" takes Ganti pilar's place (Ubah → Pilar still changes it). With the
    consent button it is a list already."""
    if (channel or ctx.ev.channel) not in FEW_BUTTONS or draft.status != ReportStatus.DRAFT:
        return False
    return not _consent_needed(ctx, draft) and bool(
        caption_advice.spelling_fixes(ctx, draft.caption)
    )


async def tap_consent(ctx: Context, draft_id: int, seq: int = -1) -> None:
    draft = await _own_draft(ctx, draft_id)
    if draft is not None and await _current(ctx, draft, seq):
        draft.consent_at = ctx.now
        draft.content_seq += 1
        ctx.answer(t("tap.consent"))
        _edit_here(ctx, await preview_lines(ctx, draft), preview_buttons(ctx, draft))


async def tap_fix_spelling(ctx: Context, draft_id: int, seq: int) -> None:
    """ "Perbaiki ejaan": the coach's spelling fixes go into the draft's caption and the
    preview shows it afresh. Late, double or old taps are answered as Kirim's are."""
    draft = await _own_draft(ctx, draft_id)
    if draft is None or not await _current(ctx, draft, seq):
        return
    fixed = caption_advice.fixed_caption(ctx, draft.caption)
    problem = text_problem(ctx, fixed)  # a fix may shorten it (silahkan → silakan)
    if problem is not None:
        ctx.answer(problem, alert=True)
        return
    if fixed != draft.caption:
        draft.caption = fixed
        changed(draft)
    draft.step = DraftStep.PREVIEW
    ctx.answer(t("tap.spelling_fixed"))
    lines = [t("report.spelling_fixed"), *await preview_lines(ctx, draft)]
    _edit_here(ctx, lines, preview_buttons(ctx, draft))


def edit_buttons(draft: Report) -> list[list[Button]]:
    return [
        [
            Button(t("button.edit_caption"), f"dc:{draft.id}"),
            Button(t("button.edit_pillar"), f"dl:{draft.id}"),
        ],
        [
            Button(t("button.edit_photos"), f"df:{draft.id}"),
            Button(t("button.cancel"), f"db:{draft.id}"),
        ],
        [Button(t("button.back"), f"dv:{draft.id}")],
    ]


async def _own_draft(ctx: Context, draft_id: int) -> Report | None:
    draft = await ctx.reports.get(draft_id)
    if draft is None or draft.member_id != ctx.me.id:
        ctx.answer(t("tap.stale"), alert=True)
        return None
    if draft.status != ReportStatus.DRAFT:
        ctx.answer(t("tap.draft_gone"), alert=True)
        return None
    return draft


async def _current(ctx: Context, draft: Report, seq: int) -> bool:
    """False (and the fresh preview sent) when the tapped preview is older than the draft."""
    if seq == draft.content_seq:
        return True
    ctx.answer(t("tap.preview_old"), alert=True)
    await prompt_step(ctx, draft, lead=[t("report.fresh_preview")])
    return False


def _edit_here(ctx: Context, lines: list[T], buttons: list[list[Button]]) -> None:
    ctx.reply_message(Edit(lines, buttons, message_id=ctx.ev.message_id))


async def tap_send(ctx: Context, draft_id: int, seq: int = -1) -> None:
    draft = await _own_draft(ctx, draft_id)
    if draft is None or not await _current(ctx, draft, seq):
        return
    problem = _caption_problem(ctx, draft)
    if not await ctx.reports.photos(draft.id) or problem or not draft.pillar_key:
        ctx.answer(t("tap.draft_incomplete"), alert=True)
        await prompt_step(ctx, draft)
        return
    # A revision keeps its report's number. The number is reserved first so that the one
    # UPDATE below writes it: a lost race would skip a number, and cannot happen, as the
    # author's transactions take turns (router.route) and the draft was read under that turn.
    number = None
    if draft.revision_of_id is None:
        number = await ctx.reports.next_number(ctx.org.id, ctx.today().year)
    # Conditional all the same: of two taps on one Kirim (a double tap) one sends.
    if not await ctx.reports.submit(
        draft, actor_id=ctx.me.id, now=ctx.now, via=ctx.via, number=number, step=DraftStep.PREVIEW
    ):
        ctx.answer(t("tap.draft_gone"), alert=True)
        return
    ctx.albums_to_cancel.append(draft.id)
    ctx.answer(t("tap.sent"))
    newsrooms = await cards.post_to_newsrooms(ctx, draft)
    done = "report.submitted" if newsrooms else "report.submitted_no_newsroom"
    # The preview becomes the receipt: no extra message on the operator's data plan.
    _edit_here(ctx, [*await preview_lines(ctx, draft), t(done, number=draft.number)], [])


async def tap_edit(ctx: Context, draft_id: int) -> None:
    if (draft := await _own_draft(ctx, draft_id)) is not None:
        _edit_here(ctx, await preview_lines(ctx, draft), edit_buttons(draft))
        ctx.answer()


async def tap_back(ctx: Context, draft_id: int) -> None:
    if (draft := await _own_draft(ctx, draft_id)) is not None:
        _edit_here(ctx, await preview_lines(ctx, draft), preview_buttons(ctx, draft))
        ctx.answer()


async def tap_cancel(ctx: Context, draft_id: int) -> None:
    if (draft := await _own_draft(ctx, draft_id)) is not None:
        _edit_here(ctx, [t("report.cancelled")], [])
        await ctx.reports.set_status(draft, ReportStatus.CANCELLED, actor_id=ctx.me.id, now=ctx.now)
        ctx.albums_to_cancel.append(draft.id)
        ctx.answer(t("tap.cancelled"))


async def tap_edit_caption(ctx: Context, draft_id: int) -> None:
    if (draft := await _own_draft(ctx, draft_id)) is not None:
        draft.step = DraftStep.NEW_CAPTION  # the next text is the caption, then the preview
        ctx.reply(t("report.ask_new_caption"))
        ctx.answer()


async def tap_edit_pillar(ctx: Context, draft_id: int) -> None:
    if (draft := await _own_draft(ctx, draft_id)) is not None:
        _edit_here(ctx, [t("report.ask_pillar")], pillar_buttons(ctx, draft))
        ctx.answer()


async def tap_edit_photos(ctx: Context, draft_id: int) -> None:
    if (draft := await _own_draft(ctx, draft_id)) is not None:
        await ctx.reports.clear_photos(draft.id)
        changed(draft)
        draft.replaced_photos = draft.revision_of_id is not None
        draft.step = DraftStep.PHOTOS if not draft.caption else DraftStep.PREVIEW
        ctx.reply(t("report.ask_new_photos", max=ctx.core.limits.max_photos))
        ctx.answer()


async def tap_pillar(ctx: Context, draft_id: int, key: str) -> None:
    draft = await _own_draft(ctx, draft_id)
    if draft is None:
        return
    pillar = ctx.core.schedule.by_key(key)
    if pillar is None:  # the schedule was changed since the buttons were sent
        ctx.answer(t("tap.stale"), alert=True)
        _edit_here(ctx, [t("report.ask_pillar")], pillar_buttons(ctx, draft))
        return
    if pillar.key != draft.pillar_key:
        changed(draft)
    draft.pillar_key, draft.pillar_name = pillar.key, pillar.name
    if _caption_problem(ctx, draft) is not None or await ctx.reports.photo_count(draft.id) == 0:
        _edit_here(ctx, [t("report.pillar_chosen", pillar=draft.pillar_name)], [])
        ctx.answer()
        return
    draft.step = DraftStep.PREVIEW
    _edit_here(ctx, await preview_lines(ctx, draft), preview_buttons(ctx, draft))
    ctx.answer(t("tap.pillar_chosen", pillar=draft.pillar_name))


async def tap_send_revision(ctx: Context, report_id: int) -> None:
    original = await ctx.reports.get(report_id)
    if original is None or original.member_id != ctx.me.id:
        ctx.answer(t("tap.stale"), alert=True)
        return
    if original.status != ReportStatus.REVISION or await ctx.reports.newer_version_of(original.id):
        ctx.answer(t("tap.revision_done"), alert=True)
        return
    existing = await ctx.reports.draft_of(ctx.me.id)
    if existing is not None:
        await ctx.reports.set_status(
            existing, ReportStatus.CANCELLED, actor_id=ctx.me.id, now=ctx.now
        )
    draft = await ctx.reports.start_draft(
        org_id=original.org_id,
        unit_id=original.unit_id,
        member_id=ctx.me.id,
        channel=ctx.ev.channel,
        pillar_key=original.pillar_key,
        pillar_name=original.pillar_name,
    )
    draft.revision_of_id, draft.number = original.id, original.number
    draft.version, draft.caption, draft.step = (
        original.version + 1,
        original.caption,
        DraftStep.PREVIEW,
    )
    await ctx.reports.copy_photos(original.id, draft.id)
    ctx.answer()
    lead = [t("revision.start", number=original.number, reason=original.decision_reason or "-")]
    await prompt_step(ctx, draft, lead=lead)


async def tap_replace_caption(ctx: Context, draft_id: int, seq: int) -> None:
    draft = await _own_draft(ctx, draft_id)
    if draft is None or not draft.proposed_caption or seq != draft.content_seq:
        ctx.answer(t("tap.stale"), alert=True)
        return
    draft.caption = draft.proposed_caption
    changed(draft)
    draft.step = DraftStep.PREVIEW
    ctx.answer(t("tap.caption_replaced"))
    _edit_here(ctx, [t("report.caption_replaced")], [])
    await prompt_step(ctx, draft)


async def tap_keep_caption(ctx: Context, draft_id: int) -> None:
    draft = await _own_draft(ctx, draft_id)
    if draft is not None:
        draft.proposed_caption = None
        ctx.answer(t("tap.caption_kept"))
        _edit_here(ctx, [t("report.caption_kept")], [])


CALLBACKS: dict[str, TapHandler] = {
    "dg": tap_replace_caption,
    "dn": tap_keep_caption,
    "dk": tap_send,
    "du": tap_edit,
    "dv": tap_back,
    "db": tap_cancel,
    "dc": tap_edit_caption,
    "dl": tap_edit_pillar,
    "df": tap_edit_photos,
    "dp": tap_pillar,
    "kr": tap_send_revision,
    "dz": tap_consent,
    caption_advice.FIX_SPELLING: tap_fix_spelling,
}

"""The operator's report: photos, caption, pillar, preview, send. Drafts live in the database."""

from __future__ import annotations

from handlers import cards
from handlers.context import Context
from handlers.events import FetchedMedia
from handlers.messages import Button, Edit, T, Text, raw, t
from handlers.photo_warnings import add_duplicate, measured, warning_lines
from storage.models import DraftStep, Photo, Report, ReportStatus

PREVIEW_CAPTION_CHARS = 300


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
    draft = await ctx.reports.draft_of(ctx.me.id) or await _new_draft(ctx)
    if draft.revision_of_id and not draft.replaced_photos:
        # The first new photo of a revision replaces the photos it inherited.
        await ctx.reports.clear_photos(draft.id)
        draft.replaced_photos = True
    for fetched in accepted:
        if await ctx.reports.photo_count(draft.id) >= ctx.core.limits.max_photos:
            ctx.reply(t("report.too_many_photos", max=ctx.core.limits.max_photos))
            break
        if not await ctx.reports.has_photo(draft.id, fetched.media.unique_id):
            draft.consent_at = None  # confirmed for other photos: ask again
            photo = _photo(ctx, draft, fetched)
            await add_duplicate(ctx, draft, photo)
            await ctx.reports.add_photo(photo)
    if ev.text.strip():
        draft.caption = ev.text.strip()
    if draft.step == DraftStep.PHOTOS and draft.caption:
        draft.step = DraftStep.CAPTION
    if ev.media_group_id or not ev.text.strip():
        # More photos may follow (an album, or one by one): answer once they stop coming.
        ctx.albums_to_settle.append(draft.id)
    else:
        await _acknowledge_photos(ctx, draft)  # a photo with its caption: straight to preview


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


async def settle_album(ctx: Context, report_id: int) -> None:
    draft = await ctx.reports.get(report_id)
    if draft is None or draft.status != ReportStatus.DRAFT:
        return
    ctx.member = await ctx.people.member(draft.member_id)
    contacts = await ctx.people.contacts(draft.member_id)
    if ctx.member is None or not contacts:
        return
    await _acknowledge_photos(ctx, draft, to=(contacts[0].channel, contacts[0].chat_id))


async def _acknowledge_photos(
    ctx: Context, draft: Report, to: tuple[str, str] | None = None
) -> None:
    count = await ctx.reports.photo_count(draft.id)
    ack = t("report.photos_received", count=count)
    if draft.step == DraftStep.PREVIEW or (draft.caption and _caption_problem(ctx, draft) is None):
        await _after_caption(ctx, draft, to=to, lead=ack)
        return
    if draft.caption:
        await prompt_step(ctx, draft, to=to, lead=[ack, _caption_problem(ctx, draft)])  # type: ignore[list-item]
        return
    draft.step = DraftStep.CAPTION
    await prompt_step(ctx, draft, to=to, lead=[ack])


async def receive_text(ctx: Context) -> None:
    draft = await ctx.reports.draft_of(ctx.me.id)
    if draft is None:
        ctx.reply(t("report.no_draft"))
        return
    ctx.albums_to_cancel.append(draft.id)
    if await ctx.reports.photo_count(draft.id) == 0:
        ctx.reply(t("report.photos_first"))
        return
    draft.caption = ctx.ev.text.strip()
    problem = _caption_problem(ctx, draft)
    if problem is not None:
        draft.step = DraftStep.CAPTION
        ctx.reply(problem)
        return
    await _after_caption(ctx, draft)


async def _after_caption(
    ctx: Context, draft: Report, *, to: tuple[str, str] | None = None, lead: T | None = None
) -> None:
    """A good caption leads to the preview when the pillar is known, else to choosing one."""
    lines = [lead] if lead else []
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
    text = draft.caption.strip()
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
    if draft.step == DraftStep.PHOTOS:
        lines.append(t("report.ask_photos", max=ctx.core.limits.max_photos))
    elif draft.step == DraftStep.CAPTION:
        if not any(line.key.startswith("caption.") for line in lines):
            lines.append(t("report.ask_caption"))
    elif draft.step == DraftStep.PILLAR:
        lines.append(t("report.ask_pillar"))
        buttons = pillar_buttons(ctx, draft)
    else:
        lines += await preview_lines(ctx, draft)
        buttons = preview_buttons(ctx, draft)
    channel, chat_id = to or (ctx.ev.channel, ctx.ev.chat_id)
    ctx.send(channel, chat_id, Text(lines, buttons))


def pillar_buttons(ctx: Context, draft: Report) -> list[list[Button]]:
    today = ctx.core.schedule.for_day(ctx.today())
    rows = []
    for i, pillar in enumerate(ctx.core.schedule.pillars):
        key = "button.pillar_today" if today and pillar.key == today.key else "button.pillar"
        rows.append([Button(t(key, name=pillar.name), f"dp:{draft.id}:{i}")])
    return rows


async def preview_lines(ctx: Context, draft: Report) -> list[T]:
    photos = await ctx.reports.photos(draft.id)
    caption = draft.caption
    if len(caption) > PREVIEW_CAPTION_CHARS:
        caption = caption[:PREVIEW_CAPTION_CHARS].rstrip() + "…"
    lines = []
    if draft.revision_of_id:
        lines.append(t("preview.revision", number=draft.number, version=draft.version))
    lines += [
        t("preview.title"),
        t("preview.photos", count=len(photos)),
        *warning_lines(photos),
        t("preview.pillar", pillar=draft.pillar_name or "-"),
        t("preview.caption"),
        raw(caption),
    ]
    if any(p.warnings for p in photos):
        lines.append(t("preview.warnings_hint"))
    question = cards.consent_question(ctx, draft)
    if question:
        key = "preview.consent_given" if draft.consent_at else "preview.consent_needed"
        lines.append(t(key, question=question))
    return lines


def preview_buttons(ctx: Context, draft: Report) -> list[list[Button]]:
    rows = [
        [
            Button(t("button.send"), f"dk:{draft.id}"),
            Button(t("button.edit"), f"du:{draft.id}"),
            Button(t("button.cancel"), f"db:{draft.id}"),
        ]
    ]
    if cards.consent_question(ctx, draft) and draft.consent_at is None:
        rows.insert(0, [Button(t("button.consent"), f"dz:{draft.id}")])
    return rows


async def tap_consent(ctx: Context, draft_id: int) -> None:
    draft = await _own_draft(ctx, draft_id)
    if draft is not None:
        draft.consent_at = ctx.now
        ctx.answer(t("tap.consent"))
        _edit_here(ctx, await preview_lines(ctx, draft), preview_buttons(ctx, draft))


def edit_buttons(draft: Report) -> list[list[Button]]:
    return [
        [
            Button(t("button.edit_caption"), f"dc:{draft.id}"),
            Button(t("button.edit_pillar"), f"dl:{draft.id}"),
        ],
        [
            Button(t("button.edit_photos"), f"df:{draft.id}"),
            Button(t("button.back"), f"dv:{draft.id}"),
        ],
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


def _edit_here(ctx: Context, lines: list[T], buttons: list[list[Button]]) -> None:
    ctx.reply_message(Edit(lines, buttons, message_id=ctx.ev.message_id))


async def tap_send(ctx: Context, draft_id: int) -> None:
    draft = await _own_draft(ctx, draft_id)
    if draft is None:
        return
    problem = _caption_problem(ctx, draft)
    if await ctx.reports.photo_count(draft.id) == 0 or problem or not draft.pillar_key:
        ctx.answer(t("tap.draft_incomplete"), alert=True)
        await prompt_step(ctx, draft)
        return
    if draft.revision_of_id is None:
        draft.number = await ctx.reports.next_number(ctx.org.id, ctx.today().year)
    draft.submitted_at = ctx.now
    draft.step = DraftStep.PREVIEW
    await ctx.reports.set_status(draft, ReportStatus.PENDING, actor_id=ctx.me.id, now=ctx.now)
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
        draft.step = DraftStep.PREVIEW  # a new caption comes back to the preview
        ctx.reply(t("report.ask_new_caption"))
        ctx.answer()


async def tap_edit_pillar(ctx: Context, draft_id: int) -> None:
    if (draft := await _own_draft(ctx, draft_id)) is not None:
        _edit_here(ctx, [t("report.ask_pillar")], pillar_buttons(ctx, draft))
        ctx.answer()


async def tap_edit_photos(ctx: Context, draft_id: int) -> None:
    if (draft := await _own_draft(ctx, draft_id)) is not None:
        await ctx.reports.clear_photos(draft.id)
        draft.replaced_photos = draft.revision_of_id is not None
        draft.step = DraftStep.PHOTOS if not draft.caption else DraftStep.PREVIEW
        ctx.reply(t("report.ask_new_photos", max=ctx.core.limits.max_photos))
        ctx.answer()


async def tap_pillar(ctx: Context, draft_id: int, index: int) -> None:
    draft = await _own_draft(ctx, draft_id)
    if draft is None:
        return
    pillars = ctx.core.schedule.pillars
    if not 0 <= index < len(pillars):
        ctx.answer(t("tap.stale"), alert=True)
        return
    draft.pillar_key, draft.pillar_name = pillars[index].key, pillars[index].name
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


CALLBACKS = {
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
}

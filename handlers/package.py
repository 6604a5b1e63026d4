"""'Paket unggah': an approved report as a ZIP the newsroom can post without resizing by hand."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

from handlers import publishing
from handlers.config import Core
from handlers.context import Context, JobRunner
from handlers.messages import File, Text, t
from storage.derivatives import ensure_derivatives
from storage.models import ReportStatus
from storage.packages import write_package

log = logging.getLogger(__name__)


@dataclass
class Contents:
    number: str = ""
    photos: list[tuple[str, str]] | None = None  # (stored path, sha256) of each original
    caption: str = ""


async def tap_package(ctx: Context, report_id: int) -> None:
    if not ctx.can_decide():
        ctx.answer(t("review.not_editor"), alert=True)
        return
    report = await ctx.reports.get(report_id)
    if report is None or report.org_id != ctx.org.id or report.status != ReportStatus.APPROVED:
        ctx.answer(t("tap.stale"), alert=True)
        return
    ctx.answer(t("package.preparing"))
    channel, chat_id, core = ctx.ev.channel, ctx.ev.chat_id, ctx.core
    number = report.number or ""

    async def build(run: JobRunner) -> None:
        try:
            contents = Contents()
            await run(lambda c: _collect(c, report_id, contents))
            path = await asyncio.to_thread(_write, core, contents)
        except Exception:  # a photo or the disk failed: the editor must not wait for nothing
            log.exception("upload package of report %s failed", report_id)
            failed = Text([t("package.failed", number=number)])
            await run(lambda c: _send(c, channel, chat_id, failed))
            return
        name = f"paket-{contents.number}.zip"
        caption = [t("package.caption", number=contents.number)]
        await run(lambda c: _send(c, channel, chat_id, File(str(path), name, caption)))

    ctx.deferred.append(build)


async def _collect(ctx: Context, report_id: int, contents: Contents) -> None:
    report = await ctx.reports.get(report_id)
    assert report is not None and report.number is not None
    contents.number = report.number
    contents.photos = [(p.path, p.sha256) for p in await ctx.reports.photos(report_id)]
    parts = [ctx.core.texts.render(line) for line in await publishing.post_caption(ctx, report)]
    link = ctx.core.schedule.link_template
    if link:
        parts.append(link.format(number=report.number))
    contents.caption = "\n\n".join(parts)


def prepare_derivatives(ctx: Context, report_id: int) -> None:
    """On approval: make every photo's derivatives in the background, ready for the package."""
    media = ctx.core.media

    async def make(run: JobRunner) -> None:
        photos: list[tuple[str, str]] = []

        async def collect(c: Context) -> None:
            photos.extend((p.path, p.sha256) for p in await c.reports.photos(report_id))

        await run(collect)
        for path, sha256 in photos:
            await asyncio.to_thread(ensure_derivatives, media, path, sha256)

    ctx.deferred.append(make)


def _write(core: Core, contents: Contents) -> Path:
    folder = core.reports_dir or core.media.root / "reports"
    stem = f"paket-{contents.number}"
    return write_package(core.media, contents.photos or [], contents.caption, folder, stem)


async def _send(ctx: Context, channel: str, chat_id: str, message: File | Text) -> None:
    ctx.send(channel, chat_id, message)

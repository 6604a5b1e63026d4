"""Report photos on the desk: /foto/<id>/kecil (a thumbnail), /web (screen size), /asli (the
original, downloaded), for whoever may see the report (an operator: their own unit's).

Sizes are made on first view and kept beside the publication derivatives, content-addressed
(same photo, same file); an approved report's 1600 px derivative is the quicker source when
it exists. Any page (the list, a report's detail page) links here.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

from bot.desk.guard import require
from bot.desk.report_query import visible_to
from storage.derivatives import WEB, Size, derivative_path, make_derivatives
from storage.media import MediaStore, write_atomically
from storage.models import Member, Photo, Report

if TYPE_CHECKING:
    from bot.desk.site import Desk

log = logging.getLogger(__name__)

SIZES = {
    "kecil": Size("desk-320", 320, 320, "contain"),  # thumbnails: 2x a list's 10rem
    "web": Size("desk-1080", 1080, 1080, "contain"),  # a phone's full width, a laptop's half
}
ORIGINAL = "asli"
VERSION = "1"  # part of every derivative's ETag: a new pipeline, new ETags
# A person's own browser may keep a photo an hour; nothing shared (a proxy) may keep it.
CACHE = "private, max-age=3600"
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heic": "heic"}


@dataclass(frozen=True)
class VisiblePhoto:
    id: int
    number: str
    position: int
    path: str
    mime: str
    sha256: str

    def download_name(self) -> str:
        return f"{self.number}-{self.position + 1}.{EXTENSIONS.get(self.mime, 'bin')}"


def photo_url(photo_id: int, size: str = "kecil") -> str:
    return f"/foto/{photo_id}/{size}"


async def visible_photo(
    session: AsyncSession, viewer: Member, photo_id: int
) -> VisiblePhoto | None:
    """The photo if it belongs to a sent report this viewer may see, else None."""
    row = (
        await session.execute(
            select(Photo.id, Report.number, Photo.position, Photo.path, Photo.mime, Photo.sha256)
            .join(Report, Report.id == Photo.report_id)
            .where(Photo.id == photo_id, Report.submitted_at.is_not(None), visible_to(viewer))
        )
    ).first()
    if row is None or row.number is None:
        return None
    return VisiblePhoto(row.id, row.number, row.position, row.path, row.mime, row.sha256)


def desk_copy(media: MediaStore, photo: VisiblePhoto, size: Size) -> Path:
    """The photo at this size on disk, made once (blocking: call through asyncio.to_thread)."""
    target = derivative_path(media, photo.sha256, size)
    if target.exists():
        return target
    # The publication's copy is upright, sRGB, 1600 px: cheaper to decode than a 12 MP original.
    published = derivative_path(media, photo.sha256, WEB)
    source = published if published.exists() else media.path(photo.path)
    write_atomically(target, make_derivatives(source.read_bytes(), (size,))[size.name])
    return target


def _matches(request: Request, etag: str) -> bool:
    given = request.headers.get("if-none-match", "")
    tags = {tag.strip().removeprefix("W/") for tag in given.split(",")}
    return etag in tags or "*" in tags


class Photos:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    async def serve(self, request: Request) -> Response:
        viewer = await require(request)
        size = request.path_params["size"]
        if size not in SIZES and size != ORIGINAL:
            return self._missing(request)
        async with self.desk.sessionmaker() as session:
            photo = await visible_photo(session, viewer, request.path_params["photo_id"])
        if photo is None:  # another unit's, or none: the same answer, nothing to learn
            return self._missing(request)
        etag = f'"{photo.sha256}"' if size == ORIGINAL else f'"{photo.sha256}-{size}-{VERSION}"'
        headers = {"ETag": etag, "Cache-Control": CACHE}
        if _matches(request, etag):
            return Response(status_code=304, headers=headers)
        if size == ORIGINAL:
            return self._original(request, photo, headers)
        try:
            path = await asyncio.to_thread(desk_copy, self.desk.core.media, photo, SIZES[size])
        except (OSError, ValueError, Image.DecompressionBombError):
            log.exception("photo %s: no %s copy", photo.id, size)
            return self._missing(request)
        return FileResponse(path, media_type="image/jpeg", headers=headers)

    def _original(self, request: Request, photo: VisiblePhoto, headers: dict[str, str]) -> Response:
        path = self.desk.core.media.path(photo.path)
        if not path.is_file():
            log.error("photo %s: original %s is missing", photo.id, photo.path)
            return self._missing(request)
        return FileResponse(
            path,
            media_type=photo.mime,
            filename=photo.download_name(),
            content_disposition_type="attachment",
            headers=headers,
        )

    def _missing(self, request: Request) -> Response:
        return self.desk.pages.render(
            request,
            "refused.html",
            status=404,
            title="Foto tidak ditemukan",
            text="Foto ini tidak ada, atau bukan untuk peranmu.",
        )


def routes(desk: Desk) -> list[BaseRoute]:
    photos = Photos(desk)
    return [Route("/foto/{photo_id:int}/{size}", desk.page(photos.serve), methods=["GET"])]

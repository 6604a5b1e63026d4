"""A fake Graph API for Instagram content publishing: containers made from public image URLs
(which it really fetches, from Warta's signed links), IN_PROGRESS -> FINISHED -> PUBLISHED,
carousels of 2-10 items, `content_publishing_limit` with a quota the test sets, the account's
media read back, and Meta-shaped errors. The real httpx client of bot/publishing/instagram.py
talks to it."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fake_meta_pages import _error

IG_USER = "17841400000000001"
IG_TOKEN = "IG-TEST-TOKEN"
Fetch = Callable[[str], Awaitable[tuple[int, bytes]]]


@dataclass
class FakeInstagram:
    user_id: str = IG_USER
    token: str = IG_TOKEN
    quota_total: int = 50
    polls_until_finished: int = 1  # status reads a container stays IN_PROGRESS for
    containers: dict[str, dict[str, Any]] = field(default_factory=dict)
    media: dict[str, dict[str, Any]] = field(default_factory=dict)  # published posts
    fetched: list[str] = field(default_factory=list)
    fetch: Fetch | None = None  # how Meta reaches Warta's public URL (set by the test)

    def __post_init__(self) -> None:
        self._ids = itertools.count(17_900_000_000_000_001)
        self.app = Starlette(
            routes=[
                Route("/{version}/{user}/media", self._media, methods=["GET", "POST"]),
                Route("/{version}/{user}/media_publish", self._publish, methods=["POST"]),
                Route("/{version}/{user}/content_publishing_limit", self._limit, methods=["GET"]),
                Route("/{version}/{object_id}", self._object, methods=["GET"]),
            ]
        )

    def _refused(self, request: Request) -> Response | None:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return _error(190, "Error validating access token: Session has expired", 401)
        user = request.path_params.get("user")
        if user is not None and user != self.user_id:
            return _error(100, "Unsupported request", 400, subcode=33)
        return None

    async def _media(self, request: Request) -> Response:
        if (refused := self._refused(request)) is not None:
            return refused
        if request.method == "GET":
            newest = list(reversed(self.media.values()))
            return JSONResponse(
                {"data": [{"id": m["id"], "caption": m["caption"]} for m in newest]}
            )
        form = dict(await request.form())
        if form.get("media_type") == "CAROUSEL":
            children = str(form["children"]).split(",")
            if not 2 <= len(children) <= 10 or any(c not in self.containers for c in children):
                return _error(100, "Invalid children", 400)
            return self._container({"children": children, "caption": form.get("caption", "")})
        image_url = str(form.get("image_url", ""))
        if self.fetch is None:
            return _error(9004, "Media download has failed: no network", 400)
        status, data = await self.fetch(image_url)
        self.fetched.append(image_url)
        if status != 200 or data[:2] != b"\xff\xd8":
            return _error(9004, f"Media download has failed ({status})", 400)
        return self._container({"image_url": image_url, "caption": form.get("caption", "")})

    def _container(self, values: dict[str, Any]) -> Response:
        container_id = str(next(self._ids))
        self.containers[container_id] = {"id": container_id, "reads": 0, "status": "IN_PROGRESS"}
        self.containers[container_id].update(values)
        return JSONResponse({"id": container_id})

    async def _publish(self, request: Request) -> Response:
        if (refused := self._refused(request)) is not None:
            return refused
        form = dict(await request.form())
        container = self.containers.get(str(form.get("creation_id")))
        if container is None or container["status"] != "FINISHED":
            return _error(9007, "Media ID is not available", 400)
        if len(self.media) >= self.quota_total:
            return _error(9, "Application request limit reached", 400)
        media_id = str(next(self._ids))
        container["status"] = "PUBLISHED"
        self.media[media_id] = {
            "id": media_id,
            "caption": container["caption"],
            "items": len(container.get("children", [])) or 1,
        }
        return JSONResponse({"id": media_id})

    async def _limit(self, request: Request) -> Response:
        if (refused := self._refused(request)) is not None:
            return refused
        usage = {"quota_usage": len(self.media), "config": {"quota_total": self.quota_total}}
        return JSONResponse({"data": [usage]})

    async def _object(self, request: Request) -> Response:
        if (refused := self._refused(request)) is not None:
            return refused
        object_id = request.path_params["object_id"]
        if object_id in self.media:
            return JSONResponse(
                {"id": object_id, "permalink": f"https://www.instagram.com/p/C{object_id[-6:]}/"}
            )
        container = self.containers.get(object_id)
        if container is None:
            return _error(100, "Object does not exist", 400, subcode=33)
        container["reads"] += 1
        if container["status"] == "IN_PROGRESS" and container["reads"] > self.polls_until_finished:
            container["status"] = "FINISHED"
        return JSONResponse({"id": object_id, "status_code": container["status"]})

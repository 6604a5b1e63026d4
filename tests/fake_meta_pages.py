"""A fake Graph API for a Facebook Page: unpublished photo uploads, feed posts attaching them,
the feed read back, permalinks, DELETE, a Page token checked on every call, and Meta-shaped
errors (an expired token is code 190). The real httpx client of bot/publishing/facebook.py
talks to it."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

PAGE_ID = "104000000000001"
PAGE_TOKEN = "PAGE-TEST-TOKEN"


@dataclass
class Failure:
    code: int
    status: int
    path: str
    times: int
    subcode: int | None = None


@dataclass
class FakePages:
    page_id: str = PAGE_ID
    token: str = PAGE_TOKEN
    photos: dict[str, dict[str, Any]] = field(default_factory=dict)
    posts: dict[str, dict[str, Any]] = field(default_factory=dict)  # newest last
    failures: list[Failure] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._ids = itertools.count(900_001)
        self.app = Starlette(
            routes=[
                Route("/{version}/{page_id}/photos", self._upload, methods=["POST"]),
                Route("/{version}/{page_id}/feed", self._feed, methods=["GET", "POST"]),
                Route("/{version}/{object_id}", self._object, methods=["GET", "DELETE"]),
            ]
        )

    def fail_next(self, code: int, *, status: int = 400, path: str = "", times: int = 1) -> None:
        self.failures.append(Failure(code, status, path, times))

    def live_posts(self) -> list[dict[str, Any]]:
        return [p for p in self.posts.values() if not p.get("deleted")]

    async def _params(self, request: Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query_params)
        if request.method == "POST":
            form = await request.form()
            params.update({k: v for k, v in form.items()})
        return params

    async def _guard(self, request: Request, params: dict[str, Any]) -> Response | None:
        self.calls.append((request.method, request.url.path))
        for failure in self.failures:
            if failure.path in request.url.path and failure.times > 0:
                failure.times -= 1
                return _error(failure.code, "Injected failure", failure.status)
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return _error(190, "Error validating access token: Session has expired", 401)
        if "page_id" in request.path_params and request.path_params["page_id"] != self.page_id:
            return _error(100, "Unsupported post request.", 400, subcode=33)
        return None

    async def _upload(self, request: Request) -> Response:
        params = await self._params(request)
        if (refused := await self._guard(request, params)) is not None:
            return refused
        source = params.get("source")
        assert source is not None and not isinstance(source, str), "the photo is uploaded"
        data = await source.read()
        assert data[:2] == b"\xff\xd8"
        photo_id = str(next(self._ids))
        published = params.get("published", "true") != "false"
        self.photos[photo_id] = {"id": photo_id, "published": published, "bytes": len(data)}
        return JSONResponse({"id": photo_id})

    async def _feed(self, request: Request) -> Response:
        params = await self._params(request)
        if (refused := await self._guard(request, params)) is not None:
            return refused
        if request.method == "GET":
            limit = int(params.get("limit", 25))
            newest = list(reversed(self.live_posts()))[:limit]
            return JSONResponse(
                {"data": [{"id": p["id"], "message": p["message"]} for p in newest]}
            )
        attached = [
            json.loads(v)["media_fbid"] for k, v in params.items() if k.startswith("attached_media")
        ]
        for photo_id in attached:
            if photo_id not in self.photos:
                return _error(100, f"Invalid media_fbid {photo_id}", 400)
        post_id = f"{self.page_id}_{next(self._ids)}"
        self.posts[post_id] = {"id": post_id, "message": params["message"], "photos": attached}
        return JSONResponse({"id": post_id})

    async def _object(self, request: Request) -> Response:
        params = await self._params(request)
        if (refused := await self._guard(request, params)) is not None:
            return refused
        post = self.posts.get(request.path_params["object_id"])
        if post is None or post.get("deleted"):
            return _error(100, "Object does not exist", 400, subcode=33)
        if request.method == "DELETE":
            post["deleted"] = True
            return JSONResponse({"success": True})
        number = post["id"].split("_")[1]
        link = f"https://www.facebook.com/{self.page_id}/posts/{number}"
        return JSONResponse({"id": post["id"], "permalink_url": link})


def _error(code: int, message: str, status: int, subcode: int | None = None) -> JSONResponse:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error["fbtrace_id"] = "AbCdEfGh"
    return JSONResponse({"error": error}, status_code=status)

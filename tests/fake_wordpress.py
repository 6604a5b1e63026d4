"""A fake WordPress REST API (wp-json/wp/v2): media, posts, categories and tags, with
application-password Basic auth, WordPress's own error bodies, slugs made unique the way
WordPress does (-2), and posts moved to the trash by DELETE. The real httpx client of
bot/publishing/wordpress.py talks to it."""

from __future__ import annotations

import base64
import itertools
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

SITE = "http://fake-wordpress"
USER, PASSWORD = "warta", "abcd EFGH ijkl MNOP qrst UVWX"


@dataclass
class Failure:
    status: int
    code: str
    path: str  # fails requests whose path contains this
    times: int = 1


@dataclass
class FakeWordPress:
    site: str = SITE
    user: str = USER
    password: str = PASSWORD
    media: dict[int, dict[str, Any]] = field(default_factory=dict)
    posts: dict[int, dict[str, Any]] = field(default_factory=dict)
    terms: dict[str, dict[int, dict[str, Any]]] = field(
        default_factory=lambda: {"categories": {}, "tags": {}}
    )
    calls: list[tuple[str, str]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._ids = itertools.count(100)
        routes = [
            Route("/wp-json/wp/v2/media", self._media, methods=["GET", "POST"]),
            Route("/wp-json/wp/v2/posts", self._posts, methods=["GET", "POST"]),
            Route("/wp-json/wp/v2/posts/{post_id:int}", self._post, methods=["DELETE"]),
            Route("/wp-json/wp/v2/{kind}", self._terms, methods=["GET", "POST"]),
        ]
        self.app = Starlette(routes=routes)

    def fail_next(self, status: int, code: str, path: str = "", times: int = 1) -> None:
        self.failures.append(Failure(status, code, path, times))

    def live_posts(self) -> list[dict[str, Any]]:
        return [p for p in self.posts.values() if p["status"] == "publish"]

    async def _guard(self, request: Request) -> Response | None:
        self.calls.append((request.method, request.url.path))
        for failure in self.failures:
            if failure.path in request.url.path and failure.times > 0:
                failure.times -= 1
                return _error(failure.status, failure.code, "Injected failure")
        if not self._signed_in(request):
            return _error(401, "incorrect_password", "The provided password is incorrect.")
        return None

    def _signed_in(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        if not header.startswith("Basic "):
            return False
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        return (user, password) == (self.user, self.password)

    async def _media(self, request: Request) -> Response:
        if (refused := await self._guard(request)) is not None:
            return refused
        if request.method == "GET":
            search = request.query_params.get("search", "")
            found = [m for m in self.media.values() if search in m["title"]["raw"]]
            return JSONResponse([_public(m) for m in found])
        form = await request.form()
        upload = form["file"]
        assert not isinstance(upload, str)
        data = await upload.read()
        assert data[:2] == b"\xff\xd8", "WordPress gets JPEGs"
        media_id = next(self._ids)
        name = str(upload.filename or "upload.jpg")
        stem = name.rsplit(".", 1)[0]
        title = str(form.get("title") or stem)
        self.media[media_id] = {
            "id": media_id,
            "slug": self._unique_slug(self.media, stem),
            "title": {"raw": title, "rendered": title},
            "alt_text": str(form.get("alt_text", "")),
            "source_url": f"{self.site}/wp-content/uploads/{name}",
            "bytes": len(data),
        }
        return JSONResponse(_public(self.media[media_id]), status_code=201)

    async def _posts(self, request: Request) -> Response:
        if (refused := await self._guard(request)) is not None:
            return refused
        if request.method == "GET":
            wanted = request.query_params.get("slug")
            statuses = request.query_params.get("status", "publish").split(",")
            found = [
                p
                for p in self.posts.values()
                if p["status"] in statuses and (wanted is None or p["slug"] == wanted)
            ]
            return JSONResponse(found)
        body = await request.json()
        if not str(body.get("title", "")).strip():
            return _error(400, "empty_content", "Content, title, and excerpt are empty.")
        post_id = next(self._ids)
        post_slug = self._unique_slug(self.posts, body.get("slug") or f"post-{post_id}")
        self.posts[post_id] = {
            "id": post_id,
            "slug": post_slug,
            "status": body.get("status", "draft"),
            "title": {"raw": body["title"]},
            "content": {"raw": body.get("content", "")},
            "featured_media": body.get("featured_media", 0),
            "categories": body.get("categories", []),
            "tags": body.get("tags", []),
            "link": f"{self.site}/{post_slug}/",
        }
        return JSONResponse(self.posts[post_id], status_code=201)

    async def _post(self, request: Request) -> Response:
        if (refused := await self._guard(request)) is not None:
            return refused
        post = self.posts.get(int(request.path_params["post_id"]))
        if post is None:
            return _error(404, "rest_post_invalid_id", "Invalid post ID.")
        if post["status"] == "trash":
            return _error(410, "rest_already_trashed", "The post has already been deleted.")
        post["status"] = "trash"
        return JSONResponse(post)

    async def _terms(self, request: Request) -> Response:
        kind = request.path_params["kind"]
        if kind not in self.terms:
            return _error(404, "rest_no_route", "No route was found.")
        if (refused := await self._guard(request)) is not None:
            return refused
        terms = self.terms[kind]
        if request.method == "GET":
            wanted = request.query_params.get("slug")
            return JSONResponse([t for t in terms.values() if t["slug"] == wanted])
        body = await request.json()
        for term in terms.values():
            if term["slug"] == body["slug"]:
                return JSONResponse(
                    {
                        "code": "term_exists",
                        "message": "A term with the name provided already exists.",
                        "data": {"status": 400, "term_id": term["id"]},
                    },
                    status_code=400,
                )
        term_id = next(self._ids)
        terms[term_id] = {"id": term_id, "name": body["name"], "slug": body["slug"]}
        return JSONResponse(terms[term_id], status_code=201)

    @staticmethod
    def _unique_slug(rows: dict[int, dict[str, Any]], wanted: str) -> str:
        taken = {r["slug"] for r in rows.values()}
        if wanted not in taken:
            return wanted
        return next(f"{wanted}-{n}" for n in itertools.count(2) if f"{wanted}-{n}" not in taken)


def _public(media: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in media.items() if k != "bytes"}


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(
        {"code": code, "message": message, "data": {"status": status}}, status_code=status
    )

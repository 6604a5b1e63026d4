"""A WordPress site through its REST API, signed in with an application password.

The post is created with a slug of its own (warta-<number>), so a post made just before a
crash is found again by that slug and never made twice. Photos go up first (the first is the
featured image), then the pillar's category and the hashtags' tags (made when missing).
"""

from __future__ import annotations

import asyncio
import re
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from bot.publishing.base import TIMEOUT, Posted, call, status_error
from bot.publishing.errors import PublishError
from bot.publishing.steps import Steps
from handlers.targets import PostContent

ANY_STATUS = "publish,future,draft,pending,private"
NOT_A_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    return NOT_A_SLUG.sub("-", text.lower()).strip("-")[:190]


class WordPress:
    name = "website"
    size = "web"

    def __init__(self, url: str, user: str, app_password: str, **httpx_kwargs: Any) -> None:
        self.api = url.rstrip("/") + "/wp-json/wp/v2"
        self.client = httpx.AsyncClient(
            auth=httpx.BasicAuth(user, app_password), timeout=TIMEOUT, **httpx_kwargs
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    async def publish(self, content: PostContent, photos: list[Path], steps: Steps) -> Posted:
        media: list[dict[str, Any]] = []
        for n, path in enumerate(photos, 1):
            stem = f"warta-{slug(content.number)}-{n}"
            media.append(
                await steps.take(
                    f"media-{n}",
                    partial(self._upload, path, stem, content),
                    partial(self._find_media, stem),
                )
            )
        category = await steps.take("category", lambda: self._category(content))
        tags = await steps.take("tags", lambda: self._tags(content.hashtags))
        post_slug = f"warta-{slug(content.number)}"
        post = await steps.take(
            "post",
            lambda: self._post(content, media, category, tags, post_slug),
            lambda: self._find_post(post_slug),
        )
        return Posted(str(post["id"]), str(post["link"]))

    async def remove(self, external_id: str) -> bool:
        """To the trash (WordPress keeps it there 30 days): a slip can be undone by the site."""
        response = await call(self.client, "DELETE", f"{self.api}/posts/{external_id}")
        body = _json(response)
        if response.status_code in (404, 410):  # already in the trash, or deleted on the site
            return True
        _raise_for(response, body)
        return True

    async def _upload(self, path: Path, stem: str, content: PostContent) -> dict[str, Any]:
        data = await asyncio.to_thread(path.read_bytes)
        response = await call(
            self.client,
            "POST",
            f"{self.api}/media",
            files={"file": (f"{stem}.jpg", data, "image/jpeg")},
            data={"title": stem, "alt_text": content.title, "caption": content.credit},
        )
        body = _checked(response)
        return {"id": body["id"], "source_url": body.get("source_url", "")}

    async def _find_media(self, stem: str) -> dict[str, Any] | None:
        response = await call(
            self.client, "GET", f"{self.api}/media", params={"search": stem, "context": "edit"}
        )
        for item in _checked(response):
            if item.get("slug") == stem or _raw_title(item) == stem:
                return {"id": item["id"], "source_url": item.get("source_url", "")}
        return None

    async def _category(self, content: PostContent) -> list[int]:
        if not content.pillar_key or not content.pillar_name:
            return []
        return [await self._term("categories", content.pillar_name, content.pillar_key)]

    async def _tags(self, hashtags: tuple[str, ...]) -> list[int]:
        names = [h.lstrip("#") for h in hashtags if h.lstrip("#")]
        return [await self._term("tags", name, slug(name)) for name in names]

    async def _term(self, kind: str, name: str, term_slug: str) -> int:
        """A category or tag by slug, made when the site has none."""
        response = await call(self.client, "GET", f"{self.api}/{kind}", params={"slug": term_slug})
        found = _checked(response)
        if found:
            return int(found[0]["id"])
        response = await call(
            self.client, "POST", f"{self.api}/{kind}", json={"name": name, "slug": term_slug}
        )
        body = _json(response)
        if response.status_code == 400 and body.get("code") == "term_exists":  # made meanwhile
            return int(body["data"]["term_id"])
        return int(_checked(response)["id"])

    async def _post(
        self,
        content: PostContent,
        media: list[dict[str, Any]],
        categories: list[int],
        tags: list[int],
        post_slug: str,
    ) -> dict[str, Any]:
        figures = "".join(
            f'<figure class="wp-block-image"><img src="{m["source_url"]}" alt=""/></figure>'
            for m in media[1:]
            if m.get("source_url")
        )
        response = await call(
            self.client,
            "POST",
            f"{self.api}/posts",
            json={
                "title": content.title,
                "content": content.web_body() + figures,
                "status": "publish",
                "slug": post_slug,
                "featured_media": media[0]["id"] if media else 0,
                "categories": categories,
                "tags": tags,
            },
        )
        body = _checked(response)
        return {"id": body["id"], "link": body["link"]}

    async def _find_post(self, post_slug: str) -> dict[str, Any] | None:
        response = await call(
            self.client,
            "GET",
            f"{self.api}/posts",
            params={"slug": post_slug, "status": ANY_STATUS, "context": "edit"},
        )
        found = _checked(response)
        return {"id": found[0]["id"], "link": found[0]["link"]} if found else None


def _raw_title(item: dict[str, Any]) -> str | None:
    title = item.get("title")
    return title.get("raw") if isinstance(title, dict) else title


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return {}


def _checked(response: httpx.Response) -> Any:
    body = _json(response)
    _raise_for(response, body)
    return body


def _raise_for(response: httpx.Response, body: Any) -> None:
    if response.is_success:
        return
    code = body.get("code", "") if isinstance(body, dict) else ""
    detail = f"{code}: {body.get('message', '')}" if isinstance(body, dict) else response.text
    by_status = status_error(response, detail[:300])
    if by_status is not None:
        raise by_status
    if code in ("rest_cannot_create", "rest_cannot_edit", "rest_forbidden"):
        raise PublishError("permission", detail)
    raise PublishError("invalid", f"HTTP {response.status_code} {detail}")

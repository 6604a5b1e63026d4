"""An Instagram professional account through Graph API content publishing.

Meta fetches each photo from a signed, expiring Warta URL (public_media). A container per photo
(carousel items, 2-10) and the carousel itself are made, their status polled until FINISHED,
the account's own publishing limit read (never assumed), then `media_publish`. A container
found PUBLISHED after a crash is not published again: its post is looked up instead.
Instagram's API cannot delete a post: a withdrawal is done by hand (the editor is told).
"""

from __future__ import annotations

import asyncio
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from bot.publishing.base import TIMEOUT, Posted, call
from bot.publishing.errors import PublishError
from bot.publishing.graph import checked
from bot.publishing.public_media import PublicMedia
from bot.publishing.steps import Steps
from handlers.targets import PostContent

CAPTION_MAX = 2200
HASHTAGS_MAX = 30
POLLS, POLL_EVERY = 10, 3.0  # ~30 s per attempt; an unfinished container waits for the next
RECENT = 10


class Instagram:
    name = "instagram"
    size = "instagram-feed-4x5"

    def __init__(
        self,
        user_id: str,
        token: str,
        api_url: str,
        version: str,
        public: PublicMedia,
        *,
        poll_every: float = POLL_EVERY,
        **httpx_kwargs: Any,
    ) -> None:
        self.user_id, self.public, self.poll_every = user_id, public, poll_every
        self.api = f"{api_url.rstrip('/')}/{version}"
        headers = {"Authorization": f"Bearer {token}"}  # never in a URL: httpx logs URLs
        self.client = httpx.AsyncClient(timeout=TIMEOUT, headers=headers, **httpx_kwargs)

    async def aclose(self) -> None:
        await self.client.aclose()

    async def publish(self, content: PostContent, photos: list[Path], steps: Steps) -> Posted:
        caption = caption_of(content)
        shas = [sha for _, sha in content.photos][:10]
        container = await self._container(shas, caption, steps)
        maybe_out = steps.progress.get("started") == "publish"  # then found, not checked again
        if steps.result("publish") is None and not maybe_out:
            await self._wait_finished(container, steps)
            await self._check_quota()
        media_id = await steps.take(
            "publish",
            lambda: self._publish(container),
            lambda: self._find_published(container, caption),
        )
        link = await steps.take("link", lambda: self._permalink(media_id))
        return Posted(str(media_id), str(link))

    async def remove(self, external_id: str) -> bool:
        return False  # the API offers no delete for Instagram media

    async def _container(self, shas: list[str], caption: str, steps: Steps) -> str:
        if len(shas) == 1:
            single = {"image_url": self.public.url(shas[0], self.size), "caption": caption}
            return str(await steps.take("container", lambda: self._create(single)))
        children = []
        for n, sha in enumerate(shas, 1):
            item = {"image_url": self.public.url(sha, self.size), "is_carousel_item": "true"}
            children.append(await steps.take(f"item-{n}", partial(self._create, item)))
        carousel = {"media_type": "CAROUSEL", "children": ",".join(children), "caption": caption}
        return str(await steps.take("container", lambda: self._create(carousel)))

    async def _create(self, params: dict[str, str]) -> str:
        response = await call(self.client, "POST", f"{self.api}/{self.user_id}/media", data=params)
        return str(checked(response)["id"])

    async def _status(self, container: str) -> str:
        response = await call(
            self.client, "GET", f"{self.api}/{container}", params={"fields": "status_code"}
        )
        return str(checked(response).get("status_code", ""))

    async def _wait_finished(self, container: str, steps: Steps) -> None:
        for poll in range(POLLS):
            status = await self._status(container)
            if status in ("FINISHED", "PUBLISHED"):
                return
            if status in ("ERROR", "EXPIRED"):  # made anew on the next attempt
                names = [
                    n for n in steps.progress["done"] if n == "container" or n.startswith("item-")
                ]
                await steps.forget(*names)
                raise PublishError("transient", f"container {container} {status}")
            if poll < POLLS - 1:
                await asyncio.sleep(self.poll_every)
        raise PublishError("transient", f"container {container} still {status}")

    async def _check_quota(self) -> None:
        response = await call(
            self.client,
            "GET",
            f"{self.api}/{self.user_id}/content_publishing_limit",
            params={"fields": "config,quota_usage"},
        )
        data = checked(response).get("data") or [{}]
        usage = int(data[0].get("quota_usage", 0) or 0)
        total = (data[0].get("config") or {}).get("quota_total")
        if total is not None and usage >= int(total):
            raise PublishError("quota", f"{usage} of {total} posts in 24 hours")

    async def _publish(self, container: str) -> str:
        response = await call(
            self.client,
            "POST",
            f"{self.api}/{self.user_id}/media_publish",
            data={"creation_id": container},
        )
        return str(checked(response)["id"])

    async def _find_published(self, container: str, caption: str) -> str | None:
        if await self._status(container) != "PUBLISHED":
            return None
        response = await call(
            self.client,
            "GET",
            f"{self.api}/{self.user_id}/media",
            params={"fields": "id,caption", "limit": str(RECENT)},
        )
        for media in checked(response).get("data", []):
            if media.get("caption") == caption:
                return str(media["id"])
        return None

    async def _permalink(self, media_id: str) -> str:
        response = await call(
            self.client, "GET", f"{self.api}/{media_id}", params={"fields": "permalink"}
        )
        return str(checked(response).get("permalink") or "https://www.instagram.com/")


def caption_of(content: PostContent) -> str:
    """Instagram allows 2,200 characters and 30 hashtags; the caption gives way, not the credit."""
    tags = content.hashtags[:HASHTAGS_MAX]
    tail = "\n\n".join(p for p in (" ".join(tags), content.credit, _link(content)) if p)
    room = CAPTION_MAX - len(tail) - 2
    caption = content.caption if len(content.caption) <= room else content.caption[: room - 1] + "…"
    return f"{caption}\n\n{tail}"


def _link(content: PostContent) -> str:
    return f"Selengkapnya: {content.website_url}" if content.website_url else ""

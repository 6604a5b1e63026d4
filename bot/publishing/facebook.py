"""A Facebook Page: the photos uploaded unpublished, then one post attaching them.

An unpublished photo is invisible, so that step is harmless to repeat. The post is the one
step that must not happen twice: after a crash the Page's recent posts are read for one with
the same text before posting again.
"""

from __future__ import annotations

import asyncio
import json
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from bot.publishing.base import TIMEOUT, Posted, call
from bot.publishing.graph import checked, is_gone
from bot.publishing.steps import Steps
from handlers.targets import PostContent

RECENT = 25  # posts read back when looking for one made before a crash


class FacebookPage:
    name = "facebook"
    size = "web"

    def __init__(
        self, page_id: str, token: str, api_url: str, version: str, **httpx_kwargs: Any
    ) -> None:
        self.page_id = page_id
        self.api = f"{api_url.rstrip('/')}/{version}"
        # The token in a header, never in the URL: httpx logs URLs.
        headers = {"Authorization": f"Bearer {token}"}
        self.client = httpx.AsyncClient(timeout=TIMEOUT, headers=headers, **httpx_kwargs)

    async def aclose(self) -> None:
        await self.client.aclose()

    async def publish(self, content: PostContent, photos: list[Path], steps: Steps) -> Posted:
        ids = []
        for n, path in enumerate(photos, 1):
            ids.append(await steps.take(f"photo-{n}", partial(self._upload, path)))
        message = content.social_text()
        post_id = await steps.take(
            "post", lambda: self._post(message, ids), lambda: self._find(message)
        )
        link = await steps.take("link", lambda: self._permalink(post_id))
        return Posted(str(post_id), str(link))

    async def remove(self, external_id: str) -> bool:
        response = await call(self.client, "DELETE", f"{self.api}/{external_id}")
        if not is_gone(response):
            checked(response)
        return True

    async def _upload(self, path: Path) -> str:
        data = await asyncio.to_thread(path.read_bytes)
        response = await call(
            self.client,
            "POST",
            f"{self.api}/{self.page_id}/photos",
            data={"published": "false"},
            files={"source": (path.name, data, "image/jpeg")},
        )
        return str(checked(response)["id"])

    async def _post(self, message: str, photo_ids: list[str]) -> str:
        data = {"message": message}
        for i, photo_id in enumerate(photo_ids):
            data[f"attached_media[{i}]"] = json.dumps({"media_fbid": photo_id})
        response = await call(self.client, "POST", f"{self.api}/{self.page_id}/feed", data=data)
        return str(checked(response)["id"])

    async def _find(self, message: str) -> str | None:
        response = await call(
            self.client,
            "GET",
            f"{self.api}/{self.page_id}/feed",
            params={"fields": "id,message", "limit": str(RECENT)},
        )
        for post in checked(response).get("data", []):
            if post.get("message") == message:
                return str(post["id"])
        return None

    async def _permalink(self, post_id: str) -> str:
        response = await call(
            self.client,
            "GET",
            f"{self.api}/{post_id}",
            params={"fields": "permalink_url"},
        )
        return str(checked(response).get("permalink_url") or f"https://www.facebook.com/{post_id}")

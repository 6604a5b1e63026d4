"""What every publishing target offers the worker."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx

from bot.publishing.errors import PublishError, from_status, from_transport
from bot.publishing.steps import Steps
from handlers.targets import PostContent

TIMEOUT = httpx.Timeout(60.0, connect=10.0)  # uploads of a few MB on a slow office line


@dataclass(frozen=True)
class Posted:
    external_id: str
    url: str


class Target(Protocol):
    name: str
    size: str  # the derivative it posts (storage.derivatives.SIZES)

    async def publish(self, content: PostContent, photos: list[Path], steps: Steps) -> Posted: ...

    async def remove(self, external_id: str) -> bool:
        """Take the post down; False when the platform does not allow it (done by hand)."""
        ...

    async def aclose(self) -> None: ...


async def call(client: httpx.AsyncClient, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """One request; transport failures become transient PublishErrors."""
    try:
        return await client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        raise from_transport(exc) from exc


def status_error(response: httpx.Response, detail: str) -> PublishError | None:
    return from_status(response.status_code, detail)

"""What a publishing call can fail with, in the words the editor is told (prompts: target.why_*)."""

from __future__ import annotations

import httpx

# transient: retried with backoff | token: expired or revoked | permission: not allowed to post |
# quota: the platform's daily limit (tried again at the next slot) | invalid: content refused
KINDS = ("transient", "token", "permission", "quota", "invalid")


class PublishError(Exception):
    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind, self.detail = kind, detail[:500]

    @property
    def transient(self) -> bool:
        return self.kind == "transient"


def from_transport(exc: httpx.HTTPError) -> PublishError:
    """No answer (refused, timed out, cut off): always worth another try."""
    return PublishError("transient", f"{type(exc).__name__}: {exc}")


def from_status(status: int, detail: str) -> PublishError | None:
    """The kind an HTTP status alone decides (None: the body must say)."""
    if status == 429 or status >= 500:
        return PublishError("transient", f"HTTP {status}: {detail}")
    if status == 401:
        return PublishError("token", f"HTTP {status}: {detail}")
    if status == 403:
        return PublishError("permission", f"HTTP {status}: {detail}")
    return None

"""Photos Meta fetches itself (Instagram takes media only from public URLs): served by Warta
at WARTA_PUBLIC_URL, under a signed address that expires, for the approved photos only.

    /terbit/<sha256 of the original>/<size>.jpg?until=<unix time>&sig=<HMAC-SHA256>
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from datetime import datetime, timedelta

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from storage.derivatives import SIZES, derivative_path
from storage.media import MediaStore

PATH = "/terbit/{sha256}/{size}.jpg"
SHA256 = re.compile(r"[0-9a-f]{64}")
SIZES_BY_NAME = {size.name: size for size in SIZES}
VALID_FOR = timedelta(hours=2)  # Meta fetches within minutes; a retry signs anew


class PublicMedia:
    def __init__(
        self, public_url: str, secret: str, media: MediaStore, clock: Callable[[], datetime]
    ) -> None:
        self.base, self.media, self.clock = public_url.rstrip("/"), media, clock
        # Its own key, derived: a leaked photo URL says nothing about the token behind it.
        self._key = hashlib.sha256(b"warta public media\0" + secret.encode()).digest()

    def url(self, sha256: str, size: str) -> str:
        until = int((self.clock() + VALID_FOR).timestamp())
        sig = self._sign(sha256, size, until)
        return f"{self.base}/terbit/{sha256}/{size}.jpg?until={until}&sig={sig}"

    def route(self) -> Route:
        return Route(PATH, self._serve, methods=["GET", "HEAD"])

    def _sign(self, sha256: str, size: str, until: int) -> str:
        message = f"{sha256}/{size}/{until}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    async def _serve(self, request: Request) -> Response:
        sha256, size = request.path_params["sha256"], request.path_params["size"]
        try:
            until = int(request.query_params.get("until", ""))
        except ValueError:
            return _refused()
        good = hmac.compare_digest(
            request.query_params.get("sig", ""), self._sign(sha256, size, until)
        )
        fresh = until >= self.clock().timestamp()
        if not (good and fresh and SHA256.fullmatch(sha256) and size in SIZES_BY_NAME):
            return _refused()
        path = derivative_path(self.media, sha256, SIZES_BY_NAME[size])
        if not path.exists():
            return PlainTextResponse("not found", status_code=404)
        return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": "private"})


def _refused() -> Response:
    return PlainTextResponse("forbidden", status_code=403)

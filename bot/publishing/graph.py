"""Meta's Graph API errors, as Facebook Pages and Instagram answer them."""

from __future__ import annotations

from typing import Any

import httpx

from bot.publishing.base import status_error
from bot.publishing.errors import PublishError

TOKEN_CODES = {190, 102, 463, 467}  # expired, invalid or revoked access token
PERMISSION_CODES = {10, *range(200, 300)}
TRANSIENT_CODES = {1, 2, 4, 17, 32, 341, 368, 613, 80001}  # Meta's side, or a rate limit
QUOTA_CODES = {9}  # Instagram: "application request limit reached" for publishing
GONE_SUBCODE = 33  # "Object ... does not exist": deleted already


def body_of(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def checked(response: httpx.Response) -> dict[str, Any]:
    body = body_of(response)
    if response.is_success and "error" not in body:
        return body
    raise graph_error(response, body)


def graph_error(response: httpx.Response, body: dict[str, Any]) -> PublishError:
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    assert isinstance(error, dict)
    code = int(error.get("code", 0) or 0)
    detail = f"({code}/{error.get('error_subcode', '-')}) {error.get('message', response.text)}"
    if code in TOKEN_CODES:
        return PublishError("token", detail)
    if code in PERMISSION_CODES:
        return PublishError("permission", detail)
    if code in QUOTA_CODES:
        return PublishError("quota", detail)
    if code in TRANSIENT_CODES or error.get("is_transient"):
        return PublishError("transient", detail)
    return status_error(response, detail) or PublishError("invalid", detail)


def is_gone(response: httpx.Response) -> bool:
    error = body_of(response).get("error") or {}
    return response.status_code == 404 or (
        isinstance(error, dict)
        and error.get("code") == 100
        and error.get("error_subcode") == GONE_SUBCODE
    )

"""The publishing targets the settings configure, each with its own HTTP client."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.publishing.base import Target
from bot.publishing.facebook import FacebookPage
from bot.publishing.instagram import Instagram
from bot.publishing.public_media import PublicMedia
from bot.publishing.wordpress import WordPress
from bot.settings import Settings
from storage.media import MediaStore


def build_targets(
    settings: Settings,
    media: MediaStore,
    clock: Callable[[], datetime],
    httpx_kwargs: dict[str, dict[str, Any]] | None = None,
) -> tuple[dict[str, Target], PublicMedia | None]:
    """The targets, and the signed photo links Instagram needs served (else None).
    httpx_kwargs per target name (tests give each a fake's transport)."""
    kwargs = httpx_kwargs or {}
    built: dict[str, Target] = {}
    public = None
    names = settings.publishing_targets
    if "website" in names:
        assert settings.wordpress_url and settings.wordpress_user
        assert settings.wordpress_app_password
        built["website"] = WordPress(
            settings.wordpress_url,
            settings.wordpress_user,
            settings.wordpress_app_password.get_secret_value(),
            **kwargs.get("website", {}),
        )
    if "facebook" in names:
        assert settings.facebook_page_id and settings.facebook_page_token
        built["facebook"] = FacebookPage(
            settings.facebook_page_id,
            settings.facebook_page_token.get_secret_value(),
            settings.graph_api_url,
            settings.graph_api_version,
            **kwargs.get("facebook", {}),
        )
    if "instagram" in names:
        assert settings.instagram_user_id and settings.instagram_token and settings.public_url
        token = settings.instagram_token.get_secret_value()
        public = PublicMedia(settings.public_url, token, media, clock)
        built["instagram"] = Instagram(
            settings.instagram_user_id,
            token,
            settings.graph_api_url,
            settings.graph_api_version,
            public,
            poll_every=settings.instagram_poll_seconds,
            **kwargs.get("instagram", {}),
        )
    return built, public

"""Settings from the environment and `.env`; built once and passed down."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from handlers.coach.places import region_name
from handlers.schedule import WEEKDAYS

ROOT = Path(__file__).resolve().parent.parent
# Telegram takes 1-256 characters of A-Za-z0-9_- as a webhook secret; we want a strong one.
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{32,256}")
PUBLIC_URL = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")
REGION_CODE = re.compile(r"[0-9]{2}(\.[0-9]{2}){0,2}")  # Kemendagri: province, kab/kota, kecamatan


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WARTA_", env_file=".env", extra="ignore")

    telegram_token: SecretStr | None = None
    # Public Bot API by default; point it at a self-hosted Bot API server (or the tests' fake).
    telegram_api_url: str = "https://api.telegram.org"
    telegram_bot_username: str | None = None
    # Webhook mode for larger deployments: Telegram posts updates to <public_url>/webhooks/telegram
    # with this secret in X-Telegram-Bot-Api-Secret-Token. Empty: polling.
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    # WhatsApp Cloud API (Meta). All four are needed to turn the channel on.
    whatsapp_phone_id: str | None = None
    whatsapp_token: SecretStr | None = None
    whatsapp_app_secret: SecretStr | None = None
    whatsapp_verify_token: SecretStr | None = None
    # The business number people write to, for wa.me invite links (digits, e.g. 6281234567890).
    whatsapp_number: str | None = None
    # Approved message templates, for people whose 24-hour window is closed.
    whatsapp_template_notify: str = "warta_pemberitahuan"
    whatsapp_template_reminder: str = "warta_pengingat"
    whatsapp_template_language: str = "id"
    # Messages per second from our number (Meta's default throughput is 80).
    whatsapp_rate: int = Field(default=80, ge=1)
    # Graph API base (for tests and proxies), like telegram_api_url.
    whatsapp_api_url: str = "https://graph.facebook.com"
    # The web server for webhooks and health (started when a webhook channel is configured).
    web_host: str = "0.0.0.0"
    web_port: int = Field(default=8080, ge=1, le=65535)
    # Webhook bodies processed at once (each runs the engine); more wait their turn, stored.
    webhook_concurrency: int = Field(default=8, ge=1)
    # Where people reach this server from outside, e.g. https://warta.bogorkota.go.id: the web
    # desk (/dasbor in chat sends a login link to it). Empty: no desk.
    public_url: str | None = None
    database_url: str = f"sqlite+aiosqlite:///{ROOT / 'data' / 'warta.db'}"
    media_dir: Path = ROOT / "data" / "media"
    prompts_dir: Path = ROOT / "prompts"
    # Touched by the running bot every few seconds; `warta health` reads it (Docker healthcheck).
    heartbeat_file: Path = ROOT / "data" / "heartbeat"
    timezone: str = "Asia/Jakarta"
    org_name: str = "Diskominfo"
    schedule: str = "kota-bogor"
    # The office's region as a Kemendagri code (32.71 Kota Bogor, 32.16 Kab. Bekasi): the caption
    # coach knows its kecamatan and desa/kelurahan by name, and only its own (a bare "Menteng"
    # is Bogor's, not Jakarta's). Empty: the units' names only.
    region_code: str | None = None
    # How a report's photos reach a newsroom group on Telegram: "sheet", one photo message with
    # all photos on it and the card as caption (a group takes ~20 messages a minute); "album",
    # the photos as an album and the card as its own message (2 to 11 messages).
    newsroom_photos: Literal["sheet", "album"] = "sheet"
    min_caption_chars: int = Field(default=20, ge=0)
    max_photo_mb: float = Field(default=20, gt=0)
    max_photo_megapixels: float = Field(default=50, gt=0)
    invite_days: int = Field(default=7, ge=1)
    # Photo checks: the operator is warned (and the card shows it); nothing is refused.
    min_photo_side: int = Field(default=800, ge=0)
    dark_below: float = Field(default=45, ge=0, le=255)
    blurry_below: float = Field(default=25, ge=0)
    old_photo_days: int = Field(default=7, ge=1)
    duplicate_bits: int = Field(default=6, ge=0, le=16)
    # How long to wait for the rest of an album before acknowledging it.
    album_wait_seconds: float = Field(default=1.5, ge=0)
    # Telegram allows about 20 messages a minute into one group; PTB's limiter paces to this.
    telegram_group_rate: int = Field(default=20, ge=1)
    # ... and about 30 messages a second across all chats.
    telegram_overall_rate: int = Field(default=30, ge=1)
    # The rhythm: local times in the organization's zone.
    reminder_time: time = time(7, 0)
    reminder_grace_until: time = time(10, 0)
    nudge_after_days: int = Field(default=3, ge=1)
    nudge_time: time = time(9, 0)
    stale_after_hours: float = Field(default=4, gt=0)
    weekly_report_day: str = "senin"
    weekly_report_time: time = time(8, 0)
    # The organization's official Telegram channel (@name or -100… id; the bot is an admin
    # there): approved reports are posted to it. Empty: nothing is published.
    publish_channel: str | None = None
    # The website, when it is WordPress: its address, a user allowed to publish and an
    # application password of that user (Users -> Profile -> Application Passwords).
    # Approved reports are posted there first; social posts link to it.
    wordpress_url: str | None = None
    wordpress_user: str | None = None
    wordpress_app_password: SecretStr | None = None
    # A Facebook Page: its id and a Page access token with pages_manage_posts.
    facebook_page_id: str | None = None
    facebook_page_token: SecretStr | None = None
    # An Instagram professional account: its id and a token with instagram_content_publish.
    # Needs WARTA_PUBLIC_URL: Meta fetches the photos from Warta (signed links that expire).
    instagram_user_id: str | None = None
    instagram_token: SecretStr | None = None
    instagram_poll_seconds: float = Field(default=3.0, ge=0)
    # Graph API base and version for Facebook (tests and proxies point the base elsewhere).
    graph_api_url: str = "https://graph.facebook.com"
    graph_api_version: str = "v23.0"
    # Letterhead of the weekly PDF.
    org_address: str = ""
    org_logo: Path | None = None
    log_level: str = "INFO"
    # The outbox gives a message up only when it is this old (an outage of hours loses nothing).
    outbox_give_up_hours: float = Field(default=36, gt=0)
    # This process's name on what it claims; empty: host + data folder + a free slot, the same
    # after a restart (so a restart takes back what a killed run had claimed at once).
    worker_id: str | None = None
    # /health and the heartbeat turn unhealthy below this much free disk (data and media).
    min_free_disk_mb: int = Field(default=100, ge=0)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}, e.g. Asia/Jakarta") from exc
        return value

    @field_validator("public_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if not value:
            return None
        # Only an origin: the desk's routes, cookies and redirects live at the root.
        if not PUBLIC_URL.fullmatch(value.rstrip("/")):
            raise ValueError(
                f"WARTA_PUBLIC_URL {value!r}: tulis alamatnya saja, tanpa jalur, "
                "mis. https://warta.bogorkota.go.id"
            )
        return value.rstrip("/")

    @field_validator("region_code")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        code = (value or "").strip()
        if not code:
            return None
        if not REGION_CODE.fullmatch(code) or region_name(code) is None:
            raise ValueError(
                f"WARTA_REGION_CODE {value!r}: tulis kode wilayah Kemendagri yang ada, "
                "mis. 32.71 (Kota Bogor) atau 32.16 (Kabupaten Bekasi)"
            )
        return code

    @field_validator("weekly_report_day")
    @classmethod
    def _known_day(cls, value: str) -> str:
        if value.lower() not in WEEKDAYS:
            raise ValueError(f"unknown day {value!r}, use one of {', '.join(WEEKDAYS)}")
        return value.lower()

    @model_validator(mode="after")
    def _webhook_has_secret(self) -> Settings:
        # Without it the route would not be mounted and every update would be lost to 404s.
        secret = self.telegram_webhook_secret
        if self.telegram_webhook_url and not (
            secret and WEBHOOK_SECRET.fullmatch(secret.get_secret_value())
        ):
            raise ValueError(
                "WARTA_TELEGRAM_WEBHOOK_URL perlu WARTA_TELEGRAM_WEBHOOK_SECRET: 32-256 karakter "
                "huruf, angka, _ atau - (buat dengan: python3 -c "
                "'import secrets; print(secrets.token_urlsafe(32))')"
            )
        return self

    @property
    def whatsapp_enabled(self) -> bool:
        return bool(
            self.whatsapp_phone_id
            and self.whatsapp_token
            and self.whatsapp_app_secret
            and self.whatsapp_verify_token
        )

    @property
    def publishing_targets(self) -> tuple[str, ...]:
        """The targets whose settings are complete (a half-configured one is not used)."""
        found = []
        if self.wordpress_url and self.wordpress_user and self.wordpress_app_password:
            found.append("website")
        if self.facebook_page_id and self.facebook_page_token:
            found.append("facebook")
        if self.instagram_user_id and self.instagram_token and self.public_url:
            found.append("instagram")
        return tuple(found)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

"""What the core needs to know, built once by the process from its settings."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from handlers.schedule import Reason, Schedule
from handlers.texts import Texts
from storage.media import MediaStore


@dataclass(frozen=True)
class Limits:
    min_caption_chars: int = 20
    max_photo_bytes: int = 20 * 1024 * 1024
    max_pixels: int = 50_000_000
    max_photos: int = 10
    invite_days: int = 7
    album_wait: float = 1.5


@dataclass
class Core:
    """Shared, read-mostly parts: texts, schedule, reasons, media, limits, org defaults."""

    texts: Texts
    schedule: Schedule
    reasons: tuple[Reason, ...]
    media: MediaStore
    tz: ZoneInfo
    org_name: str
    limits: Limits

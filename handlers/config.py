"""What the core needs to know, built once by the process from its settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo

from handlers.caption_coach import Coaching
from handlers.schedule import Reason, Schedule
from handlers.texts import Texts
from handlers.workdays import Workdays
from storage.media import MediaStore


@dataclass(frozen=True)
class Limits:
    min_caption_chars: int = 20
    max_photo_bytes: int = 20 * 1024 * 1024
    max_pixels: int = 50_000_000
    max_photos: int = 10
    invite_days: int = 7
    album_wait: float = 1.5
    # Checks that warn the operator (and show on the card); they never refuse a photo.
    min_photo_side: int = 800
    dark_below: float = 45  # mean brightness, 0-255
    blurry_below: float = 25  # edge strength (variance of the Laplacian at 512 px)
    old_photo_days: int = 7
    duplicate_bits: int = 6  # perceptual hashes this close are the same photo


@dataclass(frozen=True)
class Rhythm:
    """When Warta speaks by itself; times are local to the organization."""

    reminder_time: time = time(7, 0)
    grace_until: time = time(10, 0)  # a reminder missed while down is still sent until then
    nudge_after_days: int = 3  # working days without a report before a unit is nudged
    nudge_time: time = time(9, 0)
    stale_after_hours: float = 4  # working hours a report may wait for a decision
    weekly_weekday: int = 0  # Monday
    weekly_time: time = time(8, 0)


@dataclass(frozen=True)
class Letterhead:
    """What the weekly PDF carries at the top: the organization's name, address and logo."""

    name: str
    address: str = ""
    logo: Path | None = None


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
    rhythm: Rhythm = field(default_factory=Rhythm)
    letterhead: Letterhead | None = None
    reports_dir: Path | None = None  # where weekly report files are written
    publish_to: tuple[str, str] | None = None  # (channel, chat) of the official channel
    targets: tuple[str, ...] = ()  # publishing targets configured: website, facebook, instagram
    public_url: str | None = None  # the web desk's address (no trailing slash); None: no desk
    # The caption coach's word lists and the region's place names, loaded once.
    coaching: Coaching = field(default_factory=Coaching.load)
    newsroom_sheet: bool = True  # Telegram newsrooms get one photo message per card

    @property
    def workdays(self) -> Workdays:
        return Workdays(self.schedule, self.tz)

"""SQLAlchemy models. Every time is stored in UTC; the organization's zone is for display."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite returns naive values otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Role(enum.StrEnum):
    OPERATOR = "operator"
    EDITOR = "editor"
    COORDINATOR = "coordinator"


class ReportStatus(enum.StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    APPROVED = "approved"
    REVISION = "revision"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    WITHDRAWN = "withdrawn"  # approved and published, then taken back


class DraftStep(enum.StrEnum):
    PHOTOS = "photos"
    CAPTION = "caption"
    PILLAR = "pillar"
    PREVIEW = "preview"
    NEW_CAPTION = "new_caption"  # Ubah -> Keterangan: the next text replaces the caption


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(
        cls,
        native_enum=False,
        length=16,
        values_callable=lambda e: [m.value for m in e],
    )


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Jakarta")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Unit(Base):
    """A kecamatan, OPD or other office whose admins report."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("org_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), default="kecamatan")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # An archived unit leaves lists, recaps, nudges and invites; its past reports stay.
    archived_at: Mapped[datetime | None]
    # Set when the unit was merged: its members and reports moved to that unit.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))


class Member(Base):
    """A person. Channel addresses hang off it, so one person can use several channels."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    role: Mapped[Role] = mapped_column(_enum(Role))
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    # Operators can turn their nudges off (/pengingat mati) and on again.
    reminders_on: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Who switched the person off and when (active is False); their history stays.
    deactivated_at: Mapped[datetime | None]
    deactivated_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))


class Contact(Base):
    """A channel address of a member, e.g. telegram:12345, and the chat to reach them in."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(64))
    # WhatsApp: the last message from this person opens a 24-hour window for free-form replies.
    last_inbound_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Invite(Base):
    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    role: Mapped[Role] = mapped_column(_enum(Role))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    max_uses: Mapped[int] = mapped_column(default=1)
    uses: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    # A link code: whoever uses it becomes another address of this member (e.g. WhatsApp).
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    # A transfer code: the new address replaces the member's address on that channel.
    transfer: Mapped[bool] = mapped_column(default=False, server_default=false())
    revoked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BoundChat(Base):
    """A group chat bound to a purpose, e.g. the newsroom where cards are posted."""

    __tablename__ = "bound_chats"
    __table_args__ = (UniqueConstraint("org_id", "purpose", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    purpose: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200), default="")
    bound_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportCounter(Base):
    """Per-organization, per-year sequence behind report numbers like #2026-0123."""

    __tablename__ = "report_counters"

    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(default=0)


SUBMITTED_ONLY = "status NOT IN ('draft', 'cancelled')"


class Report(Base):
    """One version of a report. A draft is a report in status draft; revisions are new rows."""

    __tablename__ = "reports"
    __table_args__ = (
        Index("ix_reports_member_status", "member_id", "status"),
        Index("ix_reports_org_number", "org_id", "number"),
        # Versions of one report share its number; two processes must never submit one twice.
        Index(
            "uq_reports_submitted_version",
            "org_id",
            "number",
            "version",
            unique=True,
            sqlite_where=text(SUBMITTED_ONLY),
            postgresql_where=text(SUBMITTED_ONLY),
        ),
        Index("ix_reports_settle", "settle_at"),
        # The desk's lists: by state, newest first; versions of one report.
        Index("ix_reports_org_status_submitted", "org_id", "status", "submitted_at"),
        Index("ix_reports_org_submitted", "org_id", "submitted_at"),
        Index("ix_reports_revision_of", "revision_of_id"),
        Index("ix_reports_unit_submitted", "unit_id", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[ReportStatus] = mapped_column(_enum(ReportStatus), default=ReportStatus.DRAFT)
    step: Mapped[DraftStep] = mapped_column(_enum(DraftStep), default=DraftStep.PHOTOS)
    number: Mapped[str | None] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(default=1)
    revision_of_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    caption: Mapped[str] = mapped_column(Text, default="")
    pillar_key: Mapped[str | None] = mapped_column(String(64))
    pillar_name: Mapped[str | None] = mapped_column(String(100))
    replaced_photos: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    consent_at: Mapped[datetime | None]  # the operator confirmed the pillar's consent question
    published_chat: Mapped[str | None] = mapped_column(String(64))
    published_ids: Mapped[list[Any] | None]  # message ids of the channel post (album)
    published_at: Mapped[datetime | None]
    # Draft bookkeeping that must survive a kill. content_seq grows with every change the
    # operator makes; preview buttons carry it, so an older preview cannot send newer content.
    content_seq: Mapped[int] = mapped_column(default=0, server_default="0")
    # Text sent at the preview, waiting for "replace the caption with this?".
    proposed_caption: Mapped[str | None] = mapped_column(Text)
    # When the album being received is complete enough to acknowledge (items stop arriving).
    settle_at: Mapped[datetime | None]
    # Photos past the per-report limit, told once when the album is acknowledged.
    dropped_photos: Mapped[int] = mapped_column(default=0, server_default="0")


class Photo(Base):
    """A photo of a report; the file lives content-addressed (sha256) in the media folder."""

    __tablename__ = "photos"
    __table_args__ = (UniqueConstraint("report_id", "source_unique_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    path: Mapped[str] = mapped_column(String(300))
    mime: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    width: Mapped[int]
    height: Mapped[int]
    taken_at: Mapped[datetime | None]
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    source_channel: Mapped[str] = mapped_column(String(16))
    source_ref: Mapped[str] = mapped_column(String(256))
    source_unique_id: Mapped[str] = mapped_column(String(128))
    source_kind: Mapped[str] = mapped_column(String(16))
    media_group_id: Mapped[str | None] = mapped_column(String(64))
    dhash: Mapped[str | None] = mapped_column(String(16))  # perceptual hash (duplicates)
    # What the operator was warned about and the card shows: [{"code": "dark"}, ...]
    warnings: Mapped[list[Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PhotoHashBand(Base):
    """A band of a photo's perceptual hash (storage/photo_search.py says which bits, and why
    near duplicates share one closely). The org and the whole hash are copied here so that a
    search reads this index alone; a photo's org never changes."""

    __tablename__ = "photo_hash_bands"
    __table_args__ = (
        Index("ix_photo_hash_bands_lookup", "org_id", "band", "value", "dhash", "photo_id"),
    )

    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id"), primary_key=True)
    band: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    value: Mapped[int]
    dhash: Mapped[str] = mapped_column(String(16))


class ReportEvent(Base):
    """Audit trail: every state change, who made it, when, and why."""

    __tablename__ = "report_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # Where it was done: "telegram", "whatsapp", "web" (None: before the desk existed).
    via: Mapped[str | None] = mapped_column(String(16))


class CaptionFix(Base):
    """An editor's fix of a pending report's caption, before deciding: the caption it replaced
    and the one it became. The report keeps one row (its number, version and cards stay); the
    fixes are the caption's history within that version, in id order."""

    __tablename__ = "caption_fixes"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    editor_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    before: Mapped[str] = mapped_column(Text)
    after: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    via: Mapped[str | None] = mapped_column(String(16))  # telegram, whatsapp, web


class PendingReason(Base):
    """An editor was asked to type a reason; their next reply in that chat answers it."""

    __tablename__ = "pending_reasons"
    __table_args__ = (UniqueConstraint("member_id", "chat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    chat_id: Mapped[str] = mapped_column(String(64))
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"))
    action: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InboxEntry(Base):
    """Seen inbound deliveries; the unique key drops a redelivered update before any work."""

    __tablename__ = "inbox"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(128))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxMessage(Base):
    """Something the bot owes a chat. Sent in id order per chat, retried until it goes out."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "status", "channel", "chat_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    ref: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(128))  # a worker identity
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    # Given up on (status failed): when, and why in one word (see storage.outbox.FAILURES).
    failed_at: Mapped[datetime | None]
    failure: Mapped[str | None] = mapped_column(String(16))


class SentMessage(Base):
    """Platform message ids of what the outbox sent under a ref, so it can be edited later."""

    __tablename__ = "sent_messages"
    __table_args__ = (UniqueConstraint("ref", "channel", "chat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Subscription(Base):
    """A chat that gets the morning pillar reminder, at a time stored as minutes after 00:00 UTC."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("channel", "chat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200), default="")
    utc_minute: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)
    ended_reason: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ScheduledSend(Base):
    """A claim on something Warta sends by itself: its unique key makes it happen once.

    kind: reminder | nudge | stale | weekly; target: what it is for (a chat, a unit, a report);
    period: the local day or week it belongs to. Inserted in the same transaction as the
    outbox rows, so two processes (or a restart) can never send it twice.
    """

    __tablename__ = "scheduled_sends"
    __table_args__ = (UniqueConstraint("kind", "target", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(96))
    period: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16))  # sent | skipped
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ReceivedWebhook(Base):
    """A webhook body stored before it is answered 200, then processed; survives a crash."""

    __tablename__ = "received_webhooks"
    __table_args__ = (Index("ix_received_webhooks_open", "processed_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]
    # Taken by a backlog sweep (a worker identity, until when), so two processes never both do.
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    claimed_until: Mapped[datetime | None]


class DeliveryReceipt(Base):
    """A platform message id of something the outbox sent, and the latest status reported."""

    __tablename__ = "delivery_receipts"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(128))
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="accepted")
    error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class KeyValue(Base):
    """Small process facts that must survive restarts (e.g. the bot's username)."""

    __tablename__ = "key_values"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ChatWindow(Base):
    """WhatsApp: when a chat last wrote to us, which allows free-form replies for 24 hours.
    Kept per chat, not per member, so a stranger's first message opens it too."""

    __tablename__ = "chat_windows"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    opened_at: Mapped[datetime]


class LoginLink(Base):
    """A one-time desk login sent in chat (/dasbor). Only the code's hash is kept; it is
    spent by the confirm button (a POST), never by opening the link."""

    __tablename__ = "login_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    next_path: Mapped[str] = mapped_column(String(300), default="/dasbor")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class DeskSession(Base):
    """A signed-in browser. The cookie carries a random token; only its hash is kept."""

    __tablename__ = "desk_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class PublicationStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting for its slot (or for the website post it links to)
    PUBLISHED = "published"
    FAILED = "failed"  # a permanent error: the editor was told what to do
    CANCELLED = "cancelled"  # withdrawn before it went out
    REMOVING = "removing"  # withdrawn after it went out: the post is being taken down
    REMOVED = "removed"
    REMOVE_BY_HAND = "by_hand"  # the platform cannot delete (Instagram): the editor was told


class Publication(Base):
    """One approved report on one publishing target (website, Facebook, Instagram).

    `progress` records every step before and after it is taken (storage.publications), so a
    crash between "created" and "recorded" resumes without a second post."""

    __tablename__ = "publications"
    __table_args__ = (
        UniqueConstraint("report_id", "target"),
        Index("ix_publications_due", "status", "next_try_at"),
        Index("ix_publications_slot", "org_id", "target", "slot_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    target: Mapped[str] = mapped_column(String(16))
    status: Mapped[PublicationStatus] = mapped_column(
        _enum(PublicationStatus), default=PublicationStatus.QUEUED
    )
    slot_at: Mapped[datetime]  # when it may go out (an editor's "now" moves it)
    next_try_at: Mapped[datetime]  # slot_at, or later after a transient error
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    claimed_until: Mapped[datetime | None]
    progress: Mapped[dict[str, Any]] = mapped_column(default=dict)
    url: Mapped[str | None] = mapped_column(String(500))
    external_id: Mapped[str | None] = mapped_column(String(128))
    error_kind: Mapped[str | None] = mapped_column(String(16))
    error_text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    # Withdrawn while it was being posted: the worker finishes the post, then takes it down.
    withdrawn_at: Mapped[datetime | None]
    removed_at: Mapped[datetime | None]


__all__ = [
    "Base",
    "BoundChat",
    "CaptionFix",
    "ChatWindow",
    "Contact",
    "DeliveryReceipt",
    "DeskSession",
    "DraftStep",
    "InboxEntry",
    "Invite",
    "KeyValue",
    "LoginLink",
    "Member",
    "Organization",
    "OutboxMessage",
    "PendingReason",
    "Photo",
    "PhotoHashBand",
    "Publication",
    "PublicationStatus",
    "ReceivedWebhook",
    "Report",
    "ReportCounter",
    "ReportEvent",
    "ReportStatus",
    "Role",
    "ScheduledSend",
    "SentMessage",
    "Subscription",
    "Unit",
    "utcnow",
]

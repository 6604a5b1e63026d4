"""The normalized inbound event every channel adapter produces."""

from __future__ import annotations

from dataclasses import dataclass, field

from storage.media import ImageInfo, StoredFile
from storage.photo_checks import Look


@dataclass(frozen=True)
class Media:
    """A file attached to a message, as the channel describes it (not downloaded yet)."""

    kind: str  # photo | document | video | audio | voice | sticker | animation | other
    ref: str  # the channel's id for fetching it
    unique_id: str  # stable across redeliveries and bots
    mime: str | None = None
    size: int | None = None
    file_name: str | None = None


@dataclass
class FetchedMedia:
    """What came of fetching and checking one Media: a stored photo, or a problem code."""

    media: Media
    stored: StoredFile | None = None
    info: ImageInfo | None = None
    look: Look | None = None
    problem: str | None = None
    detail: dict[str, object] = field(default_factory=dict)
    # Numbers of sent reports with a near-identical photo, nearest first; None: not searched.
    earlier: list[str] | None = None


@dataclass
class InboundEvent:
    channel: str
    event_id: str  # unique per delivery on this channel (update_id, wamid)
    sender: str  # the person's address on the channel
    sender_name: str
    chat_id: str
    is_private: bool
    chat_title: str = ""
    text: str = ""  # message text or media caption
    command: str | None = None
    args: list[str] = field(default_factory=list)
    media: list[Media] = field(default_factory=list)
    media_group_id: str | None = None
    callback_id: str | None = None
    callback_data: str | None = None
    message_id: str | None = None  # the message a button sat on
    reply_to_bot: bool = False
    bot_removed: bool = False
    bot_added: bool = False  # the bot was added to this group
    moved_to: str | None = None  # the group's new chat id after becoming a supergroup
    opens_window: bool = False  # WhatsApp: the person wrote, free-form replies allowed for 24 h
    # What the message is when it is not text or media: location, contact, sticker, dice, poll
    # (channel-neutral words). Such messages never become a caption.
    kind: str = "text"
    edited: bool = False  # the person edited an earlier message (Telegram edited_message, WA edit)
    fetched: list[FetchedMedia] = field(default_factory=list)
    # An album's items merged into this event (handlers/album_batch.py): the other updates'
    # ids, and for each media the id of the update it came with.
    also: list[str] = field(default_factory=list)
    media_from: list[str] = field(default_factory=list)
    text_from: str | None = None  # the update the merged event's text came with

    @property
    def address(self) -> str:
        return f"{self.channel}:{self.sender}"

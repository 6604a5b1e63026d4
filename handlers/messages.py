"""What handlers ask a channel to send. Plain data, so it can wait in the outbox as JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class T:
    """One piece of text: a key in prompts/<lang>.toml and its placeholders."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


def t(key: str, **params: Any) -> T:
    return T(key, params)


def raw(text: str) -> T:
    """User or data text shown as is (escaped by the adapter)."""
    return T("raw", {"text": text})


@dataclass(frozen=True)
class Button:
    label: T
    data: str | None = None  # callback data: ids only, at most 64 bytes
    url: str | None = None


@dataclass(frozen=True)
class PhotoRef:
    path: str
    source_channel: str
    source_ref: str
    source_kind: str


@dataclass(frozen=True)
class Template:
    """An approved WhatsApp template: the only thing that reaches a person whose 24-hour window
    is closed. name is a key (notify, reminder) the configuration maps to Meta's template."""

    name: str
    params: list[T]
    type: str = "template"


@dataclass(frozen=True)
class Text:
    lines: list[T]
    buttons: list[list[Button]] = field(default_factory=list)
    force_reply: bool = False
    fallback: Template | None = None  # sent instead where free text may not go (WhatsApp)
    type: str = "text"


@dataclass(frozen=True)
class Album:
    photos: list[PhotoRef]
    caption: list[T] = field(default_factory=list)
    type: str = "album"


@dataclass(frozen=True)
class Card:
    """A report's card as one photo message: its photo, or a contact sheet of all its photos
    made when sent, with the card's text as caption and its buttons (a group's messages a
    minute are few). marks[i] labels photo i on the sheet ("new": this version added it)."""

    photos: list[PhotoRef]
    lines: list[T]
    buttons: list[list[Button]] = field(default_factory=list)
    marks: list[str] = field(default_factory=list)
    type: str = "card"


@dataclass(frozen=True)
class Edit:
    """Replace the text and buttons of an earlier message, found by message id or outbox ref."""

    lines: list[T]
    buttons: list[list[Button]] = field(default_factory=list)
    message_id: str | None = None
    ref: str | None = None
    caption: bool = False  # the message is a photo (a Card): its caption is edited
    type: str = "edit"


@dataclass(frozen=True)
class File:
    """A file Warta made (a chart, a spreadsheet, a PDF), sent as a photo or a document."""

    path: str
    filename: str
    caption: list[T] = field(default_factory=list)
    as_photo: bool = False
    type: str = "file"


@dataclass(frozen=True)
class Delete:
    """Take messages back (a withdrawn channel post)."""

    message_ids: list[str]
    type: str = "delete"


Outgoing = Text | Album | Card | Edit | File | Template | Delete


def template_for(message: Outgoing) -> Template | None:
    """What to send instead where only a template may go (a closed WhatsApp window)."""
    if isinstance(message, Template):
        return message
    if isinstance(message, Text):
        return message.fallback or Template("notify", message.lines)
    if isinstance(message, Delete):
        return None
    lines = message.caption if isinstance(message, Album | File) else message.lines
    return Template("notify", lines) if lines else None


MAX_RESENDS = 3


def send_again(payload: dict[str, Any], failure: str | None) -> dict[str, Any] | None:
    """What to queue for a message that failed, if anything: a template where the WhatsApp
    window had closed ("window"), the same message a few times more ("transient")."""
    if failure == "window" and payload.get("type") != "template":
        instead = template_for(from_payload(payload))
        return to_payload(instead) if instead is not None else None
    resent = int(payload.get("resent", 0))
    if failure == "transient" and resent < MAX_RESENDS:
        return {**payload, "resent": resent + 1}
    return None


def to_payload(message: Outgoing) -> dict[str, Any]:
    return asdict(message)


def from_payload(payload: dict[str, Any]) -> Outgoing:
    kind = payload["type"]
    if kind == "album":
        return Album(
            photos=[PhotoRef(**p) for p in payload["photos"]],
            caption=_lines(payload["caption"]),
        )
    if kind == "template":
        return _template(payload)
    if kind == "card":
        return Card(
            photos=[PhotoRef(**p) for p in payload["photos"]],
            lines=_lines(payload["lines"]),
            buttons=[[_button(b) for b in row] for row in payload.get("buttons", [])],
            marks=[str(m) for m in payload.get("marks", [])],
        )
    if kind == "delete":
        return Delete([str(i) for i in payload["message_ids"]])
    if kind == "file":
        return File(
            payload["path"],
            payload["filename"],
            _lines(payload["caption"]),
            bool(payload.get("as_photo")),
        )
    buttons = [[_button(b) for b in row] for row in payload.get("buttons", [])]
    if kind == "edit":
        return Edit(
            _lines(payload["lines"]),
            buttons,
            payload.get("message_id"),
            payload.get("ref"),
            bool(payload.get("caption")),
        )
    fallback = payload.get("fallback")
    return Text(
        _lines(payload["lines"]),
        buttons,
        bool(payload.get("force_reply")),
        _template(fallback) if fallback else None,
    )


def _template(payload: dict[str, Any]) -> Template:
    return Template(payload["name"], _lines(payload["params"]))


def _lines(items: list[dict[str, Any]]) -> list[T]:
    return [T(i["key"], i.get("params", {})) for i in items]


def _button(item: dict[str, Any]) -> Button:
    label = item["label"]
    return Button(T(label["key"], label.get("params", {})), item.get("data"), item.get("url"))

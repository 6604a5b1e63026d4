"""What people type, made safe to keep: no invisible-only captions, no NUL bytes."""

from __future__ import annotations

import unicodedata

# Characters that look like nothing but are not in Unicode's invisible categories: the Hangul
# fillers and the blank Braille pattern are used to send "empty" messages.
_BLANK_LOOKING = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Zs", "Zl", "Zp"}
# Controls kept inside text: line breaks and tabs are how people lay out a caption.
_KEPT_CONTROLS = {"\n", "\t"}


def is_blank(text: str) -> bool:
    """True when nothing in the text would be visible on a phone."""
    return all(_invisible(ch) for ch in text)


def tidy(text: str) -> str:
    """The text as Warta keeps it: '' if nothing is visible, else without control characters
    (NUL is refused by PostgreSQL) and without invisible characters at either end."""
    if is_blank(text):
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch in _KEPT_CONTROLS or unicodedata.category(ch) != "Cc")
    start, end = 0, len(text)
    while start < end and _invisible(text[start]):
        start += 1
    while end > start and _invisible(text[end - 1]):
        end -= 1
    return text[start:end]


def _invisible(ch: str) -> bool:
    return ch in _BLANK_LOOKING or unicodedata.category(ch) in _INVISIBLE_CATEGORIES

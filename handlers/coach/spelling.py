"""Spelling toward the standard form (PUEBI/KBBI), keeping the writer's case."""

from __future__ import annotations

import re
from dataclasses import dataclass

from handlers.coach.lexicon import Lexicon
from handlers.coach.words import Word, words_of

# ibu2 → ibu-ibu: PUEBI writes reduplication with a hyphen, never the digit 2.
_REDUPLICATION = re.compile(r"([a-z]{3,})2")


@dataclass(frozen=True)
class Fix:
    wrong: str
    right: str
    start: int
    end: int


def find_fixes(caption: str, lex: Lexicon) -> tuple[Fix, ...]:
    words = words_of(caption)
    lows = [w.low for w in words]
    allowed = {i for span in lex.allowlist.spans(lows) for i in span}
    shouting = not any(ch.islower() for ch in caption)
    fixes = []
    for i, word in enumerate(words):
        right = None if i in allowed else _standard_form(word, lex, shouting)
        if right is not None:
            fixes.append(Fix(word.text, keep_case(word.text, right), word.start, word.end))
    return tuple(fixes)


def _standard_form(word: Word, lex: Lexicon, shouting: bool) -> str | None:
    if word.low in lex.spelling:
        return lex.spelling[word.low]
    if word.low in lex.abbreviations:
        # In a mixed-case caption an all-caps "PD" or "SDH" is an acronym, not chat shorthand.
        acronym = len(word.text) > 1 and word.text.isupper() and not shouting
        return None if acronym else lex.abbreviations[word.low]
    m = _REDUPLICATION.fullmatch(word.low)
    return f"{m[1]}-{m[1]}" if m else None


def keep_case(wrong: str, right: str) -> str:
    """SILAHKAN → SILAKAN, Silahkan → Silakan, silahkan → silakan."""
    if len(wrong) > 1 and wrong.isupper():
        return right.upper()
    if wrong[:1].isupper():
        return right[:1].upper() + right[1:]
    return right


def apply_fixes(caption: str, fixes: tuple[Fix, ...]) -> str:
    """The caption with each fix in place; everything between them untouched."""
    pieces, at = [], 0
    for fix in sorted(fixes, key=lambda f: f.start):
        pieces += [caption[at : fix.start], fix.right]
        at = fix.end
    return "".join([*pieces, caption[at:]])

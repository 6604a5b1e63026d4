"""Caption coach: which 5W1H elements a caption states and which words to spell the standard way.

Pure and offline: no model, no network, the same on every channel. It suggests, never refuses;
the preview shows advice_line() and a "Perbaiki ejaan" button can apply_fixes(). The rules are in
handlers/coach/, the word lists in prompts/caption_coach.toml.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from handlers.coach.elements import ELEMENTS, found_elements
from handlers.coach.lexicon import DEFAULT_PATH, Lexicon, load_lexicon
from handlers.coach.places import Places
from handlers.coach.spelling import Fix, apply_fixes, find_fixes
from handlers.messages import T, t
from handlers.texts import Texts

__all__ = [
    "ELEMENTS",
    "Advice",
    "Coaching",
    "Fix",
    "Places",
    "advice_line",
    "apply_fixes",
    "coach",
    "element_names",
    "find_fixes",
]

# The preview is one line: the most telling gaps first, at most this many of each kind.
PRIORITY = ("apa", "kapan", "di_mana", "siapa", "mengapa", "bagaimana")
SHOWN = 3

ELEMENT_NAMES = {
    "apa": t("coach.element.apa"),
    "siapa": t("coach.element.siapa"),
    "kapan": t("coach.element.kapan"),
    "di_mana": t("coach.element.di_mana"),
    "mengapa": t("coach.element.mengapa"),
    "bagaimana": t("coach.element.bagaimana"),
}


@dataclass(frozen=True)
class Advice:
    found: frozenset[str]
    fixes: tuple[Fix, ...]

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(e for e in ELEMENTS if e not in self.found)


@dataclass(frozen=True)
class Coaching:
    """What the coach needs from the process, loaded once at startup: the word lists and the
    region's place names (about 200 ms to index), without the units, which change meanwhile."""

    lexicon: Lexicon
    region: Places
    # (org id, units version) -> (monotonic time, region with the units): handlers/caption_advice.py
    with_units: dict[tuple[int, int], tuple[float, Places]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def load(cls, words: Path = DEFAULT_PATH, region: str | None = None) -> Coaching:
        return cls(load_lexicon(words), Places.of(region))


def coach(caption: str, places: Places, lexicon: Lexicon | None = None) -> Advice:
    lex = lexicon or load_lexicon()
    fixes = find_fixes(caption, lex)
    # Elements are read from the fixed caption, so "utk mencegah" counts as a purpose.
    return Advice(found_elements(apply_fixes(caption, fixes), lex, places), fixes)


def advice_line(advice: Advice, texts: Texts) -> T | None:
    """One line for the preview: "Saran: tambahkan *kapan*. Ejaan: silahkan → silakan"."""
    elements = element_names(advice, texts, SHOWN)
    fixes = _fixes_text(advice.fixes, texts)
    if elements and fixes:
        return t("coach.both", elements=elements, fixes=fixes)
    if elements:
        return t("coach.missing", elements=elements)
    if fixes:
        return t("coach.spelling", fixes=fixes)
    return None


def element_names(advice: Advice, texts: Texts, shown: int | None = None) -> str:
    """The missing elements, the most telling first: "kapan, di mana"."""
    missing = sorted(advice.missing, key=PRIORITY.index)[:shown]
    return ", ".join(texts.render(ELEMENT_NAMES[e]) for e in missing)


def _fixes_text(fixes: tuple[Fix, ...], texts: Texts) -> str:
    unique = list(dict.fromkeys((f.wrong, f.right) for f in fixes))
    shown = ", ".join(texts.render(t("coach.fix", wrong=w, right=r)) for w, r in unique[:SHOWN])
    if len(unique) > SHOWN:
        shown += texts.render(t("coach.more", count=len(unique) - SHOWN))
    return shown

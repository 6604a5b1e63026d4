"""Caption coach: which 5W1H elements a caption states and which words to spell the standard way.

Pure and offline: no model, no network, the same on every channel. It suggests, never refuses;
the preview shows advice_line() and a "Perbaiki ejaan" button can apply_fixes(). The rules are in
handlers/coach/, the word lists in prompts/caption_coach.toml.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.coach.elements import ELEMENTS, found_elements
from handlers.coach.lexicon import Lexicon, load_lexicon
from handlers.coach.places import Places
from handlers.coach.spelling import Fix, apply_fixes, find_fixes
from handlers.messages import T, t
from handlers.texts import Texts

__all__ = ["ELEMENTS", "Advice", "Fix", "Places", "advice_line", "apply_fixes", "coach"]

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


def coach(caption: str, places: Places, lexicon: Lexicon | None = None) -> Advice:
    lex = lexicon or load_lexicon()
    fixes = find_fixes(caption, lex)
    # Elements are read from the fixed caption, so "utk mencegah" counts as a purpose.
    return Advice(found_elements(apply_fixes(caption, fixes), lex, places), fixes)


def advice_line(advice: Advice, texts: Texts) -> T | None:
    """One line for the preview: "Saran: tambahkan *kapan*. Ejaan: silahkan → silakan"."""
    missing = sorted(advice.missing, key=PRIORITY.index)
    elements = ", ".join(texts.render(ELEMENT_NAMES[e]) for e in missing[:SHOWN])
    fixes = _fixes_text(advice.fixes, texts)
    if elements and fixes:
        return t("coach.both", elements=elements, fixes=fixes)
    if elements:
        return t("coach.missing", elements=elements)
    if fixes:
        return t("coach.spelling", fixes=fixes)
    return None


def _fixes_text(fixes: tuple[Fix, ...], texts: Texts) -> str:
    unique = list(dict.fromkeys((f.wrong, f.right) for f in fixes))
    shown = ", ".join(texts.render(t("coach.fix", wrong=w, right=r)) for w, r in unique[:SHOWN])
    if len(unique) > SHOWN:
        shown += texts.render(t("coach.more", count=len(unique) - SHOWN))
    return shown

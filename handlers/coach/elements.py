"""Which of the 5W1H elements a caption states, by rules over its words.

Each rule is a small function over the words of the caption (after its spelling fixes, so "utk"
counts as "untuk"); the word lists are in prompts/caption_coach.toml. A rule that cannot tell
says no: the coach suggests, it never refuses, so a missed element costs one extra hint.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from handlers.coach.lexicon import Lexicon
from handlers.coach.places import Places
from handlers.coach.words import Word, words_of

ELEMENTS = ("apa", "siapa", "kapan", "di_mana", "mengapa", "bagaimana")

# 23/11, 23-11-2026, (22/11/2026); not glued to other digits or letters.
_NUMERIC_DATE = re.compile(r"(?<![\w/])\d{1,2}[/-]\d{1,2}(?:[/-]\d{2,4})?(?![\w/])")
# pukul 07.00, pkl 8, jam 09.30, 07.00 WIB
_TIME = re.compile(
    r"\b(?:pukul|jam)\s*\d{1,2}(?:[.:]\d{2})?\b|\b\d{1,2}[.:]\d{2}\s*(?:WIB|WITA|WIT)\b",
    re.IGNORECASE,
)
_LOCATION_LABEL = re.compile(r"\blokasi\s*:", re.IGNORECASE)
_VERB = re.compile(r"(?:me|ber)[a-z]{4,}")


@dataclass(frozen=True)
class Caption:
    """A caption's text and words, read once for all the rules."""

    text: str
    words: list[Word]
    lows: list[str]
    lex: Lexicon
    places: Places

    @classmethod
    def read(cls, text: str, lex: Lexicon, places: Places) -> Caption:
        words = words_of(text)
        return cls(text, words, [w.low for w in words], lex, places)


def found_elements(text: str, lex: Lexicon, places: Places) -> frozenset[str]:
    caption = Caption.read(text, lex, places)
    return frozenset(name for name, rule in RULES.items() if rule(caption))


def has_apa(c: Caption) -> bool:
    """An activity by name (kerja bakti, sosialisasi), or an active me-/ber- verb that is not a
    preposition (bersama, melalui), a name (Menteng), or the verb of a purpose (untuk mencegah)."""
    return c.lex.activities.occurs_in(c.lows) or any(
        _is_activity_verb(c, i) for i in range(len(c.words))
    )


def _is_activity_verb(c: Caption, i: int) -> bool:
    word = c.words[i]
    if not _VERB.fullmatch(word.low) or word.low in c.lex.not_verbs:
        return False
    if word.capitalised and not word.opens_sentence:
        return False  # a name inside a sentence: Menteng, Melati
    return not (i > 0 and c.lows[i - 1] in c.lex.purpose_leads)


def has_siapa(c: Caption) -> bool:
    """A title or group from the list, or Bapak/Ibu before a name (Ibu Diana)."""
    return c.lex.siapa.occurs_in(c.lows) or any(
        c.lows[i] in c.lex.honorifics and c.words[i + 1].capitalised
        for i in range(len(c.words) - 1)
    )


def has_kapan(c: Caption) -> bool:
    """A date, a time, a day name outside a programme's name (Kamis Nyunda), or a relative day."""
    if c.lex.month_date.search(c.text) or _NUMERIC_DATE.search(c.text) or _TIME.search(c.text):
        return True
    if c.lex.relative_days.occurs_in(c.lows):
        return True
    in_programme = {i for span in c.lex.programmes.spans(c.lows) for i in span}
    return any(_is_day(c, i) for i in range(len(c.words)) if i not in in_programme)


def _is_day(c: Caption, i: int) -> bool:
    if c.lows[i] not in c.lex.days:
        return False
    if c.lows[i] != "minggu":
        return True
    # minggu is also "week" (dua minggu sekali): the day is Minggu or "hari minggu".
    return c.words[i].capitalised or (i > 0 and c.lows[i - 1] == "hari")


def has_di_mana(c: Caption) -> bool:
    """di/ke before a place, bertempat/berlokasi, "lokasi:", an RT/RW number, se-Kelurahan,
    or a known place name (the region's, the units') that is not part of a title."""
    if _LOCATION_LABEL.search(c.text):
        return True
    return any(_place_at(c, i) for i in range(len(c.words)))


def _place_at(c: Caption, i: int) -> bool:
    low = c.lows[i]
    following = c.words[i + 1] if i + 1 < len(c.words) else None
    if low in ("di", "ke") and following is not None:
        return _place_after_preposition(c, i)
    if low in c.lex.cues:
        return True
    if low in ("rt", "rw") and following is not None and following.low.isdigit():
        return True
    if low.startswith("se-") and low[3:] in c.lex.heads:
        return True  # se-Kelurahan Ciparigi
    return _named_place_at(c, i)


def _place_after_preposition(c: Caption, i: int) -> bool:
    nxt = i + 1
    if c.lows[i] == "ke" and i > 0 and c.lows[i - 1] == c.lows[nxt]:
        return False  # dari rumah ke rumah: how, not where
    if c.lows[nxt] in c.lex.not_after_di:
        return False
    if c.lows[nxt] == "lingkungan" and nxt + 1 < len(c.lows):
        return c.lows[nxt + 1] not in c.lex.organisations  # di lingkungan Pemkot: its staff
    if c.lows[nxt] in c.lex.heads:
        return True
    word = c.words[nxt]
    if word.capitalised and c.lows[nxt] not in c.lex.honorifics:
        return not c.lex.siapa.length_at(c.lows, nxt)  # di Pendopo, not "ke Pak Camat"
    return c.places.length_at(c.lows, nxt) > 0


def _named_place_at(c: Caption, i: int) -> bool:
    word = c.words[i]
    if not word.capitalised:
        return False  # place names are proper nouns; lowercase "gudang" is a warehouse
    at_level = c.lows[i] in c.lex.levels and i + 1 < len(c.words) and c.words[i + 1].capitalised
    if not (at_level or c.places.length_at(c.lows, i)):
        return False
    return not _inside_title(c, i)


def _inside_title(c: Caption, i: int) -> bool:
    """Lurah Tegallega, Karang Taruna Kelurahan Ciluar, di lingkungan Kecamatan X: who."""
    start = i
    while start > 0 and c.lows[start - 1] in c.lex.levels:
        start -= 1
    before = start - 1
    if before < 0:
        return False
    if before > 0 and c.lows[before] == "lingkungan" and c.lows[before - 1] == "di":
        return c.lows[start] in c.lex.organisations
    return c.lows[before] not in c.lex.residents and c.lex.siapa.ends_at(c.lows, before)


def has_mengapa(c: Caption) -> bool:
    """A purpose or reason word; "untuk" before who it is for (untuk warga, untuk 20 anak
    yatim) does not count."""
    return any(not _untuk_whom(c, span) for span in c.lex.mengapa.spans(c.lows))


def _untuk_whom(c: Caption, span: range) -> bool:
    if c.lows[span.start] != "untuk" or len(span) > 1:
        return False
    if span.stop >= len(c.lows):
        return True
    following = c.lows[span.stop]
    # A number after "untuk" counts who or how much it is for (untuk 50 keluarga, untuk 2 hari);
    # a purpose is a verb or a noun of intent (untuk mencegah, untuk persiapan).
    return following in c.lex.beneficiaries or following.isdigit()


def has_bagaimana(c: Caption) -> bool:
    """A manner word (diikuti, melalui, secara), a count (50 warga), or dari X ke X."""
    if c.lex.bagaimana.occurs_in(c.lows):
        return True
    return any(_is_count(c, i) for i in range(len(c.words)))


def _is_count(c: Caption, i: int) -> bool:
    word = c.words[i]
    if not word.low.replace(".", "").isdigit() or i + 1 >= len(c.words):
        return False
    if c.text[word.end : c.words[i + 1].start].strip():
        return False  # 07.00-11.00, (28/11/2026): not a number before a noun
    if i > 0 and (c.lows[i - 1] in c.lex.number_labels or _is_name(c.words[i - 1])):
        return False  # RW 05, SDN Bantarjati 5
    counted = c.words[i + 1]
    if counted.low in c.lex.not_counted:
        return False
    if counted.low in c.lex.siapa:
        return True  # 12 ASN
    return not counted.capitalised and not c.lex.month_date.match(c.text, word.start)


def _is_name(word: Word) -> bool:
    return word.capitalised and not word.opens_sentence


RULES: dict[str, Callable[[Caption], bool]] = {
    "apa": has_apa,
    "siapa": has_siapa,
    "kapan": has_kapan,
    "di_mana": has_di_mana,
    "mengapa": has_mengapa,
    "bagaimana": has_bagaimana,
}

"""Words of a caption with their positions, and phrase lists matched over them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Letters and digits, joined by an apostrophe or hyphen: "Jum'at", "ibu-ibu", "se-Kelurahan".
_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_SENTENCE_END = re.compile(r"[.!?:\n]")


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    low: str
    start: int
    end: int
    opens_sentence: bool

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()


def words_of(text: str) -> list[Word]:
    found: list[Word] = []
    previous_end = 0
    for m in _WORD.finditer(text):
        opens = not found or bool(_SENTENCE_END.search(text, previous_end, m.start()))
        low = m.group().lower().replace("’", "'")
        found.append(Word(m.group(), low, m.start(), m.end(), opens))
        previous_end = m.end()
    return found


def normalise(phrase: str) -> str:
    """A list entry or a place name as the words the matcher compares: lowercase, one space."""
    return " ".join(w.low for w in words_of(phrase))


class Phrases:
    """A word list of single words and phrases, matched on lowercase word sequences."""

    def __init__(self, entries: Iterable[str]) -> None:
        self.entries = frozenset(filter(None, (normalise(e) for e in entries)))
        self.longest = max((e.count(" ") + 1 for e in self.entries), default=0)

    def __contains__(self, phrase: str) -> bool:
        return phrase in self.entries

    def length_at(self, lows: Sequence[str], i: int) -> int:
        """Words in the longest entry starting at lows[i], 0 if none."""
        for n in range(min(self.longest, len(lows) - i), 0, -1):
            if " ".join(lows[i : i + n]) in self.entries:
                return n
        return 0

    def ends_at(self, lows: Sequence[str], j: int) -> bool:
        """Whether an entry ends at lows[j]."""
        return any(
            " ".join(lows[j - n + 1 : j + 1]) in self.entries
            for n in range(1, min(self.longest, j + 1) + 1)
        )

    def spans(self, lows: Sequence[str]) -> list[range]:
        """Where entries occur, left to right, longest first, not overlapping."""
        found: list[range] = []
        i = 0
        while i < len(lows):
            n = self.length_at(lows, i)
            if n:
                found.append(range(i, i + n))
            i += n or 1
        return found

    def occurs_in(self, lows: Sequence[str]) -> bool:
        return any(self.length_at(lows, i) for i in range(len(lows)))

"""DejaVu Sans, shipped with Warta (LICENSE beside it) for the recap chart and the PDF letter.

Unit and people's names need Latin Extended, dashes, curly quotes, ° and ², which Pillow's
bundled font and the PDF's built-in fonts (Latin-1) lack.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from fontTools.ttLib import TTFont  # a dependency of fpdf2

HERE = Path(__file__).parent
REGULAR, BOLD = HERE / "DejaVuSans.ttf", HERE / "DejaVuSans-Bold.ttf"
_SPACES = re.compile(r"[ \t]{2,}")


@functools.cache
def _covered() -> frozenset[int]:
    """Code points both faces can draw."""
    maps = []
    for path in (REGULAR, BOLD):
        with TTFont(path, lazy=True) as font:
            maps.append(set(font.getBestCmap()))
    return frozenset(maps[0] & maps[1])


def drawable(text: str) -> str:
    """The text without what the font cannot draw (emoji), instead of empty boxes."""
    covered = _covered()
    kept = "".join(c for c in text if ord(c) in covered or c == "\n")
    if len(kept) == len(text):
        return text
    return "\n".join(_SPACES.sub(" ", line).strip() for line in kept.split("\n"))

"""The sandbox's shipped demo photos pass the checks Warta runs on every photo that arrives."""

from __future__ import annotations

import io
import itertools
from datetime import UTC, datetime

import pytest
from PIL import Image

from bot.sandbox.draw_demo_photos import OUT, SCENES, H, W
from handlers.config import Limits
from handlers.photo_warnings import measured
from storage.photo_checks import Look, hamming, look_at

MAX_BYTES = 400_000


def looks() -> dict[str, Look]:
    return {name: look_at((OUT / name).read_bytes()) for name in SCENES}


def test_four_demo_photos_are_shipped() -> None:
    assert sorted(p.name for p in OUT.glob("*.jpg")) == sorted(SCENES) and len(SCENES) == 4


@pytest.mark.parametrize("name", sorted(SCENES))
def test_a_demo_photo_draws_no_warning(name: str) -> None:
    data = (OUT / name).read_bytes()
    assert len(data) < MAX_BYTES
    with Image.open(io.BytesIO(data)) as image:
        assert (image.format, image.size) == ("JPEG", (W, H))
    look = look_at(data)
    # No capture time, as for a drawn picture: the "old" check has nothing to go on.
    assert measured(look, None, Limits(), datetime.now(UTC)) == []


def test_no_two_demo_photos_are_near_duplicates() -> None:
    seen = looks()
    for a, b in itertools.combinations(seen, 2):
        # Well past the duplicate threshold, so recompression cannot bring two together.
        assert hamming(seen[a].dhash, seen[b].dhash) > 2 * Limits().duplicate_bits, (a, b)

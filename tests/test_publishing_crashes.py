"""A process killed between any two steps of a publication: one post per target, always.

The worker records each step before it is taken and after; the kill comes at every one of
those points (before the call, and after the call but before it is recorded), then a new
process takes the publication back and finishes it."""

from __future__ import annotations

import pytest

from tests.fake_instagram import FakeInstagram
from tests.fake_meta_pages import FakePages
from tests.fake_wordpress import FakeWordPress
from tests.harness import Harness
from tests.publishing_helpers import approve, fetch_from, h, ig, igh, pages, people, publish, wp

__all__ = ["h", "ig", "igh", "pages", "wp"]  # fixtures

STEPS = {
    "website": ["media-1", "media-2", "category", "tags", "post"],
    "facebook": ["photo-1", "photo-2", "post", "link"],
}
POINTS = [
    f"{target}:{step}:{when}"
    for target, steps in STEPS.items()
    for step in steps
    for when in ("before", "after")
]


class Killed(BaseException):
    """The process dies here: nothing after this line runs, nothing is cleaned up."""


@pytest.mark.parametrize("point", POINTS)
async def test_killed_at_any_step_posts_once(
    h: Harness, wp: FakeWordPress, pages: FakePages, point: str
) -> None:
    target, step, when = point.split(":")
    editor, operator = await people(h)
    await approve(h, editor, operator)
    h.clock.advance(hours=1)  # both targets due: the website at once, Facebook at 10.00

    async def kill(at: str, phase: str) -> None:
        if (at, phase) == (f"{target}:{step}", when):
            raise Killed(point)

    assert h.w.publisher is not None
    h.w.publisher.hook = kill
    with pytest.raises(Killed):
        for _ in range(3):
            await h.w.publisher.drain()
    await h.restart()  # the same worker identity takes back what it held
    await publish(h)
    await publish(h)
    assert len(wp.live_posts()) == 1 and len(pages.live_posts()) == 1
    assert len(wp.media) == 2  # an upload made before the kill is found, not made again
    (post,) = wp.live_posts()
    assert pages.live_posts()[0]["message"].endswith(post["link"])


IG_POINTS = [
    f"{step}:{when}"
    for step in ("item-1", "item-2", "container", "publish", "link")
    for when in ("before", "after")
]


@pytest.mark.parametrize("point", IG_POINTS)
async def test_instagram_killed_at_any_step_posts_once(
    igh: Harness, ig: FakeInstagram, point: str
) -> None:
    step, when = point.split(":")
    editor, operator = await people(igh)
    await approve(igh, editor, operator)
    igh.clock.advance(hours=2)

    async def kill(at: str, phase: str) -> None:
        if (at, phase) == (f"instagram:{step}", when):
            raise Killed(point)

    assert igh.w.publisher is not None
    igh.w.publisher.hook = kill
    with pytest.raises(Killed):
        for _ in range(3):
            await igh.w.publisher.drain()
    await igh.restart()
    ig.fetch = lambda url: fetch_from(igh, url)  # the new process serves the photos
    await publish(igh)
    (post,) = ig.media.values()
    assert post["items"] == 2

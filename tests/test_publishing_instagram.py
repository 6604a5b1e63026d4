"""Instagram content publishing: a carousel from Warta's signed photo links, at its slot,
the account's own limit read, and a withdrawal the editor must do by hand."""

from __future__ import annotations

from urllib.parse import urlsplit

from storage.models import PublicationStatus
from storage.publications import Publications
from tests.fake_instagram import FakeInstagram
from tests.fake_wordpress import FakeWordPress
from tests.harness import CAPTION, Harness
from tests.publishing_helpers import (
    approve,
    fetch_from,
    ig,
    igh,
    people,
    publish,
    wp,
)

__all__ = ["ig", "igh", "wp"]  # fixtures


async def test_a_carousel_at_the_instagram_slot_linking_the_website(
    igh: Harness, ig: FakeInstagram, wp: FakeWordPress
) -> None:
    editor, operator = await people(igh)
    await approve(igh, editor, operator)  # 09.00: the website at once, Instagram at 11.00
    await publish(igh)
    assert len(wp.live_posts()) == 1 and ig.media == {}
    igh.clock.advance(hours=2)
    await publish(igh)
    (post,) = ig.media.values()
    assert post["items"] == 2
    assert post["caption"].startswith(CAPTION) and "#KotaBogor #InfoBogor" in post["caption"]
    assert post["caption"].endswith(f"Selengkapnya: {wp.live_posts()[0]['link']}")
    assert len(ig.fetched) == 2 and all("/instagram-feed-4x5.jpg?until=" in u for u in ig.fetched)
    assert "🌐 Instagram: https://www.instagram.com/p/" in igh.card().text


async def test_the_photo_links_are_signed_and_expire(igh: Harness, ig: FakeInstagram) -> None:
    editor, operator = await people(igh)
    await approve(igh, editor, operator)
    igh.clock.advance(hours=2)
    await publish(igh)
    url = ig.fetched[0]
    assert (await fetch_from(igh, url))[0] == 200
    forged = url.replace("instagram-feed-4x5", "web")  # another size under the same signature
    assert (await fetch_from(igh, forged))[0] == 403
    parts = urlsplit(url)
    tampered = url[: -len(parts.query)] + parts.query.replace("sig=", "sig=0")
    assert (await fetch_from(igh, tampered))[0] == 403
    igh.clock.advance(hours=3)
    assert (await fetch_from(igh, url))[0] == 403  # expired


async def test_the_publishing_limit_moves_the_post_to_the_next_slot(
    igh: Harness, ig: FakeInstagram
) -> None:
    ig.quota_total = 0
    editor, operator = await people(igh)
    await approve(igh, editor, operator)
    igh.clock.advance(hours=2)
    await publish(igh)
    assert ig.media == {}
    async with igh.w.sessionmaker() as session:
        (queued,) = await Publications(session).queue(1, "instagram")
    assert queued.error_kind == "quota"
    assert queued.next_try_at.astimezone(igh.w.core.tz).hour == 19  # the next slot
    assert "gagal terbit" not in igh.last_to(editor).text  # nothing for the editor to do
    ig.quota_total = 50
    igh.clock.advance(hours=8)
    await publish(igh)
    assert len(ig.media) == 1


async def test_withdrawal_tells_the_editor_to_remove_the_instagram_post_by_hand(
    igh: Harness, ig: FakeInstagram, wp: FakeWordPress
) -> None:
    editor, operator = await people(igh)
    await approve(igh, editor, operator)
    igh.clock.advance(hours=2)
    await publish(igh)
    await igh.send(editor.tap_button(igh.card(), "Tarik"))
    await igh.send(editor.tap_button(igh.card(), "disalahpahami"))
    await publish(igh)
    assert wp.live_posts() == [] and len(ig.media) == 1  # Instagram cannot delete by API
    told = igh.last_to(editor).text
    assert "Instagram tidak mengizinkan Warta menghapusnya" in told
    assert "https://www.instagram.com/p/" in told
    async with igh.w.sessionmaker() as session:
        by_target = {p.target: p.status for p in await Publications(session).of_report(1)}
    assert by_target == {
        "website": PublicationStatus.REMOVED,
        "instagram": PublicationStatus.REMOVE_BY_HAND,
    }

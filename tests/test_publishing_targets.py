"""The website (WordPress) and the Facebook Page: website first, slots, errors, withdrawal."""

from __future__ import annotations

import logging

import pytest

from tests.fake_meta_pages import PAGE_ID, PAGE_TOKEN, FakePages
from tests.fake_wordpress import PASSWORD, FakeWordPress
from tests.harness import CAPTION, Harness
from tests.publishing_helpers import approve, card_of, h, pages, people, publish, wp

__all__ = ["h", "pages", "wp"]  # fixtures


async def test_website_first_then_facebook_at_its_slot(
    h: Harness, wp: FakeWordPress, pages: FakePages
) -> None:
    editor, operator = await people(h)
    await approve(h, editor, operator)  # Monday 09.00 WIB: Facebook's slots are 10.00, 16.00
    await publish(h)
    (post,) = wp.live_posts()
    assert post["title"]["raw"].startswith("Kerja bakti membersihkan saluran air")
    assert (
        CAPTION in post["content"]["raw"]
        and "📷 Foto: Kecamatan Bogor Barat" in post["content"]["raw"]
    )
    assert post["featured_media"] in wp.media and len(wp.media) == 2
    assert "wp-content/uploads/warta-" in post["content"]["raw"]  # the second photo, in the body
    category = wp.terms["categories"][post["categories"][0]]
    assert (category["slug"], category["name"]) == ("informasi", "Informasi")
    assert {wp.terms["tags"][t]["name"] for t in post["tags"]} == {"KotaBogor", "InfoBogor"}
    assert f"🌐 Situs web: {post['link']}" in h.card().text
    assert "Facebook: terjadwal 23/11 10.00" in h.card().text
    assert pages.posts == {}

    h.clock.advance(hours=1)
    await publish(h)
    (fb,) = pages.live_posts()
    assert fb["message"].startswith(CAPTION) and "#KotaBogor #InfoBogor" in fb["message"]
    assert fb["message"].endswith(f"Selengkapnya: {post['link']}")
    assert len(fb["photos"]) == 2 and all(not pages.photos[p]["published"] for p in fb["photos"])
    assert f"🌐 Facebook: https://www.facebook.com/{PAGE_ID}/posts/" in h.card().text


async def test_each_report_takes_the_next_free_slot_and_editors_can_reorder(
    h: Harness, pages: FakePages
) -> None:
    editor, operator = await people(h)
    await approve(h, editor, operator, CAPTION)
    await approve(
        h, editor, operator, "Posyandu balita di Kelurahan Menteng, Selasa pagi bersama kader."
    )
    await publish(h)
    await h.send(editor.text("/antrean"))
    shown = h.last_to(editor)
    assert "Facebook: 2 menunggu" in shown.text
    assert shown.text.index("23/11 10.00") < shown.text.index("23/11 16.00")
    second = [label for label, _ in shown.buttons if "sekarang" in label][1]
    up = [data for label, data in shown.buttons if "Naikkan" in label][1]
    assert second.endswith("0002 sekarang")
    await h.send(editor.tap(shown, up))
    h.clock.advance(hours=1)  # 10.00: the second report now has the first slot
    await publish(h)
    (fb,) = pages.live_posts()
    assert fb["message"].startswith("Posyandu balita")
    await h.send(editor.text("/antrean"))
    now_button = next(d for label, d in h.last_to(editor).buttons if "sekarang" in label)
    await h.send(editor.tap(h.last_to(editor), now_button))
    await publish(h)
    assert len(pages.live_posts()) == 2  # at 10.00, not waiting for 16.00


async def test_an_expired_password_is_told_to_the_editor_and_retried_on_tap(
    h: Harness, wp: FakeWordPress, pages: FakePages, caplog: pytest.LogCaptureFixture
) -> None:
    editor, operator = await people(h)
    wp.password = "revoked"
    caplog.set_level(logging.INFO)
    await approve(h, editor, operator)
    await publish(h)
    told = h.last_to(editor)
    assert "gagal terbit di Situs web" in told.text and "application password" in told.text
    assert "menunggu sampai beritanya tayang di situs web" in told.text
    assert "⚠️ Situs web: gagal terbit" in h.card().text
    h.clock.advance(hours=2)
    await publish(h)
    assert pages.posts == {}  # the social post waits for the website it links to
    wp.password = PASSWORD
    await h.send(editor.tap_button(told, "Coba lagi"))
    await publish(h)
    assert len(wp.live_posts()) == 1 and pages.posts == {}
    assert "Facebook: terjadwal 23/11 16.00" in h.card().text  # 10.00 was missed: the next slot
    h.clock.advance(hours=5)
    await publish(h)
    assert len(pages.live_posts()) == 1
    assert PASSWORD not in caplog.text and PAGE_TOKEN not in caplog.text


async def test_meta_errors_transient_retried_expired_token_told(
    h: Harness, wp: FakeWordPress, pages: FakePages
) -> None:
    editor, operator = await people(h)
    pages.fail_next(2, status=500, path="/feed")  # "temporary service issue"
    await approve(h, editor, operator)
    h.clock.advance(hours=1)
    await publish(h)
    assert pages.live_posts() == []
    h.clock.advance(minutes=5)
    await publish(h)
    assert len(pages.live_posts()) == 1

    pages.token = "renewed-elsewhere"
    await approve(
        h, editor, operator, "Posyandu balita di Kelurahan Menteng, Selasa pagi bersama kader."
    )
    h.clock.advance(hours=7)
    await publish(h)
    told = h.last_to(editor)
    assert "gagal terbit di Facebook" in told.text and "token" in told.text


async def test_withdrawal_trashes_the_website_post_and_deletes_the_facebook_post(
    h: Harness, wp: FakeWordPress, pages: FakePages
) -> None:
    editor, operator = await people(h)
    await approve(h, editor, operator)
    h.clock.advance(hours=1)
    await publish(h)
    await publish(h)
    await approve(
        h, editor, operator, "Posyandu balita di Kelurahan Menteng, Selasa pagi bersama kader."
    )
    await publish(h)  # its website post is out; Facebook waits for 16.00
    assert len(wp.live_posts()) == 2 and len(pages.live_posts()) == 1
    for card_number in ("#2026-0001", "#2026-0002"):
        await h.send(editor.tap_button(card_of(h, card_number), "Tarik"))
        await h.send(editor.tap_button(card_of(h, card_number), "disalahpahami"))
    await publish(h)
    assert wp.live_posts() == [] and all(p["status"] == "trash" for p in wp.posts.values())
    assert pages.live_posts() == []
    h.clock.advance(hours=8)
    await publish(h)
    assert pages.live_posts() == []  # the second report's Facebook post was cancelled


async def test_a_post_that_failed_is_cancelled_by_withdrawal_and_not_retried(
    h: Harness, wp: FakeWordPress, pages: FakePages
) -> None:
    editor, operator = await people(h)
    pages.token = "revoked"
    await approve(h, editor, operator)
    h.clock.advance(hours=1)
    await publish(h)
    told = h.last_to(editor)
    assert "gagal terbit di Facebook" in told.text and len(wp.live_posts()) == 1
    await h.send(editor.tap_button(h.card(), "Tarik"))
    await h.send(editor.tap_button(h.card(), "disalahpahami"))
    await publish(h)
    pages.token = PAGE_TOKEN
    await h.send(editor.tap_button(told, "Coba lagi"))
    h.clock.advance(hours=8)
    await publish(h)
    assert wp.live_posts() == [] and pages.posts == {}

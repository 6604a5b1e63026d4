"""Approved reports on the official channel, consent, and withdrawal (the PKL case)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.models import ReportStatus, Role
from storage.reports import Reports
from tests.fake_telegram import FakeTelegram, Sent
from tests.harness import CAPTION, Clock, Harness, jpeg, make_settings

CHANNEL = -1001112223334
FRIDAY_9_WIB = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # "Pemkot goes to school": consent


@pytest.fixture
async def pub(
    fake: FakeTelegram, tmp_path: Path, database_url: str, clock: Clock
) -> AsyncIterator[Harness]:
    settings = make_settings(tmp_path, database_url, publish_channel=str(CHANNEL))
    harness = await Harness(fake, settings, clock).start()
    try:
        yield harness
    finally:
        await harness.stop()


async def people(h: Harness):
    editor = await h.join(h.user("Rina", "Redaktur"), Role.EDITOR)
    await h.newsroom(editor)
    operator = await h.join(h.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    return editor, operator


async def report_and_approve(h: Harness, editor, operator, consent: bool = False) -> Sent:
    await h.send(operator.photo(jpeg(), caption=CAPTION, media_group_id="a"))
    await h.send(operator.photo(jpeg(color=(200, 30, 30)), media_group_id="a"))
    await h.settle()
    if consent:
        await h.send(operator.tap_button(h.last_to(operator), "sudah ada izin"))
    await h.send(operator.tap_button(h.last_to(operator), "Kirim"))
    await h.send(editor.tap_button(h.card(), "Setujui"))
    return h.card()


def channel_posts(h: Harness) -> list[Sent]:
    return h.fake.messages_to(CHANNEL)


async def test_approved_report_is_posted_with_hashtags_and_credit(pub: Harness) -> None:
    editor, operator = await people(pub)
    card = await report_and_approve(pub, editor, operator)
    first, second = channel_posts(pub)
    assert first.media_group_id and first.media_group_id == second.media_group_id
    assert CAPTION in first.text and "#KotaBogor #InfoBogor" in first.text
    assert first.text.endswith("📷 Foto: Kecamatan Bogor Barat")
    assert f"Diunggah ke kanal: https://t.me/c/1112223334/{first.message_id}" in card.text
    labels = ["📦 Paket unggah", "↩️ Tarik dari kanal", "🖼️ Lihat foto asli"]
    assert [label for label, _ in card.buttons] == labels


async def test_no_consent_no_post(pub: Harness) -> None:
    pub.clock.now = FRIDAY_9_WIB
    editor, operator = await people(pub)
    await pub.send(operator.photo(jpeg(), caption=CAPTION))
    preview = pub.last_to(operator).text
    assert "perlu konfirmasi" in preview and "seizin orang tua" in preview
    await pub.send(operator.tap_button(pub.last_to(operator), "Kirim"))
    assert "belum dikonfirmasi" in pub.card().text
    await pub.send(editor.tap_button(pub.card(), "Setujui"))
    assert channel_posts(pub) == []
    assert "Diunggah" not in pub.card().text


async def test_with_consent_it_is_posted(pub: Harness) -> None:
    pub.clock.now = FRIDAY_9_WIB
    editor, operator = await people(pub)
    card = await report_and_approve(pub, editor, operator, consent=True)
    assert "Izin wajah anak: dikonfirmasi" in card.text
    assert len(channel_posts(pub)) == 2 and "#PemkotGoesToSchool" in channel_posts(pub)[0].text


async def test_withdrawal_deletes_the_post_and_keeps_the_history(pub: Harness) -> None:
    editor, operator = await people(pub)
    await report_and_approve(pub, editor, operator)
    posted = [m.message_id for m in channel_posts(pub)]
    intruder = await pub.join(pub.user("Tono"), Role.OPERATOR, "Kecamatan Lain")
    await pub.send(intruder.tap_button(pub.card(), "Tarik"))
    assert len(channel_posts(pub)) == 2
    await pub.send(editor.tap_button(pub.card(), "Tarik"))
    await pub.send(editor.tap_button(pub.card(), "disalahpahami"))  # the PKL case
    assert channel_posts(pub) == [] and [m.message_id for m in pub.fake.deleted] == posted
    card = pub.card()
    assert "Ditarik dari kanal" in card.text and card.buttons == []
    assert "ditarik dari kanal resmi" in pub.last_to(operator).text
    async with pub.w.sessionmaker() as session:
        reports = Reports(session)
        report = await reports.get(1)
        assert report is not None and report.status == ReportStatus.WITHDRAWN
        trail = [(e.from_status, e.to_status) for e in await reports.history(1)]
    assert trail == [("draft", "pending"), ("pending", "approved"), ("approved", "withdrawn")]


async def test_nothing_is_published_without_a_channel(bot: Harness) -> None:
    editor, operator = await people(bot)
    card = await report_and_approve(bot, editor, operator)
    assert [label for label, _ in card.buttons] == ["📦 Paket unggah", "🖼️ Lihat foto asli"]


async def test_upload_package_has_every_size_and_the_caption(pub: Harness) -> None:
    import io
    import zipfile

    from PIL import Image

    editor, operator = await people(pub)
    await report_and_approve(pub, editor, operator)
    await pub.send(editor.tap_button(pub.card(), "Paket unggah"))
    await pub.settle()
    package = pub.newsroom_messages()[-1]
    assert package.kind == "document" and package.file_name == "paket-2026-0001.zip"
    with zipfile.ZipFile(io.BytesIO(pub.fake.files[package.file_id or ""])) as z:
        names = sorted(z.namelist())
        assert names == sorted(
            ["caption.txt"]
            + [
                f"foto-{n}/{size}.jpg"
                for n in (1, 2)
                for size in (
                    "instagram-feed-4x5",
                    "instagram-feed-1x1",
                    "story-9x16",
                    "web",
                    "thumbnail",
                )
            ]
        )
        caption = z.read("caption.txt").decode()
        story = Image.open(io.BytesIO(z.read("foto-2/story-9x16.jpg")))
    assert CAPTION in caption and "#KotaBogor #InfoBogor" in caption
    assert "📷 Foto: Kecamatan Bogor Barat" in caption
    assert "https://kotabogor.go.id/index.php/show_post/detail/2026-0001" in caption
    assert story.size == (1080, 1920) and len(story.getexif()) == 0


async def test_package_only_for_editors(pub: Harness) -> None:
    editor, operator = await people(pub)
    await report_and_approve(pub, editor, operator)
    before = len(pub.newsroom_messages())
    await pub.send(operator.tap_button(pub.card(), "Paket unggah"))
    await pub.settle()
    assert len(pub.newsroom_messages()) == before


async def test_derivatives_are_made_on_approval_without_gps(pub: Harness) -> None:
    from PIL import Image

    editor, operator = await people(pub)
    await report_and_approve(pub, editor, operator)
    await pub.settle()
    made = sorted((pub.settings.media_dir / "derivatives").rglob("*.jpg"))
    assert len(made) == 10  # two photos, five sizes
    assert all(len(Image.open(path).getexif()) == 0 for path in made)

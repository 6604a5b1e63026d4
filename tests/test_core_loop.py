"""End to end on Telegram: join, report, review, through the fake Bot API."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json

from PIL import ExifTags, Image

from storage.models import ReportStatus, Role
from storage.people import People
from storage.reports import Reports
from tests.harness import CAPTION, Clock, Harness, jpeg
from tests.telegram_users import NEWSROOM_CHAT


async def setup_people(bot: Harness):
    editor = await bot.join(bot.user("Rina", "Redaktur"), Role.EDITOR)
    await bot.newsroom(editor)
    operator = await bot.join(bot.user("Budi", "Santoso"), Role.OPERATOR, "Kecamatan Bogor Barat")
    return editor, operator


async def test_one_step_report_then_approve(bot: Harness) -> None:
    editor, operator = await setup_people(bot)
    await bot.send(operator.photo(jpeg(), caption=CAPTION))
    preview = bot.last_to(operator)
    assert "Pratinjau" in preview.text and "Foto: 1" in preview.text
    assert "Informasi" in preview.text  # Monday's pillar, preselected
    await bot.send(operator.tap_button(preview, "Kirim"))
    assert "#2026-0001" in bot.last_to(operator).text
    card = bot.card()
    assert "Kecamatan Bogor Barat" in card.text and "Budi Santoso" in card.text
    await bot.send(editor.tap_button(card, "Setujui"))
    card = bot.card()
    assert "Disetujui" in card.text and "Rina Redaktur" in card.text
    assert card.buttons == [("📦 Paket unggah", "pk:1")]  # approved: the upload package
    assert "disetujui" in bot.last_to(operator).text


async def test_command_menus_are_indonesian_per_scope(bot: Harness) -> None:
    menus = {
        json.loads(c.params["scope"])["type"]: json.loads(c.params["commands"])
        for c in bot.fake.calls_of("setMyCommands")
    }
    assert {c["command"] for c in menus["all_private_chats"]} >= {"lapor", "status", "batal"}
    assert {c["command"] for c in menus["all_group_chats"]} >= {"redaksi"}
    assert any("laporan" in c["description"].lower() for c in menus["all_private_chats"])


async def test_album_with_caption_is_one_report(bot: Harness) -> None:
    _editor, operator = await setup_people(bot)
    for i in range(3):
        await bot.send(
            operator.photo(
                jpeg(color=(i * 60, 90, 30)),
                media_group_id="album-1",
                caption=CAPTION if i == 0 else None,
            )
        )
    assert not any("Pratinjau" in m.text for m in bot.fake.messages_to(operator.id)[-1:])
    await bot.settle()
    preview = bot.last_to(operator)
    assert "3 foto diterima" in preview.text and "Foto: 3" in preview.text
    before = len(bot.newsroom_messages())
    await bot.send(operator.tap_button(preview, "Kirim"))
    [card] = bot.newsroom_messages()[before:]  # one message: the contact sheet is the card
    assert card.kind == "photo" and "Foto: 3" in card.text and card == bot.card()


async def test_step_by_step_report_with_pillar_choice(bot: Harness) -> None:
    _, operator = await setup_people(bot)
    await bot.send(operator.text("/lapor"))
    assert "Informasi" in bot.last_to(operator).text
    await bot.send(operator.photo(jpeg()))
    await bot.settle()  # photos one by one are acknowledged once they stop coming
    assert "1 foto diterima" in bot.last_to(operator).text
    assert "keterangan" in bot.last_to(operator).text.lower()
    await bot.send(operator.text("Rapat"))
    assert "terlalu singkat" in bot.last_to(operator).text
    await bot.send(operator.text(CAPTION))
    pillars = bot.last_to(operator)
    assert ("Informasi (hari ini)", "dp:1:informasi") in pillars.buttons
    await bot.send(operator.tap_button(pillars, "Wisata"))
    preview = bot.last_to(operator)  # the pillar question became the preview
    assert preview.message_id == pillars.message_id and "Pilar: Wisata" in preview.text
    await bot.send(operator.tap_button(preview, "Kirim"))
    assert "Pilar: Wisata" in bot.card().text


async def test_photo_sent_as_file_keeps_exif_time_and_place(bot: Harness) -> None:
    _, operator = await setup_people(bot)
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2026:11:23 08:15:00"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {
            ExifTags.GPS.GPSLatitudeRef: "S",
            ExifTags.GPS.GPSLatitude: (6.0, 35.0, 24.0),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (106.0, 47.0, 24.0),
        }
    )
    original = jpeg(1600, 1200, exif=exif)
    await bot.send(
        operator.document(original, mime="image/jpeg", name="IMG_0001.JPG", caption=CAPTION)
    )
    await bot.send(operator.tap_button(bot.last_to(operator), "Kirim"))
    card = bot.card()
    assert "Diambil: Senin, 23 Nov 2026 08.15 WIB" in card.text
    assert "-6.59000,106.79000" in card.text
    async with bot.w.sessionmaker() as session:
        photo = (await Reports(session).photos(1))[0]
    assert (photo.width, photo.height) == (1200, 1600)  # rotated by EXIF orientation 6
    stored = bot.settings.media_dir / photo.path
    assert stored.read_bytes() == original
    assert photo.sha256 == hashlib.sha256(original).hexdigest()
    # A file is re-encoded for the newsroom (no GPS leaves), a compressed photo resent by id.
    upload = bot.fake.calls_of("sendPhoto")[-1]
    assert "photo" in upload.files
    assert (
        Image.open(io.BytesIO(upload.files["photo"])).getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    )


async def test_revision_with_preset_reason_then_resubmit_and_approve(bot: Harness) -> None:
    editor, operator = await setup_people(bot)
    await bot.send(operator.photo(jpeg(), caption=CAPTION))
    await bot.send(operator.tap_button(bot.last_to(operator), "Kirim"))
    await bot.send(editor.tap_button(bot.card(), "revisi"))
    reasons = bot.card()
    assert any("Foto buram" in label for label, _ in reasons.buttons)
    await bot.send(editor.tap_button(reasons, "Foto buram"))
    assert "Diminta revisi" in bot.card().text and "buram" in bot.card().text
    notice = bot.last_to(operator)
    assert "perlu revisi" in notice.text and "buram" in notice.text
    await bot.send(operator.tap_button(notice, "Kirim revisi"))
    assert "Revisi ke-2" in bot.last_to(operator).text
    await bot.send(operator.photo(jpeg(color=(200, 10, 10)), caption=CAPTION + " Foto baru."))
    preview = bot.last_to(operator)
    assert "Foto: 1" in preview.text
    await bot.send(operator.tap_button(preview, "Kirim"))
    card = bot.card()
    assert "Revisi ke-2 dari #2026-0001" in card.text
    assert "ditambah: Foto baru." in card.text and "1 baru, 1 dihapus, 0 sama (1 → 1" in card.text
    await bot.send(editor.tap_button(card, "Setujui"))
    assert "Disetujui" in bot.card().text
    async with bot.w.sessionmaker() as session:
        reports = Reports(session)
        first, second = await reports.get(1), await reports.get(2)
        assert (first.status, second.status) == (ReportStatus.REVISION, ReportStatus.APPROVED)
        assert second.revision_of_id == first.id and second.number == first.number
        trail = [(e.from_status, e.to_status) for e in await reports.history(first.id)]
        assert trail == [("draft", "pending"), ("pending", "revision")]


async def test_reject_with_typed_reason_as_reply(bot: Harness) -> None:
    editor, operator = await setup_people(bot)
    await bot.send(operator.photo(jpeg(), caption=CAPTION))
    await bot.send(operator.tap_button(bot.last_to(operator), "Kirim"))
    await bot.send(editor.tap_button(bot.card(), "Tolak"))
    await bot.send(editor.tap_button(bot.card(), "Tulis alasan"))
    question = bot.newsroom_messages()[-1]
    assert "alasan penolakan" in question.text
    assert bot.fake.calls_of("sendMessage")[-1].params["reply_markup"].find("force_reply") > 0
    await bot.send(
        editor.text(
            "Kegiatan ini bukan kegiatan pemerintah.", chat=NEWSROOM_CHAT, reply_to=question
        )
    )
    assert "Ditolak" in bot.card().text and "bukan kegiatan pemerintah" in bot.card().text
    assert "bukan kegiatan pemerintah" in bot.last_to(operator).text


async def test_non_editor_tap_is_refused(bot: Harness) -> None:
    _editor, operator = await setup_people(bot)
    await bot.send(operator.photo(jpeg(), caption=CAPTION))
    await bot.send(operator.tap_button(bot.last_to(operator), "Kirim"))
    other = await bot.join(bot.user("Sari"), Role.OPERATOR, "Kecamatan Tanah Sareal")
    stranger = bot.user("Orang", "Asing")
    for person in (operator, other, stranger):
        update = await bot.send(person.tap_button(bot.card(), "Setujui"))
        answer = bot.fake.answers[update["callback_query"]["id"]]
        assert answer["show_alert"] and answer["text"]
    assert "Disetujui" not in bot.card().text and bot.card().buttons


async def test_two_editors_at_once_one_decision(bot: Harness) -> None:
    editor, operator = await setup_people(bot)
    second = await bot.join(bot.user("Tono", "Redaktur"), Role.EDITOR)
    await bot.send(operator.photo(jpeg(), caption=CAPTION))
    await bot.send(operator.tap_button(bot.last_to(operator), "Kirim"))
    card = bot.card()
    approve = bot.fake.push(editor.tap_button(card, "Setujui"))
    reject = bot.fake.push(second.tap(card, "rr:1:2:blur"))  # reject with a preset
    await asyncio.gather(bot.w.process(approve), bot.w.process(reject))
    await bot.w.outbox.drain()
    async with bot.w.sessionmaker() as session:
        report = await Reports(session).get(1)
        decisions = [e for e in await Reports(session).history(1) if e.from_status == "pending"]
    assert len(decisions) == 1
    answers = [bot.fake.answers[u["callback_query"]["id"]] for u in (approve, reject)]
    winner_alerts = [a for a in answers if a["show_alert"]]
    assert len(winner_alerts) == 1 and "sudah" in winner_alerts[0]["text"]
    assert report.status in (ReportStatus.APPROVED, ReportStatus.REJECTED)


async def test_restart_in_the_middle_of_a_draft(bot: Harness) -> None:
    _, operator = await setup_people(bot)
    await bot.send(operator.text("/lapor"))
    await bot.send(operator.photo(jpeg()))
    await bot.send(operator.photo(jpeg(color=(1, 2, 3))))
    await bot.restart()
    await bot.send(operator.text(CAPTION))
    await bot.send(operator.tap_button(bot.last_to(operator), "Informasi"))
    preview = bot.last_to(operator)
    assert "Foto: 2" in preview.text
    await bot.send(operator.tap_button(preview, "Kirim"))
    assert "#2026-0001" in bot.last_to(operator).text


async def test_same_update_twice_is_handled_once(bot: Harness) -> None:
    _editor, operator = await setup_people(bot)
    await bot.send(operator.photo(jpeg(), caption=CAPTION))
    tap = await bot.send(operator.tap_button(bot.last_to(operator), "Kirim"))
    before = len(bot.fake.sent)
    await bot.redeliver(tap)
    assert len(bot.fake.sent) == before
    async with bot.w.sessionmaker() as session:
        member = await People(session).member_by_address("telegram", str(operator.id))
        assert member is not None
        assert len(await Reports(session).recent_of(member.id)) == 1


async def test_expired_and_reused_invites_are_refused(bot: Harness, clock: Clock) -> None:
    code = await bot.invite_code(Role.OPERATOR, "Kecamatan Bogor Timur")
    first, second = bot.user("Satu"), bot.user("Dua")
    await bot.send(first.text(f"/start {code}"))
    assert "Selamat bergabung" in bot.fake.texts_to(first.id)[0]
    await bot.send(second.text(f"/start {code}"))
    assert "sudah dipakai" in bot.last_to(second).text
    late = await bot.invite_code(Role.OPERATOR, "Kecamatan Bogor Timur", days=7)
    clock.advance(days=8)
    await bot.send(second.text(f"/start {late}"))
    assert "kedaluwarsa" in bot.last_to(second).text
    await bot.send(second.text("/start tidakada"))
    assert "tidak dikenal" in bot.last_to(second).text
    group = await bot.invite_code(Role.OPERATOR, "Kecamatan Bogor Timur", uses=2)
    await bot.send(second.text(f"/start {group}"))
    assert "Selamat bergabung" in bot.fake.texts_to(second.id)[-2]


async def test_status_lists_reports(bot: Harness) -> None:
    editor, operator = await setup_people(bot)
    await bot.send(operator.photo(jpeg(), caption=CAPTION))
    await bot.send(operator.tap_button(bot.last_to(operator), "Kirim"))
    await bot.send(editor.tap_button(bot.card(), "Setujui"))
    await bot.send(operator.text("/status"))
    assert "#2026-0001" in bot.last_to(operator).text and "disetujui" in bot.last_to(operator).text


async def test_cancel_draft(bot: Harness) -> None:
    _, operator = await setup_people(bot)
    await bot.send(operator.photo(jpeg(), caption=CAPTION))
    preview = bot.last_to(operator)
    await bot.send(operator.text("/batal"))
    assert "dibatalkan" in bot.last_to(operator).text
    update = await bot.send(operator.tap_button(preview, "Kirim"))
    assert bot.fake.answers[update["callback_query"]["id"]]["show_alert"]
    assert not [m for m in bot.newsroom_messages() if "Laporan #" in m.text]


async def test_report_before_newsroom_is_posted_when_bound(bot: Harness) -> None:
    operator = await bot.join(bot.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    await bot.send(operator.photo(jpeg(), caption=CAPTION))
    await bot.send(operator.tap_button(bot.last_to(operator), "Kirim"))
    assert "belum disiapkan" in bot.last_to(operator).text
    editor = await bot.join(bot.user("Rina"), Role.EDITOR)
    await bot.newsroom(editor)
    assert "Menunggu keputusan: 1" in bot.newsroom_messages()[0].text
    assert "#2026-0001" in bot.card().text


async def test_first_reports_of_the_year_at_once_get_distinct_numbers(bot: Harness) -> None:
    await setup_people(bot)
    operators = [
        await bot.join(bot.user(f"Op{i}"), Role.OPERATOR, f"Kecamatan {i}") for i in range(4)
    ]
    taps = []
    for operator in operators:
        await bot.send(operator.photo(jpeg(), caption=CAPTION))
        taps.append(bot.fake.push(operator.tap_button(bot.last_to(operator), "Kirim")))
    await asyncio.gather(*(bot.w.process(tap) for tap in taps))
    await bot.w.outbox.drain()
    numbers = sorted(bot.last_to(o).text.split("#")[1].split(" ")[0] for o in operators)
    assert numbers == ["2026-0001", "2026-0002", "2026-0003", "2026-0004"]


async def test_group_chatter_is_not_taken_as_a_reason(bot: Harness) -> None:
    editor, operator = await setup_people(bot)
    await bot.send(operator.photo(jpeg(), caption=CAPTION))
    await bot.send(operator.tap_button(bot.last_to(operator), "Kirim"))
    await bot.send(editor.tap_button(bot.card(), "revisi"))
    await bot.send(editor.tap_button(bot.card(), "Tulis alasan"))
    await bot.send(editor.text("siapa yang piket besok?", chat=NEWSROOM_CHAT))
    assert "Diminta revisi" not in bot.card().text
    question = [m for m in bot.newsroom_messages() if "alasan revisi" in m.text][-1]
    await bot.send(
        editor.text("Tambahkan nama kelurahannya.", chat=NEWSROOM_CHAT, reply_to=question)
    )
    assert "Tambahkan nama kelurahannya." in bot.card().text


async def test_more_than_ten_photos_are_refused_politely(bot: Harness) -> None:
    _, operator = await setup_people(bot)
    for i in range(11):
        await bot.send(operator.photo(jpeg(320, 240, color=(i * 20, 0, 0))))
    await bot.settle()
    texts = bot.fake.texts_to(operator.id)
    assert "10 foto diterima" in texts[-1] and "1 foto terakhir tidak dipakai" in texts[-1]
    assert sum("Maksimal 10 foto" in text for text in texts) == 1  # said once
    async with bot.w.sessionmaker() as session:
        assert len(await Reports(session).photos(1)) == 10


async def test_coordinator_manages_units_and_invites_in_chat(bot: Harness) -> None:
    boss = await bot.join(bot.user("Kepala", "Bidang"), Role.COORDINATOR)
    await bot.send(boss.text("/unit tambah Kecamatan Tanah Sareal"))
    assert "Kecamatan Tanah Sareal" in bot.last_to(boss).text
    await bot.send(boss.text("/unit tambah kecamatan tanah sareal"))
    assert "sudah ada" in bot.last_to(boss).text
    await bot.send(boss.text("/undang operator Tanah Sareal 2"))
    invite = bot.last_to(boss).text
    assert "https://t.me/warta_test_bot?start=" in invite and "untuk 2 orang" in invite
    code = invite.split("start=")[1].split()[0]
    admin = bot.user("Admin", "Sareal")
    await bot.send(admin.text(f"/start {code}"))
    assert "Kecamatan Tanah Sareal" in bot.fake.texts_to(admin.id)[0]
    await bot.send(boss.text("/undang operator"))
    assert "perlu nama unit" in bot.last_to(boss).text
    await bot.send(boss.text("/undang presiden"))
    assert "Cara pakai" in bot.last_to(boss).text
    await bot.send(boss.text("/anggota"))
    assert "Admin Sareal" in bot.last_to(boss).text and "Kepala Bidang" in bot.last_to(boss).text
    await bot.send(admin.text("/undang operator Tanah Sareal"))
    assert "Hanya koordinator" in bot.last_to(admin).text
    await bot.send(admin.text("/redaksi", chat=NEWSROOM_CHAT))
    assert "Hanya koordinator" in bot.newsroom_messages()[-1].text


async def test_photos_one_by_one_get_one_reply(bot: Harness) -> None:
    _, operator = await setup_people(bot)
    before = len(bot.fake.messages_to(operator.id))
    for i in range(4):
        await bot.send(operator.photo(jpeg(color=(i * 40, 0, 0))))
    await bot.settle()
    replies = bot.fake.messages_to(operator.id)[before:]
    assert len(replies) == 1 and "4 foto diterima" in replies[0].text


async def test_edit_caption_pillar_and_photos_from_the_preview(bot: Harness) -> None:
    _, operator = await setup_people(bot)
    await bot.send(operator.photo(jpeg(), caption=CAPTION))
    preview = bot.last_to(operator)
    await bot.send(operator.tap_button(preview, "Ubah"))
    menu = bot.fake.message(operator.id, preview.message_id)
    assert [label for label, _ in menu.buttons] == [
        "Keterangan",
        "Pilar",
        "Ganti foto",
        "✖️ Batal",
        "« Kembali",
    ]
    await bot.send(operator.tap_button(menu, "Keterangan"))
    await bot.send(operator.text(CAPTION + " Dihadiri Camat."))
    preview = bot.last_to(operator)
    assert "Dihadiri Camat." in preview.text
    await bot.send(operator.tap_button(preview, "Ubah"))
    await bot.send(operator.tap_button(bot.fake.message(operator.id, preview.message_id), "Pilar"))
    await bot.send(operator.tap_button(bot.fake.message(operator.id, preview.message_id), "UMKM"))
    assert "Pilar: UMKM" in bot.fake.message(operator.id, preview.message_id).text
    await bot.send(operator.tap_button(preview, "Ubah"))
    await bot.send(
        operator.tap_button(bot.fake.message(operator.id, preview.message_id), "Ganti foto")
    )
    assert "Foto lama dihapus" in bot.last_to(operator).text
    await bot.send(operator.photo(jpeg(color=(5, 5, 5))))
    await bot.send(operator.photo(jpeg(color=(6, 6, 6))))
    await bot.settle()
    final = bot.last_to(operator)
    assert "Foto: 2" in final.text and "Pilar: UMKM" in final.text
    await bot.send(operator.tap_button(final, "Kirim"))
    card = bot.card()
    assert "Pilar: UMKM" in card.text and "Foto: 2" in card.text and "Camat" in card.text


async def test_bot_removed_from_the_newsroom_unbinds_it(bot: Harness) -> None:
    editor, operator = await setup_people(bot)
    await bot.send(editor.removes_bot(NEWSROOM_CHAT, bot.fake.bot_id))
    await bot.send(operator.photo(jpeg(), caption=CAPTION))
    await bot.send(operator.tap_button(bot.last_to(operator), "Kirim"))
    assert "belum disiapkan" in bot.last_to(operator).text

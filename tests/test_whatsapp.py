"""WhatsApp end to end: signed webhooks in, the real pywa client out, against the fake Graph API."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from sqlalchemy import func, select

from storage.models import DeliveryReceipt, InboxEntry, ReceivedWebhook, Role
from tests.harness import CAPTION, Harness, jpeg
from tests.whatsapp_users import batch, status


async def test_verification_challenge(both: Harness) -> None:
    transport = httpx.ASGITransport(app=both.w.web.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://warta") as client:
        ok = await client.get(
            "/webhooks/whatsapp",
            params={
                "hub.mode": "subscribe",
                "hub.verify_token": "verify-me",
                "hub.challenge": "42",
            },
        )
        wrong = await client.get(
            "/webhooks/whatsapp",
            params={"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "42"},
        )
    assert (ok.status_code, ok.text) == (200, "42")
    assert wrong.status_code == 403


async def test_forged_or_unsigned_webhooks_are_refused_and_not_stored(both: Harness) -> None:
    user = both.wa_user("Budi")
    forged = await both.wa_post(user.text("halo"), signature="sha256=" + "0" * 64)
    unsigned = await both.wa_post(user.text("halo"), signature=None)
    assert forged.status_code == 401 and unsigned.status_code == 401
    async with both.w.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(ReceivedWebhook)) == 0
    assert both.graph is not None and both.graph.sent == []


async def test_stranger_is_told_how_to_join(both: Harness) -> None:
    user = both.wa_user("Tamu")
    response = await both.wa_post(user.text("halo"))
    assert response.status_code == 200
    assert "undangan" in user.last().text


async def test_join_report_and_approve_on_whatsapp(both: Harness) -> None:
    editor = await both.join(both.user("Rina", "Redaktur"), Role.EDITOR)
    await both.newsroom(editor)
    operator = await both.wa_join(both.wa_user("Budi Santoso"), Role.OPERATOR, "Kecamatan Cibinong")
    assert "Selamat bergabung, Budi Santoso" in operator.sent()[0].text
    await both.wa_post(operator.image(jpeg(), caption=CAPTION))
    preview = operator.last()
    assert preview.type == "interactive" and "Pratinjau" in preview.text
    assert [t for t, _ in preview.buttons] == ["✅ Kirim", "🏷️ Ganti pilar", "✏️ Ubah"]
    await both.wa_post(operator.tap(preview, "Kirim"))
    assert "#2026-0001" in operator.last().text
    card = both.card()
    assert "Kecamatan Cibinong" in card.text and "Budi Santoso" in card.text
    await both.send(editor.tap_button(card, "Setujui"))
    assert "disetujui" in operator.last().text


async def test_editor_on_whatsapp_decides_with_a_listed_reason(both: Harness) -> None:
    editor = await both.wa_join(both.wa_user("Rina"), Role.EDITOR)
    tg_editor = await both.join(both.user("Dedi"), Role.EDITOR)
    await both.newsroom(tg_editor)
    operator = await both.join(both.user("Budi"), Role.OPERATOR, "Kecamatan Cibinong")
    await both.send(operator.photo(jpeg(), caption=CAPTION))
    await both.send(operator.tap_button(both.last_to(operator), "Kirim"))
    image, card = editor.sent()[-2:]
    assert image.type == "image" and "#2026-0001" in image.text
    assert [t for t, _ in card.buttons] == ["✅ Setujui", "🔁 Minta revisi", "⛔ Tolak"]
    await both.wa_post(editor.tap(card, "revisi"))
    reasons = editor.last()
    assert reasons.raw["interactive"]["type"] == "list"
    await both.wa_post(editor.tap(reasons, "buram"))
    assert "perlu revisi" in both.last_to(operator).text
    assert "Diminta revisi" in both.card().text  # the Telegram newsroom card follows
    assert "Diminta revisi" in editor.last().text


async def test_typed_reason_in_a_private_whatsapp_chat(both: Harness) -> None:
    editor = await both.wa_join(both.wa_user("Rina"), Role.EDITOR)
    operator = await both.join(both.user("Budi"), Role.OPERATOR, "Kecamatan Cibinong")
    await both.send(operator.photo(jpeg(), caption=CAPTION))
    await both.send(operator.tap_button(both.last_to(operator), "Kirim"))
    await both.wa_post(editor.tap(editor.last(), "Tolak"))
    await both.wa_post(editor.tap(editor.last(), "Tulis alasan"))
    assert "alasan" in editor.last().text
    await both.wa_post(editor.text("Kegiatan ini sudah pernah dilaporkan minggu lalu."))
    assert "sudah pernah dilaporkan" in both.last_to(operator).text


async def test_several_images_then_confirm_is_one_report(both: Harness) -> None:
    operator = await both.wa_join(both.wa_user("Budi"), Role.OPERATOR, "Kecamatan Cibinong")
    for i in range(3):
        await both.wa_post(operator.image(jpeg(color=(i * 50, 20, 20))))
    await both.settle()
    assert "3 foto diterima" in operator.last().text
    await both.wa_post(operator.text(CAPTION))
    await both.wa_post(operator.tap(operator.last(), "Informasi"))
    preview = operator.last()
    assert "Foto: 3" in preview.text


async def test_batched_webhook_handles_every_message_and_status(both: Harness) -> None:
    ani = await both.wa_join(both.wa_user("Ani"), Role.OPERATOR, "Kecamatan A")
    budi = await both.wa_join(both.wa_user("Budi"), Role.OPERATOR, "Kecamatan B")
    welcome = ani.sent()[0]
    await both.wa_post(batch(ani.text("/status"), budi.text("/status"), status(welcome, "read")))
    assert "Belum ada laporan" in ani.last().text and "Belum ada laporan" in budi.last().text
    async with both.w.sessionmaker() as session:
        receipt = await session.scalar(
            select(DeliveryReceipt).where(DeliveryReceipt.external_id == welcome.id)
        )
    assert receipt is not None and receipt.status == "read"


async def test_redelivered_message_is_handled_once(both: Harness) -> None:
    operator = await both.wa_join(both.wa_user("Budi"), Role.OPERATOR, "Kecamatan B")
    body = operator.text("/status")
    await both.wa_post(body)
    await both.wa_post(body)
    assert sum("Belum ada laporan" in m.text for m in operator.sent()) == 1
    async with both.w.sessionmaker() as session:
        count = await session.scalar(
            select(func.count()).select_from(InboxEntry).where(InboxEntry.channel == "whatsapp")
        )
    assert count == 2  # the join and the status


async def test_webhook_stored_but_not_processed_is_processed_on_start(both: Harness) -> None:
    operator = await both.wa_join(both.wa_user("Budi"), Role.OPERATOR, "Kecamatan B")
    async with both.w.sessionmaker() as session, session.begin():
        from storage.webhooks import Webhooks
        from tests.whatsapp_users import encode

        await Webhooks(session).store("whatsapp", encode(operator.text("/status")), both.clock())
    await both.restart()
    await both.w.outbox.drain()
    assert "Belum ada laporan" in operator.last().text


async def test_non_editor_tap_on_whatsapp_is_refused(both: Harness) -> None:
    editor = await both.wa_join(both.wa_user("Rina"), Role.EDITOR)
    operator = await both.wa_join(both.wa_user("Budi"), Role.OPERATOR, "Kecamatan B")
    tg_operator = await both.join(both.user("Tono"), Role.OPERATOR, "Kecamatan C")
    await both.send(tg_operator.photo(jpeg(), caption=CAPTION))
    await both.send(tg_operator.tap_button(both.last_to(tg_operator), "Kirim"))
    card = editor.last()
    forged = operator.tap(card, "Setujui")
    await both.wa_post(forged)
    assert "redaktur" in operator.last().text.lower()
    assert editor.last().buttons[0][0] == "✅ Setujui"  # the card is still undecided


TUESDAY_7_WIB = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)


async def test_decision_outside_the_window_goes_as_a_template(both: Harness) -> None:
    editor = await both.join(both.user("Rina"), Role.EDITOR)
    await both.newsroom(editor)
    operator = await both.wa_join(both.wa_user("Budi"), Role.OPERATOR, "Kecamatan Cibinong")
    await both.wa_post(operator.image(jpeg(), caption=CAPTION))
    await both.wa_post(operator.tap(operator.last(), "Kirim"))
    both.clock.advance(days=2)
    await both.send(editor.tap_button(both.card(), "Setujui"))
    notice = operator.last()
    assert notice.type == "template" and notice.template == "warta_pemberitahuan/id"
    assert "#2026-0001" in notice.text and "\n" not in notice.text


async def test_failed_status_outside_the_window_is_resent_as_a_template(both: Harness) -> None:
    operator = await both.wa_join(both.wa_user("Budi"), Role.OPERATOR, "Kecamatan Cibinong")
    await both.wa_post(operator.text("/status"))
    answer = operator.last()
    assert answer.type == "text"
    await both.wa_post(status(answer, "failed", error_code=131047))
    resent = operator.last()
    assert resent.type == "template" and "Belum ada laporan" in resent.text
    await both.wa_post(status(resent, "failed", error_code=131047))
    assert operator.last() is resent  # a failed template is not retried in a loop


async def test_failed_for_a_passing_reason_is_sent_again_a_few_times(both: Harness) -> None:
    operator = await both.wa_join(both.wa_user("Budi"), Role.OPERATOR, "Kecamatan Cibinong")
    await both.wa_post(operator.text("/status"))
    for _ in range(4):
        await both.wa_post(status(operator.last(), "failed", error_code=131000))
    answers = [m for m in operator.sent() if "Belum ada laporan" in m.text]
    assert len(answers) == 4 and all(m.type == "text" for m in answers)  # the first + 3 more


async def test_refused_for_a_closed_window_is_resent_as_a_template(both: Harness) -> None:
    operator = await both.wa_join(both.wa_user("Budi"), Role.OPERATOR, "Kecamatan Cibinong")
    assert both.graph is not None
    both.graph.fail_next(131047)
    await both.wa_post(operator.text("/status"))
    assert operator.last().type == "template" and "Belum ada laporan" in operator.last().text


async def test_daily_reminder_per_person_and_berhenti(both: Harness) -> None:
    ani = await both.wa_join(both.wa_user("Ani"), Role.OPERATOR, "Kecamatan A")
    budi = await both.wa_join(both.wa_user("Budi"), Role.OPERATOR, "Kecamatan B")
    await both.wa_post(budi.text("BERHENTI"))
    assert "tidak akan menerima pengingat" in budi.last().text
    both.clock.now = TUESDAY_7_WIB  # 22 h after Ani joined: her window is open
    await both.tick()
    await both.tick()
    reminders = [m for m in ani.sent() if "Selamat pagi" in m.text]
    assert len(reminders) == 1 and "UMKM" in reminders[0].text and "BERHENTI" in reminders[0].text
    assert not [m for m in budi.sent() if "Selamat pagi" in m.text]
    both.clock.advance(days=1)  # Wednesday: Ani's window has closed
    await both.tick()
    template = ani.last()
    assert template.type == "template" and template.template == "warta_pengingat/id"
    assert template.text.startswith("Wisata | ")
    await both.wa_post(budi.text("mulai"))
    assert "aktif lagi" in budi.last().text


async def test_invite_link_for_whatsapp(both: Harness) -> None:
    coordinator = await both.wa_join(both.wa_user("Kori"), Role.COORDINATOR)
    await both.wa_post(coordinator.text("/unit tambah Kecamatan Cibinong"))
    await both.wa_post(coordinator.text("/undang operator Kecamatan Cibinong"))
    assert "https://wa.me/6281100000000?text=GABUNG%20" in coordinator.last().text


async def test_one_person_on_both_channels_is_one_member(both: Harness) -> None:
    editor = await both.join(both.user("Rina"), Role.EDITOR)
    await both.newsroom(editor)
    tg = await both.join(both.user("Budi"), Role.OPERATOR, "Kecamatan Cibinong")
    await both.send(tg.photo(jpeg(), caption=CAPTION))
    await both.send(tg.tap_button(both.last_to(tg), "Kirim"))
    await both.send(tg.text("/hubungkan"))
    answer = both.last_to(tg).text
    assert "GABUNG" in answer and "https://wa.me/6281100000000?text=GABUNG%20" in answer
    code = answer.split("GABUNG ")[1].split()[0]
    wa = both.wa_user("Budi di WA")
    await both.wa_post(wa.text(f"GABUNG {code}"))
    assert "Terhubung" in wa.last().text
    await both.wa_post(wa.text("status"))
    assert "#2026-0001" in wa.last().text  # the same person, the same reports
    await both.send(editor.tap_button(both.card(), "Setujui"))
    assert "disetujui" in wa.last().text  # told where they were last
    async with both.w.sessionmaker() as session:
        from storage.models import Member

        assert await session.scalar(select(func.count()).select_from(Member)) == 3  # + Kabid
    await both.wa_post(wa.text(f"GABUNG {code}"))
    assert "sudah terhubung" in wa.last().text


async def test_bad_input_on_whatsapp_is_explained(both: Harness) -> None:
    operator = await both.wa_join(both.wa_user("Budi"), Role.OPERATOR, "Kecamatan Cibinong")
    await both.wa_post(operator.document(b"%PDF-1.4 laporan", "laporan.pdf", "application/pdf"))
    assert "foto" in operator.last().text.lower()
    await both.wa_post(operator.image(b"\xff\xd8\xff\xe0 not really a jpeg"))
    assert "rusak" in operator.last().text
    await both.wa_post(operator.text(""))
    await both.wa_post(operator.text("BATAL"))
    assert "batal" in operator.last().text.lower() or "draf" in operator.last().text.lower()


async def test_old_deliveries_are_forgotten_once_a_day(both: Harness) -> None:
    operator = await both.wa_join(both.wa_user("Budi"), Role.OPERATOR, "Kecamatan Cibinong")
    await both.wa_post(operator.text("/status"))
    old = both.clock()
    both.clock.advance(days=31)
    await both.tick()  # also nudges Budi, whose unit has been quiet: that receipt is new
    async with both.w.sessionmaker() as session:
        for table in (ReceivedWebhook, InboxEntry):
            assert await session.scalar(select(func.count()).select_from(table)) == 0, table
        stale = select(func.count()).where(DeliveryReceipt.updated_at <= old)
        assert await session.scalar(stale) == 0

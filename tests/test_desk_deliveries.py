"""Pengiriman on the desk (/pengiriman): messages Warta gave up on and WhatsApp's failed
statuses, who they were for and what they were, and sending one again (htmx swaps its row).
Failures come from the fake Bot API and Graph API, as the platforms give them."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.models import DeliveryReceipt, OutboxMessage, Role
from tests.channels import WhatsAppPerson, join
from tests.desk_admin_helpers import assert_coordinators_only, signed_in, start_warta, text_of
from tests.fake_telegram import FakeTelegram
from tests.fake_whatsapp import FakeGraph
from tests.harness import Clock, Harness
from tests.whatsapp_users import status

ROW = re.compile(r'<tr id="kirim-([or])-(\d+)">')


@pytest.fixture
async def h(
    fake: FakeTelegram, graph: FakeGraph, tmp_path: Path, database_url: str, clock: Clock
) -> AsyncIterator[Harness]:
    harness = await start_warta(fake, graph, tmp_path, database_url, clock)
    yield harness
    await harness.stop()


async def outbox_row(h: Harness, row_id: int) -> OutboxMessage:
    async with h.w.sessionmaker() as session:
        row = await session.get(OutboxMessage, row_id)
    assert row is not None
    return row


async def test_coordinators_only(h: Harness) -> None:
    await assert_coordinators_only(
        h,
        [
            ("GET", "/pengiriman"),
            ("POST", "/pengiriman/o/1/ulang"),
            ("POST", "/pengiriman/r/1/ulang"),
        ],
    )


async def test_undelivered_messages_listed_and_sent_again(h: Harness, clock: Clock) -> None:
    boss = await signed_in(h, "Kartika", Role.COORDINATOR)
    budi = await join(h, "telegram", "Budi Santoso", Role.OPERATOR, "Kecamatan Bogor Barat")
    sari = await join(h, "whatsapp", "Sari", Role.OPERATOR, "Kecamatan Bogor Timur")
    assert isinstance(sari, WhatsAppPerson)
    assert "Semua pesan sampai" in text_of((await boss.get("/pengiriman")).text)

    h.fake.fail_next("sendMessage", 403)  # Budi blocked the bot: given up at once
    await budi.command("status")
    await sari.command("status")
    await h.wa_post(status(sari.user.last(), "failed", error_code=131026))  # undeliverable
    await sari.command("bantuan")
    closed = sari.user.last()
    await h.wa_post(status(closed, "failed", error_code=131047))  # window: template went
    assert sari.user.last().type == "template"

    page = await boss.get("/pengiriman")
    rows = ROW.findall(page.text)
    assert len(rows) == 2, text_of(page.text)  # the one Warta replaced is not listed
    shown = text_of(page.text)
    assert "Sari (WhatsApp) Balasan chat Belum ada laporan" in shown
    assert "WhatsApp menerima pesannya, lalu melaporkan gagal sampai" in shown
    assert "131026" in shown  # the platform's own error, for whoever looks further
    assert "Budi Santoso (Telegram) Balasan chat Belum ada laporan" in shown
    assert "Bot diblokir atau dikeluarkan dari obrolan itu" in shown
    (source, outbox_id) = next(r for r in rows if r[0] == "o")
    (_, receipt_id) = next(r for r in rows if r[0] == "r")

    # Again from the outbox: htmx swaps the row; pending, attempts reset, a fresh clock.
    clock.advance(hours=2)
    before = len(h.fake.texts_to(budi.user.id))
    answer = await boss.post(f"/pengiriman/o/{outbox_id}/ulang", htmx=True)
    assert answer.text.startswith(f'<tr id="kirim-o-{outbox_id}">')
    assert "Masuk antrean lagi" in text_of(answer.text) and "<!doctype" not in answer.text
    row = await outbox_row(h, int(outbox_id))
    assert (row.status, row.attempts, row.failure, row.failed_at) == ("pending", 0, None, None)
    assert row.created_at == clock() and row.next_attempt_at == clock()
    await h.w.outbox.drain()
    assert len(h.fake.texts_to(budi.user.id)) == before + 1
    assert "Belum ada laporan" in h.fake.texts_to(budi.user.id)[-1]
    twice = await boss.post(f"/pengiriman/o/{outbox_id}/ulang", htmx=True)
    assert 'role="alert"' in twice.text and "sudah dikirim ulang" in text_of(twice.text)

    # Again after WhatsApp's failed status (a plain form post): the same content as new.
    sent_before = len(sari.user.sent())
    again = await boss.post(f"/pengiriman/r/{receipt_id}/ulang")
    assert again.status_code == 200 and "<!doctype" in again.text
    assert "Masuk antrean lagi" in text_of(again.text) and len(ROW.findall(again.text)) == 0
    async with h.w.sessionmaker() as session:
        receipt = await session.get(DeliveryReceipt, int(receipt_id))
        assert receipt is not None and receipt.status == "retried"
        newest = await session.scalar(select(OutboxMessage).order_by(OutboxMessage.id.desc()))
        first = await session.get(OutboxMessage, receipt.outbox_id)
    assert newest is not None and first is not None and newest.id != first.id
    assert newest.payload == first.payload and newest.status == "pending"
    await h.w.outbox.drain()
    assert len(sari.user.sent()) == sent_before + 1
    assert "Belum ada laporan" in sari.user.last().text
    assert "Semua pesan sampai" in text_of((await boss.get("/pengiriman")).text)
    assert source == "o"

"""With a desk, what Warta sends in chat carries "Buka di dasbor" to its item (issue 11)."""

from __future__ import annotations

from storage.models import Role
from tests.desk_helpers import URL
from tests.harness import CAPTION, Harness, jpeg
from tests.telegram_users import ADMINS_CHAT
from tests.test_nudges import wib
from tests.test_reminders import TUESDAY_7_WIB

OPEN = "🖥️ Buka di dasbor"


async def test_reminders_recaps_and_the_stale_list_open_the_desk(desk: Harness) -> None:
    coordinator = await desk.join(desk.user("Kori"), Role.COORDINATOR)
    await desk.send(coordinator.text("/pengingat", chat=ADMINS_CHAT))
    editor = await desk.join(desk.user("Rina"), Role.EDITOR)
    await desk.newsroom(editor)
    operator = await desk.join(desk.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    await desk.send(operator.photo(jpeg(), caption=CAPTION))
    await desk.send(operator.tap_button(desk.last_to(operator), "Kirim"))

    desk.clock.now = TUESDAY_7_WIB
    await desk.tick()
    reminder = desk.fake.messages_to(ADMINS_CHAT["id"])[-1]
    assert (OPEN, f"{URL}/dasbor") in reminder.buttons and "Selamat pagi" in reminder.text

    desk.clock.now = wib(24, 15)  # the report has waited past the stale limit
    await desk.tick()
    [listing] = [m for m in desk.newsroom_messages() if "menunggu keputusan" in m.text]
    assert (OPEN, f"{URL}/laporan?status=pending") in listing.buttons

    await desk.send(editor.text("/laporan"))
    summary = [m for m in desk.fake.messages_to(editor.id) if m.kind == "text"][-1]
    assert (OPEN, f"{URL}/laporan?dari=2026-11-23&sampai=2026-11-29") in summary.buttons


async def test_cards_open_the_report_on_the_desk_on_both_channels(desk: Harness) -> None:
    editor = await desk.join(desk.user("Rina"), Role.EDITOR)
    await desk.newsroom(editor)
    reviewer = await desk.wa_join(desk.wa_user("Sari"), Role.EDITOR)
    operator = await desk.join(desk.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    await desk.send(operator.photo(jpeg(), caption=CAPTION))
    await desk.send(operator.tap_button(desk.last_to(operator), "Kirim"))
    link = f"{URL}/laporan/2026-0001"
    assert (OPEN, link) in desk.card().buttons
    assert f"{OPEN}: {link}" in reviewer.last().text  # WhatsApp: a link under the card
    await desk.send(editor.tap_button(desk.card(), "Minta revisi"))
    await desk.send(editor.tap_button(desk.card(), "Kembali"))
    assert (OPEN, link) in desk.card().buttons  # back from the reasons, still there
    await desk.send(editor.tap_button(desk.card(), "Setujui"))
    assert (OPEN, link) in desk.card().buttons  # and once decided

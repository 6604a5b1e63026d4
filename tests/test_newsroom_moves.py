"""The newsroom cannot be moved by accident; recaps go only where they belong (issue 10)."""

from __future__ import annotations

import time

from storage.models import Role
from tests.harness import CAPTION, Harness, jpeg
from tests.telegram_users import ADMINS_CHAT, LEADERS_CHAT, NEWSROOM_CHAT

OTHER_ROOM = {"id": -1009990001111, "type": "supergroup", "title": "Grup Lain"}


async def test_an_editor_cannot_move_the_newsroom_and_a_coordinator_confirms(
    bot: Harness,
) -> None:
    editor = await bot.join(bot.user("Rina"), Role.EDITOR)
    await bot.newsroom(editor)
    operator = await bot.join(bot.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    await bot.send(operator.photo(jpeg(), caption=CAPTION))
    await bot.send(operator.tap_button(bot.last_to(operator), "Kirim"))
    old_card = bot.card()

    await bot.send(editor.text("/redaksi", chat=OTHER_ROOM))
    assert "Hanya koordinator" in bot.fake.last_to(OTHER_ROOM["id"]).text
    boss = await bot.join(bot.user("Kartika"), Role.COORDINATOR)
    await bot.send(boss.text("/redaksi", chat=OTHER_ROOM))
    question = bot.fake.last_to(OTHER_ROOM["id"])
    assert "Pindahkan ke grup ini?" in question.text and "Redaksi Diskominfo" in question.text
    assert not any("Laporan #" in m.text for m in bot.fake.messages_to(OTHER_ROOM["id"]))
    await bot.send(editor.tap_button(question, "Ya"))  # an editor's tap does not move it
    assert not any("Laporan #" in m.text for m in bot.fake.messages_to(OTHER_ROOM["id"]))
    await bot.send(boss.tap_button(question, "Ya"))

    assert "dipindahkan ke grup *Grup Lain*".replace("*", "") in bot.newsroom_messages()[-1].text
    new_card = [m for m in bot.fake.messages_to(OTHER_ROOM["id"]) if "Laporan #" in m.text][-1]
    tap = await bot.send(editor.tap_button(old_card, "Setujui"))  # the old card only shows
    assert "sudah pindah" in bot.fake.answers[tap["callback_query"]["id"]]["text"]
    await bot.send(editor.tap_button(new_card, "Setujui"))
    assert "Disetujui" in bot.fake.message(OTHER_ROOM["id"], new_card.message_id).text
    assert "Disetujui" in bot.fake.message(NEWSROOM_CHAT["id"], old_card.message_id).text


async def test_cancelling_the_move_keeps_the_newsroom(bot: Harness) -> None:
    await bot.newsroom()
    boss = await bot.join(bot.user("Kartika"), Role.COORDINATOR)
    await bot.send(boss.text("/redaksi", chat=OTHER_ROOM))
    await bot.send(boss.tap_button(bot.fake.last_to(OTHER_ROOM["id"]), "Batal"))
    assert "tidak diubah" in bot.fake.last_to(OTHER_ROOM["id"]).text
    operator = await bot.join(bot.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    await bot.send(operator.photo(jpeg(), caption=CAPTION))
    await bot.send(operator.tap_button(bot.last_to(operator), "Kirim"))
    assert "Laporan #2026-0001" in bot.card().text


async def test_the_recap_goes_only_to_bound_chats_or_private(bot: Harness) -> None:
    editor = await bot.join(bot.user("Rina"), Role.EDITOR)
    await bot.send(editor.text("/laporan", chat=ADMINS_CHAT))
    answers = bot.fake.messages_to(ADMINS_CHAT["id"])
    assert len(answers) == 1 and "hanya dikirim" in answers[0].text
    await bot.send(editor.text("/laporan"))
    assert any(m.kind == "document" for m in bot.fake.messages_to(editor.id))


async def test_the_bot_greets_a_group_and_strangers_are_told_to_register(bot: Harness) -> None:
    stranger = bot.user("Tamu")
    bot_user = {"id": 123456, "is_bot": True, "first_name": "Warta"}
    await bot.send(
        {
            "my_chat_member": {
                "chat": LEADERS_CHAT,
                "from": stranger.user,
                "date": int(time.time()),
                "old_chat_member": {"user": bot_user, "status": "left"},
                "new_chat_member": {"user": bot_user, "status": "member"},
            }
        }
    )
    assert "/redaksi" in bot.fake.last_to(LEADERS_CHAT["id"]).text
    await bot.send(stranger.text("/redaksi", chat=LEADERS_CHAT))
    assert "belum terdaftar" in bot.fake.last_to(LEADERS_CHAT["id"]).text
    await bot.send(stranger.text("halo semua", chat=LEADERS_CHAT))  # chatter: no answer
    assert "belum terdaftar" in bot.fake.last_to(LEADERS_CHAT["id"]).text


async def test_forged_taps_in_a_group_post_nothing_there(bot: Harness) -> None:
    editor = await bot.join(bot.user("Rina"), Role.EDITOR)
    await bot.newsroom(editor)
    operator = await bot.join(bot.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    await bot.send(operator.photo(jpeg(), caption=CAPTION))
    await bot.send(operator.tap_button(bot.last_to(operator), "Kirim"))
    card = bot.card()
    before = len(bot.newsroom_messages())
    for data in ("rr:1:2:no-such-reason", "rr:1:2:../x", "ap:1:2:3", "ap:", "dk:1", "rb:-1"):
        tap = await bot.send(editor.tap(card, data))
        answer = bot.fake.answers[tap["callback_query"]["id"]]
        assert answer["show_alert"] and "None" not in (answer["text"] or ""), data
    assert len(bot.newsroom_messages()) == before

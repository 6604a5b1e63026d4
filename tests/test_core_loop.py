"""End to end on Telegram: join, report, review, through the fake Bot API."""

from __future__ import annotations

from storage.models import Role
from tests.harness import CAPTION, Harness, jpeg


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
    assert card.buttons == []
    assert "disetujui" in bot.last_to(operator).text

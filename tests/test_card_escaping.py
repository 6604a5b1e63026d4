"""A long caption full of & < > on the newsroom's card: as much as fits, valid HTML, no entity
split, within 1024 as the contact sheet's caption or 4096 as a text card (newsroom_photos=album),
where the album caption above it is plain text, clipped to Telegram's 1024."""

from __future__ import annotations

import re

import pytest

from handlers.messages import T, Text, raw, t
from storage.models import Role
from tests.harness import Harness, jpeg
from tests.telegram_users import NEWSROOM_CHAT

LIMIT, CAPTION_LIMIT = 4096, 1024
ENTITY = re.compile(r"&(amp|lt|gt|quot|#\d+);")
CAPTIONS = {
    # What the issue saw: nothing of it was left but "…".
    "symbols": ("&<>" * 1000)[:3000],
    # Words, as a newsroom writes: "Rapat RT & RW <Cibuluh>", a price list with <, >.
    "words": (
        ("Kerja bakti RT 05 & RW 03 di <Cibuluh> && warga > 40 orang; harga <Rp5.000> & gratis. ")
        * 40
    )[:3000],
}


async def card_of(bot: Harness, caption: str) -> tuple[str, str]:
    """Report with this caption (typed at Ubah → Keterangan), send it; the card's HTML and text."""
    editor = await bot.join(bot.user("Rina", "Redaktur"), Role.EDITOR)
    await bot.newsroom(editor)
    operator = await bot.join(bot.user("Budi"), Role.OPERATOR, "Kecamatan Bogor Barat")
    await bot.send(operator.photo(jpeg(), caption="Kerja bakti di Cibuluh."))
    preview = bot.last_to(operator)
    await bot.send(operator.tap_button(preview, "Ubah"))
    await bot.send(operator.tap_button(bot.fake.message(operator.id, preview.message_id), "Ket"))
    await bot.send(operator.text(caption))
    await bot.send(operator.tap_button(bot.last_to(operator), "Kirim"))
    card = bot.card()
    sent = [
        c.params.get("text") or c.params.get("caption", "")
        for c in bot.fake.calls
        if c.method in ("sendMessage", "sendPhoto")
    ]
    return [text for text in sent if "Laporan #" in text][-1], card.text


STYLES = [
    pytest.param(CAPTION_LIMIT, id="sheet"),
    pytest.param(LIMIT, id="album", marks=pytest.mark.album_newsroom),
]


def shown_caption(visible: str, caption: str) -> str:
    """The caption part of the card's visible text, without the "…" that marks the cut."""
    start = visible.index(caption[:20])
    shown = visible[start:]
    assert shown.endswith("…"), shown[-40:]
    return shown[:-1]


@pytest.mark.parametrize("limit", STYLES)
@pytest.mark.parametrize("kind", list(CAPTIONS))
async def test_the_card_keeps_as_much_of_the_caption_as_fits(
    bot: Harness, kind: str, limit: int
) -> None:
    caption = CAPTIONS[kind]
    html, visible = await card_of(bot, caption)
    assert len(html) <= limit
    # Every & starts a whole entity: none was cut in half.
    assert html.count("&") == len(ENTITY.findall(html)), html[-60:]
    shown = shown_caption(visible, caption)
    assert caption.startswith(shown)
    # Cut where the next character would no longer fit: at most one escape ("&amp;") short.
    assert len(html) > limit - len("&amp;") - 1, len(html)
    least = {"symbols": 800, "words": 2500} if limit == LIMIT else {"symbols": 80, "words": 400}
    assert len(shown) >= least[kind], len(shown)


@pytest.mark.parametrize("limit", STYLES)
async def test_a_caption_that_fits_is_shown_whole_and_escaped(bot: Harness, limit: int) -> None:
    caption = "Rapat RT & RW <Cibuluh> > 40 warga hadir."
    html, visible = await card_of(bot, caption)
    assert caption in visible and "…" not in visible
    assert "Rapat RT &amp; RW &lt;Cibuluh&gt; &gt; 40 warga hadir." in html


@pytest.mark.album_newsroom
async def test_the_album_caption_is_plain_text_within_telegrams_limit(bot: Harness) -> None:
    caption = CAPTIONS["symbols"]
    await card_of(bot, caption)
    photo = [c for c in bot.fake.calls_of("sendPhoto") if "#2026-0001" in c.params["caption"]][-1]
    assert "parse_mode" not in photo.params  # plain: & < > are what the reader sees, unescaped
    text = photo.params["caption"]
    assert len(text) <= CAPTION_LIMIT and text.endswith("…") and "&amp;" not in text
    assert "&<>&<>" in text


async def deliver(bot: Harness, lines: list[T]) -> str:
    """A text straight through the Telegram adapter to the fake; the HTML it sent."""

    async def no_refs(ref: str) -> str | None:
        return None

    await bot.w.messengers["telegram"].deliver(str(NEWSROOM_CHAT["id"]), Text(lines), no_refs)
    return bot.fake.calls_of("sendMessage")[-1].params["text"]


async def test_when_one_caption_cannot_fit_the_next_longest_is_shortened(bot: Harness) -> None:
    lines = [t("card.caption"), raw("&" * 5000), raw("<" * 3000), raw("akhir")]
    html = await deliver(bot, lines)
    assert len(html) <= LIMIT and html.count("&") == len(ENTITY.findall(html))
    assert html.endswith("\nakhir") and len(html) > LIMIT - len("&amp;") - 1


async def test_without_a_caption_to_shorten_the_html_stays_valid(bot: Harness) -> None:
    html = await deliver(
        bot, [t("card.title", number="<Kominfo> & " * 800), t("card.photos", count=1)]
    )
    assert len(html) <= LIMIT and html.count("&") == len(ENTITY.findall(html))
    assert html.endswith("…") and html.count("&lt;") > 100
    assert "<b>" not in html  # the bold is lost rather than left open

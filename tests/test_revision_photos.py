"""With newsroom_photos=album, a revision sends the newsroom only the photos it has not seen (by
content), and its card says what changed about the photos and which earlier card shows the
others. (The contact-sheet card shows every photo, the new ones marked: test_contact_sheet.)"""

from __future__ import annotations

import pytest

from handlers.cards import photo_changes
from storage.models import Role
from tests.channels import CHANNELS, Person, TelegramPerson, WhatsAppPerson, join
from tests.harness import CAPTION, Harness, jpeg

SHOTS = [jpeg(color=(200, 30, 30)), jpeg(color=(30, 200, 30)), jpeg(color=(30, 30, 200))]
REPLACEMENT = jpeg(color=(220, 220, 20))
pytestmark = pytest.mark.album_newsroom


async def people(h: Harness, channel: str) -> tuple[Person, Person]:
    editor = await join(h, channel, "Rina Redaktur", Role.EDITOR)
    operator = await join(h, channel, "Budi Santoso", Role.OPERATOR, "Kecamatan Bogor Barat")
    return editor, operator


def photos_seen(h: Harness, editor: Person) -> list[bytes | None]:
    """The photos the editor's review place got, oldest first (None: re-encoded on upload)."""
    if isinstance(editor, TelegramPerson):
        sent = [m for m in h.newsroom_messages() if m.kind == "photo"]
        return [h.fake.files.get(m.file_id or "") for m in sent]
    assert isinstance(editor, WhatsAppPerson)
    return [None for m in editor.user.sent() if m.type == "image"]


def card_text(h: Harness, editor: Person) -> str:
    if isinstance(editor, TelegramPerson):
        return h.card().text
    assert isinstance(editor, WhatsAppPerson)
    return [m.text for m in editor.user.sent() if "Laporan #" in m.text][-1]


async def send_photos(h: Harness, operator: Person, shots: list[bytes]) -> None:
    for data in shots:
        await operator.photo(data)
    await h.settle()


async def first_version(h: Harness, editor: Person, operator: Person) -> None:
    await send_photos(h, operator, SHOTS)
    await operator.say(CAPTION)
    await operator.tap("Informasi")
    await operator.tap("Kirim")
    assert len(photos_seen(h, editor)) == 3  # a first version sends every photo
    await editor.tap("revisi")
    await editor.tap("Foto buram")
    await operator.tap("Kirim revisi")


@pytest.mark.parametrize("channel", CHANNELS)
async def test_one_photo_replaced_among_three_sends_only_it(both: Harness, channel: str) -> None:
    editor, operator = await people(both, channel)
    await first_version(both, editor, operator)
    await send_photos(both, operator, [SHOTS[0], SHOTS[1], REPLACEMENT])
    assert "Foto: 3" in operator.last_text()
    await operator.tap("Kirim")
    seen = photos_seen(both, editor)
    assert len(seen) == 4  # the three of version 1, then only the new one
    if channel == "telegram":
        assert seen[-1] == REPLACEMENT  # resent by file id: the very photo
    card = card_text(both, editor)
    assert "Revisi ke-2" in card
    assert "Foto: 1 baru, 1 dihapus, 2 sama (3 → 3 foto)" in card
    assert "2 foto yang sama tidak dikirim ulang: lihat kartu versi 1" in card
    await editor.tap("Setujui")  # the decided card keeps saying where the photos are
    decided = card_text(both, editor)
    assert "Disetujui" in decided and "lihat kartu versi 1" in decided


@pytest.mark.parametrize("channel", CHANNELS)
async def test_only_the_caption_changed_sends_no_photo(both: Harness, channel: str) -> None:
    editor, operator = await people(both, channel)
    await first_version(both, editor, operator)
    await operator.say(CAPTION + " Bersama Lurah Cibuluh.")
    await operator.tap("Ya, ganti")
    await operator.tap("Kirim")
    assert len(photos_seen(both, editor)) == 3  # nothing sent again
    card = card_text(both, editor)
    assert "Revisi ke-2" in card and "ditambah: Bersama Lurah Cibuluh." in card
    assert "Foto: tidak berubah" in card
    assert "3 foto yang sama tidak dikirim ulang: lihat kartu versi 1" in card


@pytest.mark.parametrize("channel", CHANNELS)
async def test_the_same_photos_sent_again_are_not_resent(both: Harness, channel: str) -> None:
    editor, operator = await people(both, channel)
    await first_version(both, editor, operator)
    await send_photos(both, operator, SHOTS)  # the operator sends the same three once more
    await operator.tap("Kirim")
    assert len(photos_seen(both, editor)) == 3
    assert "Foto: tidak berubah" in card_text(both, editor)


async def test_a_third_version_names_each_card_that_shows_its_photos(both: Harness) -> None:
    editor, operator = await people(both, "telegram")
    await first_version(both, editor, operator)
    await send_photos(both, operator, [SHOTS[0], SHOTS[1], REPLACEMENT])
    await operator.tap("Kirim")
    await editor.tap("revisi")
    await editor.tap("Keterangan kurang")
    await operator.tap("Kirim revisi")
    await operator.say(CAPTION + " Bersama Lurah Cibuluh.")
    await operator.tap("Ya, ganti")
    await operator.tap("Kirim")
    assert len(photos_seen(both, editor)) == 4
    card = card_text(both, editor)
    assert "Revisi ke-3" in card and "Foto: tidak berubah" in card
    assert "3 foto yang sama tidak dikirim ulang: lihat kartu versi 1, 2" in card


async def test_a_place_that_never_saw_the_first_card_gets_every_photo(both: Harness) -> None:
    """The Telegram newsroom saw version 1; an editor who joined on WhatsApp since did not."""
    editor, operator = await people(both, "telegram")
    await first_version(both, editor, operator)
    newcomer = await join(both, "whatsapp", "Sari Redaktur", Role.EDITOR)
    await send_photos(both, operator, [SHOTS[0], SHOTS[1], REPLACEMENT])
    await operator.tap("Kirim")
    assert len(photos_seen(both, editor)) == 4
    assert len(photos_seen(both, newcomer)) == 3
    assert "Foto: 1 baru, 1 dihapus, 2 sama" in card_text(both, newcomer)
    assert "tidak dikirim ulang" not in card_text(both, newcomer)
    assert "tidak dikirim ulang" in card_text(both, editor)


@pytest.mark.parametrize(
    ("before", "after", "key", "counts"),
    [
        ("abc", "abc", "card.photos_same", {}),
        ("abc", "cab", "card.photos_reordered", {}),
        ("abc", "abd", "card.photos_replaced", {"new": 1, "removed": 1, "kept": 2}),
        ("ab", "abcd", "card.photos_replaced", {"new": 2, "removed": 0, "kept": 2}),
        ("aab", "ab", "card.photos_replaced", {"new": 0, "removed": 1, "kept": 2}),
    ],
)
def test_photo_changes_count_by_content(
    before: str, after: str, key: str, counts: dict[str, int]
) -> None:
    change = photo_changes(list(before), list(after))
    assert change.key == key
    assert {k: change.params[k] for k in counts} == counts

"""Real WhatsApp webhook bodies (pywa's test data) through the adapter, one event each."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.channels.whatsapp import WhatsAppChannel, parse_command, split_batch
from handlers.events import InboundEvent
from handlers.texts import Texts
from storage.media import MediaStore

PAYLOADS = Path(__file__).parent / "payloads" / "whatsapp"
ROOT = Path(__file__).resolve().parent.parent


async def _nothing(*_args: object) -> None:
    return None


def offline_channel(tmp_path: Path, on_event: Any = _nothing, on_status: Any = _nothing):  # type: ignore[no-untyped-def]
    """The real adapter with callbacks of the test's own; it never reaches a Graph API here."""
    return WhatsAppChannel(
        phone_id="1122334455667",
        token="t",
        app_secret="s",
        verify_token="v",
        api_url="http://fake-graph",
        on_event=on_event,
        on_status=on_status,
        texts=Texts.load(ROOT / "prompts" / "id.toml"),
        media=MediaStore(tmp_path),
        window=_nothing,
        clock=lambda: None,
    )


async def events_of(name: str, tmp_path: Path) -> tuple[list[InboundEvent], list[tuple]]:
    events: list[InboundEvent] = []
    statuses: list[tuple] = []

    async def on_event(event: InboundEvent) -> None:
        events.append(event)

    async def on_status(*args: object) -> None:
        statuses.append(args)

    channel = offline_channel(tmp_path, on_event, on_status)
    await channel.process((PAYLOADS / name).read_bytes())
    await channel.close()
    return events, statuses


async def test_text(tmp_path: Path) -> None:
    [ev], _ = await events_of("text.json", tmp_path)
    assert ev.is_private and ev.text and ev.event_id == "wamid.xyzxyz"
    assert ev.sender == "US.13491208655302741918" == ev.chat_id  # the BSUID, not the number
    assert ev.opens_window


async def test_image_without_caption(tmp_path: Path) -> None:
    [ev], _ = await events_of("image.json", tmp_path)
    [media] = ev.media
    assert (media.kind, media.ref, media.mime) == ("photo", "65463453", "image/jpeg")
    assert ev.text == ""


async def test_an_edit_is_an_edited_event_without_media(tmp_path: Path) -> None:
    [ev], _ = await events_of("edited_image_caption.json", tmp_path)
    assert ev.edited and ev.text == "Updated image caption" and ev.media == []
    assert ev.message_id == "wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA="
    assert ev.event_id != ev.message_id  # each edit is its own delivery to dedupe


async def test_document(tmp_path: Path) -> None:
    [ev], _ = await events_of("document.json", tmp_path)
    assert ev.media[0].kind == "document" and ev.media[0].file_name


async def test_button_and_list_replies_are_taps(tmp_path: Path) -> None:
    [button], _ = await events_of("interactive_button_reply.json", tmp_path)
    [row], _ = await events_of("interactive_list_reply.json", tmp_path)
    assert button.callback_data and button.callback_id == button.event_id
    assert row.callback_data == "callback_data" and row.message_id == "wamid.xyzxyz"


@pytest.mark.parametrize("state", ["sent", "delivered", "read", "failed"])
async def test_statuses(tmp_path: Path, state: str) -> None:
    events, statuses = await events_of(f"status_{state}.json", tmp_path)
    [(message_id, status, error, failure)] = statuses
    assert events == [] and message_id == "wamid.xyzxyz" and status == state
    assert (error is not None) == (state == "failed")
    assert failure == ("permanent" if state == "failed" else None)  # 130472: an experiment


def test_a_batch_is_split_into_single_items() -> None:
    body = json.loads((PAYLOADS / "text.json").read_text())
    value = body["entry"][0]["changes"][0]["value"]
    value["messages"].append({**value["messages"][0], "id": "wamid.second"})
    status = json.loads((PAYLOADS / "status_read.json").read_text())
    value["statuses"] = status["entry"][0]["changes"][0]["value"]["statuses"]
    pieces = [json.loads(p) for p in split_batch(json.dumps(body).encode())]
    inner = [p["entry"][0]["changes"][0]["value"] for p in pieces]
    assert [len(v.get("messages", [])) + len(v.get("statuses", [])) for v in inner] == [1, 1, 1]
    assert inner[1]["messages"][0]["id"] == "wamid.second"


def test_words_are_commands() -> None:
    assert parse_command("LAPOR") == ("lapor", [])
    assert parse_command("gabung Ab12cd") == ("start", ["Ab12cd"])
    assert parse_command("/status") == ("status", [])
    assert parse_command("Kerja bakti di RW 05") == (None, [])


async def test_a_long_list_keeps_its_way_out(tmp_path: Path) -> None:
    from handlers.messages import Button, raw

    channel = offline_channel(tmp_path)
    taps = [Button(raw(f"Alasan {i}"), f"rr:1:1:{i}") for i in range(12)]
    taps += [Button(raw("Tulis alasan"), "rt:1:1"), Button(raw("Kembali"), "rb:1")]
    choices = channel.messenger._choices(taps)
    rows = [row.title for section in choices.sections for row in section.rows]  # type: ignore[union-attr]
    assert len(rows) == 10 and rows[-2:] == ["Tulis alasan", "Kembali"]
    await channel.close()

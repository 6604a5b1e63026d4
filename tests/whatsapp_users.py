"""People on WhatsApp: they build webhook bodies in Meta's shapes (see shared/payloads/whatsapp)."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any

from tests.fake_whatsapp import PHONE_ID, FakeGraph, WaSent

APP_SECRET = "wa-app-secret"
_ids = itertools.count(1)


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def envelope(value: dict[str, Any]) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1234567890987654321",
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "6281100000000",
                                "phone_number_id": PHONE_ID,
                            },
                            **value,
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }


def batch(*bodies: dict[str, Any]) -> dict[str, Any]:
    """Several webhook bodies as one delivery (Meta batches messages and statuses)."""
    value: dict[str, Any] = {"contacts": [], "messages": [], "statuses": []}
    for body in bodies:
        inner = body["entry"][0]["changes"][0]["value"]
        for key in value:
            value[key] += inner.get(key, [])
    return envelope({k: v for k, v in value.items() if v})


class WaUser:
    def __init__(self, graph: FakeGraph, wa_id: str, name: str) -> None:
        self.graph, self.wa_id, self.name = graph, wa_id, name
        self.bsuid = f"ID.{int(hashlib.sha256(wa_id.encode()).hexdigest()[:12], 16)}"

    @property
    def address(self) -> str:
        """What the bot replies to: the business-scoped user id."""
        return self.bsuid

    def sent(self) -> list[WaSent]:
        return self.graph.to(self.address)

    def last(self) -> WaSent:
        return self.graph.last_to(self.address)

    def _message(self, kind: str, **fields: Any) -> dict[str, Any]:
        message = {
            "from": self.wa_id,
            "id": f"wamid.IN{next(_ids)}",
            "timestamp": str(int(time.time())),
            "type": kind,
            **fields,
        }
        contact = {"profile": {"name": self.name}, "wa_id": self.wa_id, "user_id": self.bsuid}
        return envelope({"contacts": [contact], "messages": [message]})

    def text(self, text: str) -> dict[str, Any]:
        return self._message("text", text={"body": text})

    def image(self, data: bytes, caption: str | None = None) -> dict[str, Any]:
        media_id = self.graph.add_media(data, "image/jpeg")
        image: dict[str, Any] = {
            "mime_type": "image/jpeg",
            "sha256": f"s{media_id}",
            "id": media_id,
        }
        if caption is not None:
            image["caption"] = caption
        return self._message("image", image=image)

    def document(self, data: bytes, filename: str, mime: str) -> dict[str, Any]:
        media_id = self.graph.add_media(data, mime)
        document = {
            "filename": filename,
            "mime_type": mime,
            "sha256": f"s{media_id}",
            "id": media_id,
        }
        return self._message("document", document=document)

    def location(self, name: str = "Aula Kecamatan") -> dict[str, Any]:
        place = {"latitude": -6.5971, "longitude": 106.806, "name": name, "address": "Bogor"}
        return self._message("location", location=place)

    def contact(self, name: str = "Pak Camat", phone: str = "+62 812-3456-7890") -> dict[str, Any]:
        card = {
            "name": {"formatted_name": name, "first_name": name},
            "phones": [{"phone": phone, "wa_id": "6281234567890", "type": "CELL"}],
        }
        return self._message("contacts", contacts=[card])

    def react(self, sent: WaSent, emoji: str = "👍") -> dict[str, Any]:
        return self._message("reaction", reaction={"message_id": sent.id, "emoji": emoji})

    def sticker(self) -> dict[str, Any]:
        media_id = self.graph.add_media(b"RIFF....WEBP", "image/webp")
        item = {"mime_type": "image/webp", "sha256": f"s{media_id}", "id": media_id}
        return self._message("sticker", sticker={**item, "animated": False})

    def edited(self, body: dict[str, Any], text: str) -> dict[str, Any]:
        """An edit of the message in body (a text's words or an image's caption)."""
        original = body["entry"][0]["changes"][0]["value"]["messages"][0]
        kind = original["type"]
        content = dict(original[kind])
        content["body" if kind == "text" else "caption"] = text
        edit = {"original_message_id": original["id"], "message": {"type": kind, kind: content}}
        return self._message("edit", edit=edit)

    def tap(self, sent: WaSent, title_part: str) -> dict[str, Any]:
        """Press a reply button or choose a list row whose title contains title_part."""
        found = [(t, d) for t, d in sent.buttons if title_part.lower() in t.lower()]
        if not found:
            raise AssertionError(f"no choice like {title_part!r} in {sent.buttons}")
        title, data = found[0]
        context = {"from": "6281100000000", "id": sent.id}
        if sent.raw.get("interactive", {}).get("type") == "list":
            reply = {"type": "list_reply", "list_reply": {"id": data, "title": title}}
        else:
            reply = {"type": "button_reply", "button_reply": {"id": data, "title": title}}
        return self._message("interactive", interactive=reply, context=context)


def status(sent: WaSent, state: str, error_code: int | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": sent.id,
        "status": state,
        "timestamp": str(int(time.time())),
        "recipient_id": sent.to,
        "recipient_user_id": sent.to,
    }
    if error_code is not None:
        item["errors"] = [
            {
                "code": error_code,
                "title": "Failed",
                "message": "Failed",
                "error_data": {"details": "Message failed to send because more than 24 hours"},
            }
        ]
    contact = {"profile": {"name": "-"}, "wa_id": sent.to, "user_id": sent.to}
    return envelope({"contacts": [contact], "statuses": [item]})


def encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body).encode()

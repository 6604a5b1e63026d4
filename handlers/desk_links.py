""" "Buka di dasbor": a button on chat messages that opens their item on the web desk.

Only with a desk (WARTA_PUBLIC_URL). A person who is not signed in is sent to sign in and,
after the chat's /dasbor link, lands back on that item (bot/desk/guard.py).
"""

from __future__ import annotations

from datetime import date

from handlers.config import Core
from handlers.messages import Button, t

HOME = "/dasbor"  # Ringkasan
PENDING_LIST = "/laporan?status=pending"  # pending reports (shown as ?status=menunggu)


def desk_url(core: Core, path: str) -> str | None:
    return f"{core.public_url}{path}" if core.public_url else None


def open_in_desk(core: Core, path: str) -> list[list[Button]]:
    """One row with the button, or none without a desk."""
    url = desk_url(core, path)
    return [[Button(t("button.open_desk"), url=url)]] if url else []


def period_list(first: date, last: date) -> str:
    """The list of the reports sent in these local days (a recap's period)."""
    return f"/laporan?dari={first.isoformat()}&sampai={last.isoformat()}"


def report_path(number: str) -> str:
    return f"/laporan/{number}"

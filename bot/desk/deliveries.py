"""Pengiriman (/pengiriman), coordinators only: the messages that could not be delivered in
the last 30 days (handlers/deliveries.py), who they were for and what they were, each with a
button that sends it again (an htmx POST that swaps its row; a plain form without JS)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.channels.whatsapp import failure_of
from bot.desk.guard import require
from bot.desk.pages import COORDINATORS
from bot.desk.said import said
from handlers import deliveries
from handlers.outcome import Outcome
from handlers.timefmt import when

if TYPE_CHECKING:
    from bot.desk.site import Desk

SHOWN_DAYS = 30  # delivery receipts are kept 30 days (bot/scheduler.py RECEIPTS_KEEP)
SHOWN_ROWS = 200


def routes(desk: Desk) -> list[BaseRoute]:
    view = DeliveriesPage(desk)
    return [
        Route("/pengiriman", desk.page(view.show), methods=["GET"]),
        Route(
            "/pengiriman/{source:str}/{item_id:int}/ulang",
            desk.page(view.retry),
            methods=["POST"],
        ),
    ]


class DeliveriesPage:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    async def show(self, request: Request, outcome: Outcome | None = None) -> Response:
        await require(request, COORDINATORS)
        since = self.desk.clock() - timedelta(days=SHOWN_DAYS)
        async with self.desk.sessionmaker() as session:
            rows = await deliveries.undelivered(
                session, self.desk.core.texts, since=since, limit=SHOWN_ROWS, failure_of=failure_of
            )
        return self.desk.pages.render(
            request,
            "deliveries.html",
            block="reply",
            said=said(self.desk.core.texts, outcome),
            rows=rows,
            channels=deliveries.CHANNELS,
            days=SHOWN_DAYS,
            when=lambda at: when(at, self.desk.tz),
        )

    async def retry(self, request: Request) -> Response:
        member = await require(request, COORDINATORS)
        source, item_id = request.path_params["source"], request.path_params["item_id"]
        outcome = await self.desk.act(member, lambda ctx: deliveries.retry(ctx, source, item_id))
        if request.headers.get("hx-request") == "true":  # only the row changes
            return self.desk.pages.render(
                request,
                "deliveries.html",
                block="answer",
                fragment=True,
                said=said(self.desk.core.texts, outcome),
                row_id=f"kirim-{source}-{item_id}",
            )
        return await self.show(request, outcome)

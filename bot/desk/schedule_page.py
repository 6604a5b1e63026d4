"""Jadwal (/jadwal), coordinators only: the pillar schedule in force, the next 14 days with
their pillar and days off, and the schedule file edited in place. Saving is
handlers/schedule_edit.save: the file's own checks and messages, an atomic write with a
backup, in force at once here and followed by every other process."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.desk.guard import form_of, require
from bot.desk.pages import COORDINATORS
from bot.desk.said import said
from handlers import schedule_edit
from handlers.outcome import Outcome
from handlers.schedule import text_digest
from handlers.timefmt import long_date

if TYPE_CHECKING:
    from bot.desk.site import Desk

LINE = re.compile(r"\bbaris (\d+)\b")  # the loader names the line: "kota-bogor.toml baris 12"


def routes(desk: Desk) -> list[BaseRoute]:
    view = SchedulePage(desk)
    return [
        Route("/jadwal", desk.page(view.show), methods=["GET"]),
        Route("/jadwal", desk.page(view.save), methods=["POST"]),
    ]


class SchedulePage:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    async def show(self, request: Request) -> Response:
        await require(request, COORDINATORS)
        text = schedule_edit.file_text(self.desk.core)
        return self.render(request, text=text, base=text_digest(text))

    async def save(self, request: Request) -> Response:
        member = await require(request, COORDINATORS)
        form = await form_of(request)
        text, base = form.get("teks", ""), form.get("dasar", "")
        outcome = await self.desk.act(member, lambda ctx: schedule_edit.save(ctx, text, base))
        if outcome.done:  # the editor starts again from what is now the file
            text = schedule_edit.file_text(self.desk.core)
            return self.render(request, outcome, text=text, base=text_digest(text))
        return self.render(request, outcome, text=text, base=base, wrong=_wrong_line(outcome))

    def render(
        self,
        request: Request,
        outcome: Outcome | None = None,
        *,
        text: str,
        base: str,
        wrong: int | None = None,
    ) -> Response:
        core = self.desk.core
        today = self.desk.clock().astimezone(core.tz).date()
        source = core.schedule.source
        return self.desk.pages.render(
            request,
            "schedule.html",
            block="reply",
            said=said(core.texts, outcome),
            schedule=core.schedule,
            file=source.name if source else None,
            days=schedule_edit.next_days(core, today),
            today=today,
            text=text,
            base=base,
            wrong=wrong,
            lines=text.splitlines() if wrong else [],
            long_date=long_date,
        )


def _wrong_line(outcome: Outcome) -> int | None:
    """The line an error names, to mark it in the numbered copy of the text."""
    for line in outcome.lines:
        found = LINE.search(str(line.params.get("error", "")))
        if found:
            return int(found[1])
    return None

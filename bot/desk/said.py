"""What a use case said, as HTML for a desk page: *bold* as <strong>, lines as lines."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from handlers.messages import T
from handlers.outcome import Outcome
from handlers.texts import Texts


class HtmlMarkup:
    """The desk's markup for prompt texts (the channels have theirs)."""

    def escape(self, text: str) -> str:
        return str(escape(text))

    def bold(self, text: str) -> str:
        return f"<strong>{text}</strong>"


@dataclass(frozen=True)
class Said:
    """A use case's answer on a page: role=status when done, role=alert when refused."""

    html: Markup
    done: bool


def html_lines(texts: Texts, lines: tuple[T, ...] | list[T]) -> Markup:
    rendered = (texts.render(line, HtmlMarkup()).replace("\n", "<br>") for line in lines)
    return Markup("<br>".join(rendered))  # every piece was escaped by HtmlMarkup


def said(texts: Texts, outcome: Outcome | None) -> Said | None:
    return None if outcome is None else Said(html_lines(texts, outcome.lines), outcome.done)

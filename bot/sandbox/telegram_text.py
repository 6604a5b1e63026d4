"""What Telegram accepts as message text: its limits and the HTML subset of parse_mode=HTML."""

from __future__ import annotations

import html.parser


class BotApiError(Exception):
    """An error as the Bot API answers it: its code, description and parameters."""

    def __init__(
        self,
        code: int,
        description: str,
        retry_after: int | None = None,
        migrate_to: int | None = None,
    ) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after
        self.migrate_to = migrate_to


CAPTION_LIMIT, TEXT_LIMIT, CALLBACK_DATA_LIMIT, DOWNLOAD_LIMIT = 1024, 4096, 64, 20 * 1024 * 1024
ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "tg-spoiler",
    "blockquote",
}


class _HtmlText(html.parser.HTMLParser):
    """Strips Telegram HTML to the visible text, rejecting tags Telegram would refuse."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            raise BotApiError(400, f"Bad Request: can't parse entities: unsupported tag {tag}")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            raise BotApiError(400, f"Bad Request: can't parse entities: unexpected end {tag}")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def visible_text(text: str, parse_mode: str | None) -> str:
    if parse_mode != "HTML":
        return text
    parser = _HtmlText()
    parser.feed(text)
    parser.close()
    if parser.stack:
        raise BotApiError(400, "Bad Request: can't parse entities: unclosed tag")
    return "".join(parser.parts)

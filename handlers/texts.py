"""User-facing texts from prompts/<lang>.toml, rendered with a channel's markup."""

from __future__ import annotations

import re
import string
import tomllib
from pathlib import Path
from typing import Any, Protocol

from handlers.messages import T

_BOLD = re.compile(r"\*(?=\S)([^*\n]+?)(?<=\S)\*")
_SENTINEL = "\x00{}\x00"


class Markup(Protocol):
    """How a channel escapes text and shows bold (*text* in the prompt files)."""

    def escape(self, text: str) -> str: ...

    def bold(self, text: str) -> str: ...


class PlainMarkup:
    def escape(self, text: str) -> str:
        return text

    def bold(self, text: str) -> str:
        return text


class Texts:
    """The catalogue of texts of one language."""

    def __init__(self, entries: dict[str, str]) -> None:
        self.entries = entries

    @classmethod
    def load(cls, path: Path) -> Texts:
        with path.open("rb") as f:
            data = tomllib.load(f)
        return cls(_flatten(data))

    def template(self, key: str) -> str:
        try:
            return self.entries[key]
        except KeyError:
            raise KeyError(f"text {key!r} missing from the prompts file") from None

    def render(self, piece: T, markup: Markup | None = None) -> str:
        return render_template(self.template(piece.key), piece.params, markup or PlainMarkup())

    def render_lines(self, lines: list[T], markup: Markup | None = None) -> str:
        return "\n".join(self.render(line, markup) for line in lines)


def render_template(template: str, params: dict[str, Any], markup: Markup) -> str:
    """Placeholders become sentinels first, so *bold* may wrap them and values are escaped once."""
    values: list[str] = []
    parts: list[str] = []
    for literal, name, spec, conv in string.Formatter().parse(template):
        parts.append(literal)
        if name is None:
            continue
        value = params[name]
        if conv == "r":
            value = repr(value)
        values.append(markup.escape(format(value, spec or "")))
        parts.append(_SENTINEL.format(len(values) - 1))
    text = markup.escape("".join(parts))
    text = _BOLD.sub(lambda m: markup.bold(m.group(1)), text)
    for i, value in enumerate(values):
        text = text.replace(_SENTINEL.format(i), value)
    return text


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in data.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{full}."))
        else:
            flat[full] = str(value)
    return flat

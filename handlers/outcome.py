"""What a use case answers: the texts to show, and whether it did what was asked.

Chat replies with the lines; the desk shows them as a status (done) or an alert (refused).
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.messages import T


@dataclass(frozen=True)
class Outcome:
    lines: tuple[T, ...]
    done: bool

    @property
    def key(self) -> str:
        """The first text's key: what a surface may add its own hint to."""
        return self.lines[0].key


def done(*lines: T) -> Outcome:
    return Outcome(lines, True)


def refused(*lines: T) -> Outcome:
    return Outcome(lines, False)

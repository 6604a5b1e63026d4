"""Waiting for what an emulated API receives: re-checked on every call, never by sleeping."""

from __future__ import annotations

import asyncio
from typing import Any


class Waiters:
    def __init__(self) -> None:
        self._waiters: list[tuple[Any, asyncio.Future[Any]]] = []

    async def wait_for(self, predicate: Any, limit: float = 60) -> Any:
        """Wait until predicate() is truthy, re-checked whenever the fake records something."""
        found = predicate()
        if found:
            return found
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiters.append((predicate, future))
        return await asyncio.wait_for(future, limit)

    def _notify(self) -> None:
        for entry in list(self._waiters):
            predicate, future = entry
            if future.done():
                self._waiters.remove(entry)
                continue
            found = predicate()
            if found:
                future.set_result(found)
                self._waiters.remove(entry)

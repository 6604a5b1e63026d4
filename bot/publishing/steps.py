"""Each step of a publication recorded before and after it is taken.

progress (stored on the publication): {"started": the step begun last, "done": {step: what the
platform answered}}. A step found started and not done may have happened (the process was
killed between the call and the record): its `find` asks the platform before doing it again.
Steps without one are harmless to repeat (an unpublished upload, a lookup).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

Save = Callable[[dict[str, Any]], Awaitable[None]]
Hook = Callable[[str, str], Awaitable[None]]  # step, "before" | "after": tests kill here


async def _no_hook(_step: str, _when: str) -> None:
    return None


class Steps:
    def __init__(self, progress: dict[str, Any], save: Save, hook: Hook = _no_hook) -> None:
        self.progress = {**progress, "done": dict(progress.get("done", {}))}
        self.save, self.hook = save, hook

    def result(self, name: str) -> Any:
        return self.progress["done"].get(name)

    async def take(
        self,
        name: str,
        do: Callable[[], Awaitable[Any]],
        find: Callable[[], Awaitable[Any]] | None = None,
    ) -> Any:
        done = self.progress["done"]
        if name in done:
            return done[name]
        if self.progress.get("started") == name and find is not None:
            found = await find()
            if found is not None:
                return await self._finish(name, found)
        self.progress["started"] = name
        await self.save(self.progress)
        await self.hook(name, "before")
        result = await do()
        await self.hook(name, "after")
        return await self._finish(name, result)

    async def forget(self, *names: str) -> None:
        """Steps to take again (an expired Instagram container is made anew)."""
        for name in names:
            self.progress["done"].pop(name, None)
        await self.save(self.progress)

    async def _finish(self, name: str, result: Any) -> Any:
        self.progress["done"][name] = result
        self.progress["started"] = None
        await self.save(self.progress)
        return result

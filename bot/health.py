"""Is Warta able to work: its loops' last passes, the database, the disk (/health, heartbeat)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

# What a database or disk outage raises (a bug raises something else: it is logged, and does
# not make the process look unable to work).
OUTAGES = (OperationalError, InterfaceError, PoolTimeout, OSError)


def is_outage(exc: BaseException) -> bool:
    return isinstance(exc, OUTAGES)


class Pulse:
    """The state of one background loop: a failing last pass or no pass for too long is a
    problem. A loop that was never started (tests drive the work themselves) has none."""

    def __init__(self, name: str, stale_after: float) -> None:
        self.name, self.stale_after = name, stale_after
        self.running = False
        self._last_ok = 0.0
        self._failing: str | None = None

    def start(self) -> None:
        self.running, self._last_ok = True, time.monotonic()

    def stop(self) -> None:
        self.running = False

    def ok(self) -> None:
        self._last_ok, self._failing = time.monotonic(), None

    def fail(self, exc: BaseException) -> None:
        self._failing = f"{type(exc).__name__}: {exc}"[:200]

    def problem(self) -> str | None:
        if not self.running:
            return None
        if self._failing is not None:
            return f"{self.name}: {self._failing}"
        idle = time.monotonic() - self._last_ok
        return f"{self.name}: no pass for {idle:.0f} s" if idle > self.stale_after else None


async def keep_running(
    work: Callable[[], Awaitable[None]],
    *,
    pulse: Pulse,
    every: float,
    stop: asyncio.Event,
    log: logging.Logger,
) -> None:
    """Run work every `every` seconds until stop is set. A failing pass marks the pulse and is
    logged; nothing ends the loop (the next pass tries again). Work marks success itself."""
    pulse.start()
    while not stop.is_set():
        try:
            await work()
        except Exception as exc:
            pulse.fail(exc)
            log.warning("%s pass failed (%s); trying again", pulse.name, exc, exc_info=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
    pulse.stop()


def disk_problems(folders: list[Path], min_free_bytes: int) -> list[str]:
    """A folder Warta writes to (data, media) that is not writable or nearly full."""
    problems = []
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            probe = folder / f".health-{os.getpid()}"
            probe.write_bytes(b"ok")
            probe.unlink()
            free = shutil.disk_usage(folder).free
        except OSError as exc:
            problems.append(f"{folder}: not writable ({exc.strerror or exc})")
            with contextlib.suppress(OSError):
                (folder / f".health-{os.getpid()}").unlink()
            continue
        if free < min_free_bytes:
            problems.append(f"{folder}: disk nearly full ({free // 1_048_576} MB free)")
    return problems

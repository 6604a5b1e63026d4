"""A process's name on the rows it claims, the same after a restart, unique while it runs.

A killed process leaves outbox messages and webhook bodies claimed under its name; the process
started in its place has the same name, so it takes them back at once instead of waiting out
the lease. The name is host + data folder + a slot: the lowest slot whose lock file in the data
folder nobody holds. Two processes running side by side hold different slots (so neither takes
the other's claims), and the kernel frees a killed process's lock, so its successor gets its
slot, and its name, back.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import socket
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)
MAX_SLOTS = 64


class WorkerIdentity:
    def __init__(self, name: str, lock: IO[bytes] | None = None) -> None:
        self.name, self._lock = name, lock

    def release(self) -> None:
        if self._lock is not None:
            self._lock.close()  # closing drops the lock
            self._lock = None


def acquire(folder: Path, configured: str | None = None) -> WorkerIdentity:
    """The configured name (WARTA_WORKER_ID), else host/folder/slot with the slot's lock held."""
    if configured:
        return WorkerIdentity(configured)
    base = f"{socket.gethostname()}/{hashlib.sha1(str(folder.resolve()).encode()).hexdigest()[:8]}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for slot in range(1, MAX_SLOTS + 1):
            lock = (folder / f".worker-{slot}.lock").open("ab")
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                lock.close()
                continue
            return WorkerIdentity(f"{base}/{slot}"[:128], lock)
    except OSError:
        log.warning("cannot lock a worker slot in %s", folder, exc_info=True)
    # Unique but not stable: claims of a killed predecessor wait out their (short) lease.
    return WorkerIdentity(f"{base}/pid{os.getpid()}"[:128])

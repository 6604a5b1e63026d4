"""glibc's malloc, tuned for a long-running process that decodes photos (BENCHMARKS.md, memory).

warta.sh and the Dockerfile set these through the environment, which glibc reads at start; a
`warta run` started another way (a systemd unit, `.venv/bin/warta`) gets them from here, before
any worker thread exists. A value set in the environment wins.
"""

from __future__ import annotations

import ctypes
import os

# mallopt's parameters (glibc's malloc.h) and the values warta.sh exports.
M_MMAP_THRESHOLD, M_ARENA_MAX = -3, -8
SETTINGS = {
    # Two arenas, not one per allocating thread, each keeping what was freed in it.
    "MALLOC_ARENA_MAX": (M_ARENA_MAX, 2),
    # Blocks of 128 KiB and more mapped by themselves, so a decoded photo goes back to the
    # system when freed (glibc otherwise raises this after the first large free).
    "MALLOC_MMAP_THRESHOLD_": (M_MMAP_THRESHOLD, 131072),
}


def tune_malloc() -> list[str]:
    """Apply what the environment does not set; the names applied (none where not glibc)."""
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return []
    applied = []
    for name, (param, value) in SETTINGS.items():
        if name not in os.environ and mallopt(param, value) == 1:
            applied.append(name)
    return applied

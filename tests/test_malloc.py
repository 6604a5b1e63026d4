"""bot/malloc.py: glibc's malloc tuned as warta.sh tunes it, unless the environment says."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = "from bot.malloc import tune_malloc; print(','.join(tune_malloc()))"


def applied(**env: str) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=clean | env, capture_output=True, text=True, cwd=ROOT
    )
    assert run.returncode == 0, run.stderr
    return [name for name in run.stdout.strip().split(",") if name]


def test_both_settings_apply_where_the_environment_is_silent() -> None:
    assert applied() == ["MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_"]


def test_a_setting_in_the_environment_wins() -> None:
    assert applied(MALLOC_ARENA_MAX="4") == ["MALLOC_MMAP_THRESHOLD_"]

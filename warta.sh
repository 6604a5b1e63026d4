#!/usr/bin/env sh
# Sets up .venv on first use, then runs Warta.
#   ./warta.sh run            install and start the bot (SQLite by default, polling)
#   ./warta.sh test [args]    install test tools, lint, type-check, run the test suite
#   ./warta.sh <command>      any other `warta` command (unit, invite, members, migrate, health)
set -eu
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Warta needs Python 3.11 or newer (found: $("$PY" --version 2>&1))." >&2
  exit 2
fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv
cmd=${1:-run}
extras=""
[ "$cmd" = test ] && extras="[dev]"
stamp=".venv/.installed$extras"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".$extras"
  touch "$stamp"
fi
if [ "$cmd" = test ]; then
  shift
  .venv/bin/ruff check .
  .venv/bin/ruff format --check --quiet .
  .venv/bin/mypy
  exec .venv/bin/python -m pytest "$@"
fi
[ $# -gt 0 ] && shift
# glibc malloc for a long-lived process with worker threads (issue 13): two arenas, not eight per
# core that each keep the pages freed in them; and blocks of 128 KiB and more (decoded photos, a
# contact sheet) always mapped on their own, so they go back to the system when freed, where glibc
# would raise that threshold to the largest block freed so far and keep them in its heap. Set
# either before calling this script to choose otherwise; bench/memory.py runs with these.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-131072}"
exec .venv/bin/warta "$cmd" "$@"

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
exec .venv/bin/warta "$cmd" "$@"

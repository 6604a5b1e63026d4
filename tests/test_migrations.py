"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

import asyncio
import subprocess
import sys

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from storage.db import alembic_config, script_heads, upgrade
from storage.models import Base
from tests.harness import ROOT


async def test_migrations_match_the_models(database_url: str) -> None:
    engine = create_async_engine(database_url)
    try:
        await upgrade(engine)
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
            )
    finally:
        await engine.dispose()
    assert diff == []


def test_the_heads_read_from_the_files_are_alembics() -> None:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert script_heads() == set(heads)


def _python(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)


def _downgrade_one(conn: Connection) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    command.downgrade(cfg, "-1")


async def test_a_start_at_head_leaves_alembic_unloaded(database_url: str) -> None:
    """Every start runs upgrade(); on a schema at head it must not load alembic (~7 MB), and
    on an older one it still migrates."""
    engine = create_async_engine(database_url)
    try:
        await upgrade(engine)
        async with engine.begin() as conn:
            await conn.run_sync(_downgrade_one)
    finally:
        await engine.dispose()
    script = (
        "import asyncio, sys\n"
        "from sqlalchemy.ext.asyncio import create_async_engine\n"
        "from storage.db import upgrade\n"
        f"engine = create_async_engine({database_url!r})\n"
        "asyncio.run(upgrade(engine))\n"
        "print('alembic' in sys.modules)\n"
    )
    runs = [await asyncio.to_thread(_python, script) for _ in range(2)]
    assert [run.stdout.strip() for run in runs] == ["True", "False"], runs

"""Database engine, sessions and migrations."""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# A burst queues for a connection, it is not dropped: 200 operators at once on PostgreSQL
# waited up to 15 s for one of 20 on an idle machine (bench/report_throughput.py), past the
# default 30 s on a loaded one, and the update failed. Only a database that keeps every
# connection this long fails an update.
POOL_WAIT = 600
# An execution option: the connection only reads (reading()), so SQLite starts no transaction.
READ_ONLY = "warta_read_only"


def make_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        _ensure_sqlite_folder(url)
        # SQLite has one writer. One pooled connection makes this process's sessions queue on
        # an asyncio queue in order, instead of SQLite's busy handler sleeping (up to 100 ms a
        # try) under load; other processes (the CLI) still wait through busy_timeout.
        engine = create_async_engine(
            url, connect_args={"timeout": 30}, pool_size=1, max_overflow=0, pool_timeout=POOL_WAIT
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin_immediate)
        return engine
    # 20 connections: the engine runs at most webhook_concurrency (8) events at once beside
    # the outbox and timers, and several processes share PostgreSQL's 100 by default.
    return create_async_engine(
        url, pool_size=10, max_overflow=10, pool_timeout=POOL_WAIT, pool_pre_ping=True
    )


def dialect_insert(session: AsyncSession):
    """insert() that knows ON CONFLICT for the session's database (PostgreSQL or SQLite)."""
    # Imported here: each dialect's module is loaded only by the database in use.
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


async def lock_for_transaction(session: AsyncSession, key: str) -> bool:
    """Serialize transactions about one thing (a person) across processes until commit;
    True if a lock was taken now (what was read before it may have changed meanwhile).

    PostgreSQL: a transaction-scoped advisory lock. SQLite: nothing to do, its transactions
    start with BEGIN IMMEDIATE and so run one at a time across processes already.
    """
    if session.get_bind().dialect.name != "postgresql":
        return False
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key}
    )
    return True


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def reading(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncSession:
    """A session that only reads (a check before the transaction, the outbox's next due time).

    On SQLite it sends no BEGIN IMMEDIATE: it takes no write lock from other processes and
    costs no statement; each read sees the latest commit. Never write through it: there is
    no transaction around its statements.
    """
    engine = sessionmaker.kw["bind"]
    return sessionmaker(bind=_read_only(engine))


@functools.lru_cache(maxsize=8)  # one per engine; a process has one or two
def _read_only(engine: AsyncEngine) -> AsyncEngine:
    return engine.execution_options(**{READ_ONLY: True})


def _ensure_sqlite_folder(url: str) -> None:
    path = url.split(":///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # WAL lets readers run beside the writer; busy_timeout makes writers queue instead of failing.
    # The driver's own BEGIN is switched off: _sqlite_begin_immediate takes the write lock up
    # front, so a transaction that read first never fails to upgrade (SQLITE_BUSY_SNAPSHOT).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_begin_immediate(conn: Connection) -> None:
    # Session.connection() applies the engine's options before it begins: reading() is seen.
    if not conn.get_execution_options().get(READ_ONLY):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def alembic_config() -> Config:
    from alembic.config import Config  # alembic and mako (~7 MB) only for a migration

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


async def upgrade(engine: AsyncEngine) -> None:
    """Bring the schema to the newest migration (run on every start)."""
    if await _at_head(engine):
        return  # the usual start: alembic (and the ~7 MB it loads) is not needed
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade_sync)


_REVISION = re.compile(r"^(down_revision|revision)\b[^=\n]*=(.+)$", re.MULTILINE)


def script_heads() -> set[str] | None:
    """The newest revisions, read from the migration files as alembic would find them;
    None when a file is not plain enough to read (then alembic decides)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = {name: value for name, value in _REVISION.findall(path.read_text())}
        try:
            revision = ast.literal_eval(found["revision"].strip())
            down = ast.literal_eval(found["down_revision"].strip())
        except (KeyError, ValueError, SyntaxError):
            return None
        revisions.add(revision)
        parents.update(down if isinstance(down, tuple) else [down] if down else [])
    return (revisions - parents) or None


async def _at_head(engine: AsyncEngine) -> bool:
    heads = script_heads()
    if heads is None:
        return False
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT version_num FROM alembic_version"))
            return {row[0] for row in rows} == heads
    except SQLAlchemyError:  # a new database: no version table yet
        return False


MIGRATION_LOCK = 727_401  # any constant; every Warta process agrees on it


def _upgrade_sync(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        # Two processes starting at once must not both run a migration: the second waits,
        # then finds the schema at head. Released at the end of this transaction.
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    from alembic import command

    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")

"""Tests and benchmarks start from an empty database: a new SQLite file, or a wiped PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine


async def fresh_database(url: str | None, folder: Path) -> str:
    """The URL to use. A PostgreSQL database given here is WIPED (schema public dropped)."""
    if url is None:
        return f"sqlite+aiosqlite:///{folder / 'warta.db'}"
    if url.startswith("postgresql"):
        engine = create_async_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()
    return url

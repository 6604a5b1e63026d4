"""Publications: each approved report on each target, claimed by one worker, step by step.

A step is recorded before it is taken (`started`) and after (`done`, with what the platform
answered), each in a transaction of its own. A worker that finds a step started but not done
knows it may have happened: it asks the platform before doing it again (bot.publishing.steps).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Publication
from storage.models import PublicationStatus as S

OPEN = (S.QUEUED, S.REMOVING)  # what a worker still has to do something about
TAKEN = (S.QUEUED, S.PUBLISHED, S.REMOVING)  # what holds its slot


class Publications:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def get(self, publication_id: int) -> Publication | None:
        return await self.s.get(Publication, publication_id)

    def add(self, org_id: int, report_id: int, target: str, slot_at: datetime) -> Publication:
        row = Publication(
            org_id=org_id,
            report_id=report_id,
            target=target,
            status=S.QUEUED,
            slot_at=slot_at,
            next_try_at=slot_at,
            progress={},
        )
        self.s.add(row)
        return row

    async def of_report(self, report_id: int) -> list[Publication]:
        rows = await self.s.scalars(
            select(Publication).where(Publication.report_id == report_id).order_by(Publication.id)
        )
        return list(rows)

    async def taken_slots(self, org_id: int, target: str, since: datetime) -> set[datetime]:
        rows = await self.s.scalars(
            select(Publication.slot_at).where(
                Publication.org_id == org_id,
                Publication.target == target,
                Publication.slot_at >= since,
                Publication.status.in_(TAKEN),
            )
        )
        return set(rows)

    async def queue(self, org_id: int, target: str | None = None) -> list[Publication]:
        """What waits to go out, in slot order (the desk's and /antrean's list)."""
        query = select(Publication).where(
            Publication.org_id == org_id, Publication.status == S.QUEUED
        )
        if target is not None:
            query = query.where(Publication.target == target)
        return list(await self.s.scalars(query.order_by(Publication.slot_at, Publication.id)))

    async def failed(self, org_id: int) -> list[Publication]:
        query = select(Publication).where(
            Publication.org_id == org_id, Publication.status == S.FAILED
        )
        return list(await self.s.scalars(query.order_by(Publication.id.desc()).limit(50)))

    async def claim_due(
        self, now: datetime, worker: str, lease: timedelta, limit: int = 8
    ) -> list[int]:
        """Take what is due and not held by a live claim; SKIP LOCKED keeps two workers apart
        on PostgreSQL, SQLite's one writer does the same."""
        rows = await self.s.scalars(
            select(Publication)
            .where(
                Publication.status.in_(OPEN),
                Publication.next_try_at <= now,
                or_(Publication.claimed_until.is_(None), Publication.claimed_until < now),
            )
            .order_by(Publication.next_try_at, Publication.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        taken = list(rows)
        for row in taken:
            row.claimed_by, row.claimed_until = worker, now + lease
        return [row.id for row in taken]

    async def next_due(self) -> datetime | None:
        return await self.s.scalar(
            select(Publication.next_try_at)
            .where(Publication.status.in_(OPEN))
            .order_by(Publication.next_try_at)
            .limit(1)
        )

    async def release(self, worker: str) -> int:
        """On start: what this worker identity held when its last run was killed."""
        result = await self.s.execute(
            update(Publication)
            .where(Publication.claimed_by == worker, Publication.status.in_(OPEN))
            .values(claimed_by=None, claimed_until=None)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def record(
        self, publication_id: int, worker: str, progress: dict[str, Any], until: datetime
    ) -> bool:
        """Write the progress (and renew the claim) only while this worker still holds it."""
        result = await self.s.execute(
            update(Publication)
            .where(Publication.id == publication_id, Publication.claimed_by == worker)
            .values(progress=progress, claimed_until=until)
        )
        return bool(getattr(result, "rowcount", 0))

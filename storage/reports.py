"""Reports (drafts included), their photos, the audit trail and pending editor questions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from storage import photo_search
from storage.db import dialect_insert, lock_for_transaction
from storage.models import (
    SUBMITTED_ONLY,
    CaptionFix,
    DraftStep,
    PendingReason,
    Photo,
    PhotoHashBand,
    Report,
    ReportCounter,
    ReportEvent,
    ReportStatus,
    utcnow,
)

OPEN_DRAFT = ReportStatus.DRAFT


class Reports:
    """Repository for reports, photos, decisions and the audit trail."""

    def __init__(self, session: AsyncSession) -> None:
        self.s = session
        # Each report's photos as read in this transaction (a Kirim reads them for its check,
        # the card and the receipt); the methods here that change them forget the report.
        self._photos: dict[int, list[Photo]] = {}
        # Rows submitted in this transaction: an editor's caption fix needs a pending row first.
        self._unfixed: set[int] = set()

    async def get(self, report_id: int) -> Report | None:
        return await self.s.get(Report, report_id)

    async def draft_of(self, member_id: int) -> Report | None:
        return await self.s.scalar(
            select(Report)
            .where(Report.member_id == member_id, Report.status == OPEN_DRAFT)
            .order_by(Report.id.desc())
            .limit(1)
        )

    async def start_draft(
        self,
        *,
        org_id: int,
        unit_id: int | None,
        member_id: int,
        channel: str,
        pillar_key: str | None,
        pillar_name: str | None,
    ) -> Report:
        draft = Report(
            org_id=org_id,
            unit_id=unit_id,
            member_id=member_id,
            channel=channel,
            pillar_key=pillar_key,
            pillar_name=pillar_name,
        )
        self.s.add(draft)
        await self.s.flush()
        return draft

    async def photos(self, report_id: int) -> list[Photo]:
        if report_id not in self._photos:
            rows = await self.s.scalars(
                select(Photo).where(Photo.report_id == report_id).order_by(Photo.position, Photo.id)
            )
            self._photos[report_id] = list(rows)
        return list(self._photos[report_id])

    async def photo_count(self, report_id: int) -> int:
        if report_id in self._photos:
            return len(self._photos[report_id])
        count = await self.s.scalar(select(func.count()).where(Photo.report_id == report_id))
        return int(count or 0)

    async def photo_sources(self, report_id: int) -> list[str]:
        """The channel's unique id of each photo, in order: how many there are, and which."""
        rows = await self.s.scalars(
            select(Photo.source_unique_id)
            .where(Photo.report_id == report_id)
            .order_by(Photo.position)
        )
        return list(rows)

    async def add_photo(self, photo: Photo) -> None:
        photo.position = await self.photo_count(photo.report_id)
        await self.add_photos([photo])

    async def add_photos(self, photos: list[Photo]) -> None:
        """Write new photos (positions set) in one INSERT, and index their hashes in another.
        The objects get their ids; they stay out of the session (photos() reads them back)."""
        if not photos:
            return
        for photo in photos:
            self._photos.pop(photo.report_id, None)
            photo.created_at = utcnow()
        # One statement for them all: the ORM writes a row at a time where it cannot tell which
        # id is whose (SQLite); RETURNING the unique id beside the id can tell.
        rows = [
            {"report_id": p.report_id, "created_at": p.created_at}
            | {c: getattr(p, c) for c in _PHOTO_COPY}
            for p in photos
        ]
        written = await self.s.execute(
            insert(Photo).values(rows).returning(Photo.report_id, Photo.source_unique_id, Photo.id)
        )
        ids = {(report_id, unique): id_ for report_id, unique, id_ in written}
        for photo in photos:
            photo.id = ids[(photo.report_id, photo.source_unique_id)]
        await photo_search.index_photos(self.s, photos)

    async def clear_photos(self, report_id: int) -> None:
        self._photos.pop(report_id, None)
        ids = select(Photo.id).where(Photo.report_id == report_id).scalar_subquery()
        await self.s.execute(delete(PhotoHashBand).where(PhotoHashBand.photo_id.in_(ids)))
        await self.s.execute(delete(Photo).where(Photo.report_id == report_id))

    async def similar_photos(
        self, org_id: int, dhash: str, *, max_bits: int, other_than: str | None
    ) -> list[str]:
        """Numbers of sent reports with a photo within max_bits of this hash, nearest first."""
        return await photo_search.similar_photos(
            self.s, org_id, dhash, max_bits=max_bits, other_than=other_than
        )

    async def copy_photos(self, source_id: int, target_id: int) -> None:
        self._photos.pop(target_id, None)
        for p in await self.photos(source_id):
            self.s.add(Photo(**{c: getattr(p, c) for c in _PHOTO_COPY}, report_id=target_id))
        await self.s.flush()

    async def next_number(self, org_id: int, year: int) -> str:
        """Reserve the next report number, e.g. 2026-0123: one upsert, row-locked until commit
        (concurrent first reports of a year do not both insert the counter row)."""
        insert_ = dialect_insert(self.s)(ReportCounter).values(org_id=org_id, year=year, value=1)
        bump = insert_.on_conflict_do_update(
            index_elements=["org_id", "year"], set_={"value": ReportCounter.value + 1}
        ).returning(ReportCounter.value)
        value = await self.s.scalar(bump)
        return f"{year}-{value:04d}"

    async def set_status(
        self,
        report: Report,
        to: ReportStatus,
        *,
        actor_id: int | None,
        reason: str | None = None,
        now: datetime,
        via: str | None = None,
    ) -> None:
        self._audit(report.id, actor_id, report.status, to, reason, now, via)
        report.status = to
        await self.s.flush()

    def _audit(
        self,
        report_id: int,
        actor_id: int | None,
        was: ReportStatus,
        to: ReportStatus,
        reason: str | None,
        now: datetime,
        via: str | None,
    ) -> None:
        """One line of the audit trail: who moved the report from which state to which, where."""
        self.s.add(
            ReportEvent(
                report_id=report_id,
                actor_id=actor_id,
                from_status=was,
                to_status=to,
                reason=reason,
                at=now,
                via=via,
            )
        )

    async def lock_author(self, member_id: int) -> bool:
        """Hold this person's drafts for the rest of the transaction, across processes; False
        where the transaction held them from its start (SQLite)."""
        return await lock_for_transaction(self.s, f"member:{member_id}")

    async def submit(
        self,
        draft: Report,
        *,
        actor_id: int,
        now: datetime,
        via: str | None = None,
        number: str | None = None,
        step: DraftStep | None = None,
    ) -> bool:
        """Draft -> pending if it is still a draft; of two taps on one Kirim (even in two
        processes) exactly one wins. The number and step go in the same UPDATE, and the
        winner's row is updated in memory as written (nothing left to flush)."""
        values: dict[str, Any] = {
            "status": ReportStatus.PENDING,
            "submitted_at": now,
            "settle_at": None,
            "updated_at": now,
        }
        if number is not None:
            values["number"] = number
        if step is not None:
            values["step"] = step
        result = await self.s.execute(
            update(Report)
            .where(Report.id == draft.id, Report.status == ReportStatus.DRAFT)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return False
        self._audit(draft.id, actor_id, ReportStatus.DRAFT, ReportStatus.PENDING, None, now, via)
        for key, value in values.items():
            set_committed_value(draft, key, value)
        self._unfixed.add(draft.id)
        return True

    async def drafts_to_settle(self, now: datetime, limit: int = 100) -> list[Report]:
        """Drafts whose album stopped arriving and was never acknowledged (a dead process)."""
        rows = await self.s.scalars(
            select(Report)
            .where(Report.settle_at.is_not(None), Report.settle_at <= now)
            .where(Report.status == ReportStatus.DRAFT)
            .order_by(Report.settle_at)
            .limit(limit)
        )
        return list(rows)

    async def decide(
        self,
        report_id: int,
        to: ReportStatus,
        *,
        editor_id: int,
        reason: str | None,
        now: datetime,
        from_status: ReportStatus = ReportStatus.PENDING,
        via: str | None = None,
    ) -> bool:
        """Record a decision if the report is still in from_status (pending, or approved for a
        withdrawal); exactly one concurrent caller wins."""
        result = await self.s.execute(
            update(Report)
            .where(Report.id == report_id, Report.status == from_status)
            .values(
                status=to,
                decided_at=now,
                decided_by=editor_id,
                decision_reason=reason,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return False
        self._audit(report_id, editor_id, from_status, to, reason, now, via)
        await self.s.flush()
        return True

    async def fix_caption(
        self,
        report: Report,
        caption: str,
        *,
        editor_id: int,
        now: datetime,
        via: str | None = None,
    ) -> bool:
        """Replace a pending report's caption, if it is still pending with the caption the
        editor saw; a decision or another fix that came first wins (across processes too).
        The old and new captions are kept (caption_fixes)."""
        before = report.caption
        result = await self.s.execute(
            update(Report)
            .where(
                Report.id == report.id,
                Report.status == ReportStatus.PENDING,
                Report.caption == before,
            )
            .values(caption=caption, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return False
        self._unfixed.discard(report.id)
        self.s.add(
            CaptionFix(
                report_id=report.id,
                editor_id=editor_id,
                before=before,
                after=caption,
                at=now,
                via=via,
            )
        )
        await self.s.flush()
        return True

    async def caption_fixes(self, report_ids: list[int]) -> list[CaptionFix]:
        """Editors' caption fixes of these report rows, oldest first."""
        if self._unfixed.issuperset(report_ids):
            return []
        rows = await self.s.scalars(
            select(CaptionFix).where(CaptionFix.report_id.in_(report_ids)).order_by(CaptionFix.id)
        )
        return list(rows)

    async def versions(self, org_id: int, number: str) -> list[Report]:
        """Every submitted version of one report, 1..n (a revision still being drafted, or
        dropped, was never sent: it is not one)."""
        rows = await self.s.scalars(
            select(Report)
            .where(Report.org_id == org_id, Report.number == number, text(SUBMITTED_ONLY))
            .order_by(Report.version)
        )
        return list(rows)

    async def events_of(self, report_ids: list[int]) -> list[ReportEvent]:
        """The audit trail of these report rows (a report's versions), oldest first."""
        rows = await self.s.scalars(
            select(ReportEvent)
            .where(ReportEvent.report_id.in_(report_ids))
            .order_by(ReportEvent.at, ReportEvent.id)
        )
        return list(rows)

    async def refresh(self, report: Report) -> Report:
        await self.s.refresh(report)
        return report

    async def history(self, report_id: int) -> list[ReportEvent]:
        rows = await self.s.scalars(
            select(ReportEvent).where(ReportEvent.report_id == report_id).order_by(ReportEvent.id)
        )
        return list(rows)

    async def recent_of(self, member_id: int, limit: int = 10) -> list[Report]:
        rows = await self.s.scalars(
            select(Report)
            .where(Report.member_id == member_id, Report.number.is_not(None))
            .order_by(Report.id.desc())
            .limit(limit)
        )
        return list(rows)

    async def pending(self, org_id: int) -> list[Report]:
        rows = await self.s.scalars(
            select(Report)
            .where(Report.org_id == org_id, Report.status == ReportStatus.PENDING)
            .order_by(Report.id)
        )
        return list(rows)

    async def newer_version_of(self, report_id: int) -> Report | None:
        return await self.s.scalar(
            select(Report).where(
                Report.revision_of_id == report_id,
                Report.status.not_in([ReportStatus.DRAFT, ReportStatus.CANCELLED]),
            )
        )

    async def ask_reason(
        self, *, member_id: int, chat_id: str, report_id: int, action: str
    ) -> None:
        await self.s.execute(
            delete(PendingReason).where(
                PendingReason.member_id == member_id, PendingReason.chat_id == chat_id
            )
        )
        self.s.add(
            PendingReason(member_id=member_id, chat_id=chat_id, report_id=report_id, action=action)
        )
        await self.s.flush()

    async def take_reason_question(self, member_id: int, chat_id: str) -> PendingReason | None:
        question = await self.s.scalar(
            select(PendingReason).where(
                PendingReason.member_id == member_id, PendingReason.chat_id == chat_id
            )
        )
        if question is not None:
            await self.s.delete(question)
            await self.s.flush()
        return question

    async def submitted_between(self, org_id: int, start: datetime, end: datetime) -> list[Report]:
        """Every version sent to the newsroom in [start, end), oldest first (drafts excluded)."""
        rows = await self.s.scalars(
            select(Report)
            .where(
                Report.org_id == org_id,
                Report.submitted_at.is_not(None),
                Report.submitted_at >= start,
                Report.submitted_at < end,
            )
            .order_by(Report.submitted_at, Report.id)
        )
        return list(rows)

    async def last_submitted_by_unit(self, org_id: int) -> dict[int, datetime]:
        rows = await self.s.execute(
            select(Report.unit_id, func.max(Report.submitted_at))
            .where(
                Report.org_id == org_id,
                Report.unit_id.is_not(None),
                Report.submitted_at.is_not(None),
            )
            .group_by(Report.unit_id)
        )
        return {unit_id: at for unit_id, at in rows if unit_id is not None and at is not None}


_PHOTO_COPY = (
    "position",
    "sha256",
    "path",
    "mime",
    "size_bytes",
    "width",
    "height",
    "taken_at",
    "latitude",
    "longitude",
    "source_channel",
    "source_ref",
    "source_unique_id",
    "source_kind",
    "media_group_id",
    "dhash",
    "warnings",
)

"""Sent reports written straight into Warta's database for list and export tests: many of
them fast, with real photo files in the media folder (the chat flow makes the few that
decisions need; it takes a fifth of a second per report)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from storage.models import Member, Photo, Report, ReportStatus, Role, Unit
from storage.people import People
from tests.harness import Harness, jpeg

START = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)  # 10.00 WIB


@dataclass
class Spec:
    """One report; the defaults make a pending report of one photo in unit A."""

    unit: str = "Kecamatan Bogor Barat"
    kind: str = "kecamatan"
    status: ReportStatus = ReportStatus.PENDING
    caption: str = "Kerja bakti warga membersihkan saluran air di kelurahan."
    pillar: str = "informasi"
    at: datetime | None = None
    photos: int = 1
    warned: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


async def member_in(h: Harness, unit: str, kind: str = "kecamatan") -> tuple[int, int, int]:
    """(org id, unit id, operator id) for a unit, made when missing."""
    async with h.w.sessionmaker() as session, session.begin():
        people = People(session)
        org = await people.default_org(name=h.settings.org_name, timezone=h.settings.timezone)
        row = await people.unit_named(org.id, unit)
        if row is None:
            row = await people.add_unit(org, name=unit, kind=kind, now=h.clock())
        member = await session.scalar(
            select(Member).where(Member.unit_id == row.id, Member.role == Role.OPERATOR)
        )
        if member is None:  # an operator only the database knows (no chat: never told)
            member = Member(org_id=org.id, role=Role.OPERATOR, name=f"Admin {unit}", unit_id=row.id)
            session.add(member)
            await session.flush()
        return org.id, row.id, member.id


async def seed_reports(h: Harness, specs: list[Spec], *, first: int = 1) -> list[str]:
    """Write the reports (numbers 2026-0001 on), with distinct real JPEGs; their numbers."""
    media, numbers = h.w.core.media, []
    for i, spec in enumerate(specs):
        org_id, unit_id, member_id = await member_in(h, spec.unit, spec.kind)
        number = f"2026-{first + i:04d}"
        at = spec.at or START + timedelta(hours=i)
        pillar = h.w.core.schedule.by_key(spec.pillar)
        async with h.w.sessionmaker() as session, session.begin():
            report = Report(
                org_id=org_id,
                unit_id=unit_id,
                member_id=member_id,
                channel="telegram",
                status=spec.status,
                number=number,
                caption=spec.caption,
                pillar_key=spec.pillar,
                pillar_name=pillar.name if pillar else spec.pillar,
                submitted_at=at,
                created_at=at,
                **spec.extra,
            )
            session.add(report)
            await session.flush()
            for position in range(spec.photos):
                data = jpeg(640, 480, color=((i * 7) % 256, (position * 50) % 256, 90))
                stored = media.put(data, "image/jpeg")
                session.add(
                    Photo(
                        report_id=report.id,
                        position=position,
                        sha256=stored.sha256,
                        path=stored.path,
                        mime="image/jpeg",
                        size_bytes=stored.size,
                        width=640,
                        height=480,
                        source_channel="telegram",
                        source_ref=f"f{report.id}-{position}",
                        source_unique_id=f"u{report.id}-{position}",
                        source_kind="photo",
                        warnings=[{"code": "dark"}] if spec.warned and position == 0 else [],
                    )
                )
        numbers.append(number)
    return numbers


async def seed_many(
    h: Harness,
    count: int,
    *,
    first: int = 10000,
    photos: int = 0,
    photo_path: tuple[str, str] | None = None,
) -> None:
    """Many pending reports in one unit, fast (bulk inserts); their photos, when asked, all
    point at one stored file (content-addressed storage allows it)."""
    org_id, unit_id, member_id = await member_in(h, "Kecamatan Bogor Barat")
    rows = [
        {
            "org_id": org_id,
            "unit_id": unit_id,
            "member_id": member_id,
            "channel": "telegram",
            "status": ReportStatus.PENDING,
            "number": f"2026-{first + i:05d}",
            "caption": f"Laporan kegiatan nomor {first + i} di kelurahan",
            "submitted_at": START + timedelta(minutes=first + i),
            "created_at": START,
            "updated_at": START,
        }
        for i in range(count)
    ]
    async with h.w.sessionmaker() as session, session.begin():
        for start in range(0, len(rows), 1000):
            await session.execute(insert(Report), rows[start : start + 1000])
        if photos and photo_path is not None:
            numbers = [row["number"] for row in rows]
            ids = [
                rid
                for start in range(0, len(numbers), 500)
                for rid in await session.scalars(
                    select(Report.id).where(Report.number.in_(numbers[start : start + 500]))
                )
            ]
            sha, path = photo_path
            photo_rows = [
                {
                    "report_id": rid,
                    "position": p,
                    "sha256": sha,
                    "path": path,
                    "mime": "image/jpeg",
                    "size_bytes": 1,
                    "width": 1,
                    "height": 1,
                    "source_channel": "telegram",
                    "source_ref": f"f{rid}-{p}",
                    "source_unique_id": f"u{rid}-{p}",
                    "source_kind": "photo",
                    "warnings": [],
                }
                for rid in ids
                for p in range(photos)
            ]
            for start in range(0, len(photo_rows), 1000):
                await session.execute(insert(Photo), photo_rows[start : start + 1000])


async def unit_id(h: Harness, name: str) -> int:
    async with h.w.sessionmaker() as session:
        found = await session.scalar(select(Unit.id).where(Unit.name == name))
        assert found is not None
        return found

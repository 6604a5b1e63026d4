"""photo search: three every-third-bit bands with the org and the whole hash on each row

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 03:00:00
"""

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

CHUNK = 5000


def _every_third_bit(dhash: str) -> list[int]:
    """storage.photo_search.band_values as of this revision (a migration keeps its own copy)."""
    bits = int(dhash, 16)
    return [sum(((bits >> b) & 1) << i for i, b in enumerate(range(j, 64, 3))) for j in range(3)]


def _bytes(dhash: str) -> list[int]:
    return [int(dhash[i : i + 2], 16) for i in range(0, 16, 2)]


def _indexed(conn: sa.Connection, org: bool) -> list[Any]:
    """(photo id, dhash[, org id]) of every photo the band table holds, from photos.dhash.

    Photos copied into a revision have no band rows and get none: the search is unchanged."""
    org_id = ", r.org_id" if org else ""
    return list(
        conn.execute(
            sa.text(
                f"SELECT p.id, p.dhash{org_id} FROM photos p JOIN reports r ON r.id = p.report_id "
                "WHERE p.dhash IS NOT NULL AND EXISTS "
                "(SELECT 1 FROM photo_hash_bands b WHERE b.photo_id = p.id) ORDER BY p.id"
            )
        )
    )


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def upgrade() -> None:
    conn = op.get_bind()
    photos = _indexed(conn, org=True)
    op.drop_index("ix_photo_hash_bands_photo_id", table_name="photo_hash_bands")
    op.drop_index("ix_photo_hash_bands_lookup", table_name="photo_hash_bands")
    op.drop_table("photo_hash_bands")
    table = op.create_table(
        "photo_hash_bands",
        sa.Column("photo_id", sa.Integer(), sa.ForeignKey("photos.id"), nullable=False),
        sa.Column("band", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("dhash", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("photo_id", "band"),
    )
    assert table is not None
    rows = [
        {"photo_id": pid, "band": j, "org_id": org_id, "value": v, "dhash": dhash}
        for pid, dhash, org_id in photos
        for j, v in enumerate(_every_third_bit(dhash))
    ]
    for chunk in _chunks(rows):
        conn.execute(table.insert(), chunk)
    # Built after the rows: one sort instead of an index grown row by row.
    op.create_index(
        "ix_photo_hash_bands_lookup",
        "photo_hash_bands",
        ["org_id", "band", "value", "dhash", "photo_id"],
    )


def downgrade() -> None:
    conn = op.get_bind()
    photos = _indexed(conn, org=False)
    op.drop_index("ix_photo_hash_bands_lookup", table_name="photo_hash_bands")
    op.drop_table("photo_hash_bands")
    table = op.create_table(
        "photo_hash_bands",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("photo_id", sa.Integer(), nullable=False),
        sa.Column("band", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["photo_id"], ["photos.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    assert table is not None
    rows = [
        {"photo_id": pid, "band": i, "value": v}
        for pid, dhash in photos
        for i, v in enumerate(_bytes(dhash))
    ]
    for chunk in _chunks(rows):
        conn.execute(table.insert(), chunk)
    op.create_index("ix_photo_hash_bands_lookup", "photo_hash_bands", ["band", "value"])
    op.create_index("ix_photo_hash_bands_photo_id", "photo_hash_bands", ["photo_id"])

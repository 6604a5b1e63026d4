"""photo checks: perceptual hash (with an index by byte) and warnings per photo

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 03:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dhash", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("warnings", sa.JSON(), nullable=True))
    op.create_table(
        "photo_hash_bands",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("photo_id", sa.Integer(), nullable=False),
        sa.Column("band", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["photo_id"], ["photos.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_photo_hash_bands_lookup", "photo_hash_bands", ["band", "value"], unique=False
    )
    op.create_index(
        op.f("ix_photo_hash_bands_photo_id"), "photo_hash_bands", ["photo_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_photo_hash_bands_photo_id"), table_name="photo_hash_bands")
    op.drop_index("ix_photo_hash_bands_lookup", table_name="photo_hash_bands")
    op.drop_table("photo_hash_bands")
    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.drop_column("warnings")
        batch_op.drop_column("dhash")

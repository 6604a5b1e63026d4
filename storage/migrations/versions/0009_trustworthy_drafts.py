"""trustworthy drafts: album settle time, preview versions, unique submitted numbers

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 02:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SUBMITTED_ONLY = "status NOT IN ('draft', 'cancelled')"


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("content_seq", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("proposed_caption", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("settle_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("dropped_photos", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.create_index("ix_reports_settle", ["settle_at"], unique=False)
    op.create_index(
        "uq_reports_submitted_version",
        "reports",
        ["org_id", "number", "version"],
        unique=True,
        sqlite_where=sa.text(SUBMITTED_ONLY),
        postgresql_where=sa.text(SUBMITTED_ONLY),
    )


def downgrade() -> None:
    op.drop_index("uq_reports_submitted_version", table_name="reports")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index("ix_reports_settle")
        batch_op.drop_column("dropped_photos")
        batch_op.drop_column("settle_at")
        batch_op.drop_column("proposed_caption")
        batch_op.drop_column("content_seq")

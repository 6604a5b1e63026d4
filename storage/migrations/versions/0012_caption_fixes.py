"""caption fixes: an editor's change to a pending report's caption, old and new text

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 05:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "caption_fixes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("report_id", sa.Integer(), sa.ForeignKey("reports.id"), nullable=False),
        sa.Column("editor_id", sa.Integer(), sa.ForeignKey("members.id"), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=True),
    )
    op.create_index("ix_caption_fixes_report_id", "caption_fixes", ["report_id"])


def downgrade() -> None:
    op.drop_index("ix_caption_fixes_report_id", table_name="caption_fixes")
    op.drop_table("caption_fixes")

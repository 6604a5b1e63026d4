"""desk: one-time login links, browser sessions, where a decision was made, list indexes (state, date, unit, versions)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 05:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("members.id"), nullable=False),
        sa.Column("next_path", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_login_links_member_id", "login_links", ["member_id"])
    op.create_table(
        "desk_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("members.id"), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_desk_sessions_member_id", "desk_sessions", ["member_id"])
    op.add_column("report_events", sa.Column("via", sa.String(length=16), nullable=True))
    op.create_index(
        "ix_reports_org_status_submitted", "reports", ["org_id", "status", "submitted_at"]
    )
    op.create_index("ix_reports_org_submitted", "reports", ["org_id", "submitted_at"])
    op.create_index("ix_reports_revision_of", "reports", ["revision_of_id"])
    op.create_index("ix_reports_unit_submitted", "reports", ["unit_id", "submitted_at"])


def downgrade() -> None:
    op.drop_index("ix_reports_unit_submitted", table_name="reports")
    op.drop_index("ix_reports_revision_of", table_name="reports")
    op.drop_index("ix_reports_org_submitted", table_name="reports")
    op.drop_index("ix_reports_org_status_submitted", table_name="reports")
    with op.batch_alter_table("report_events") as batch:
        batch.drop_column("via")
    op.drop_table("desk_sessions")
    op.drop_table("login_links")

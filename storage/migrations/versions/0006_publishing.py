"""publishing: consent, the channel post of a report, withdrawal

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 03:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("published_chat", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("published_ids", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("published_at")
        batch_op.drop_column("published_ids")
        batch_op.drop_column("published_chat")
        batch_op.drop_column("consent_at")

"""outbox resilience: give up by age, claims a restarted process takes back

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 02:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        # Which process holds the lease (a restarted one takes its own claims back).
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=128), nullable=True))
        # When and why the outbox gave up: the coordinators' daily list of undeliverables.
        batch_op.add_column(sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("failure", sa.String(length=16), nullable=True))
    with op.batch_alter_table("received_webhooks", schema=None) as batch_op:
        # A backlog sweep's lease, so several processes never process one body at once.
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=128), nullable=True))
        batch_op.add_column(
            sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("received_webhooks", schema=None) as batch_op:
        batch_op.drop_column("claimed_until")
        batch_op.drop_column("claimed_by")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("failure")
        batch_op.drop_column("failed_at")
        batch_op.drop_column("claimed_by")

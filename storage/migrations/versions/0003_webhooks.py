"""webhooks: stored webhook bodies, delivery receipts, the WhatsApp 24-hour window

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 02:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "received_webhooks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_received_webhooks_open", "received_webhooks", ["processed_at", "id"], unique=False
    )
    op.create_table(
        "delivery_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["outbox_id"], ["outbox.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "external_id"),
    )
    op.create_index(
        op.f("ix_delivery_receipts_outbox_id"), "delivery_receipts", ["outbox_id"], unique=False
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_inbound_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_column("last_inbound_at")
    op.drop_index(op.f("ix_delivery_receipts_outbox_id"), table_name="delivery_receipts")
    op.drop_table("delivery_receipts")
    op.drop_index("ix_received_webhooks_open", table_name="received_webhooks")
    op.drop_table("received_webhooks")

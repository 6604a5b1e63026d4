"""whatsapp windows: the 24-hour window per chat, strangers included

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 04:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_windows",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel", "chat_id"),
    )
    # Windows open now stay open: until this table they were kept on members' contacts.
    op.execute(
        "INSERT INTO chat_windows (channel, chat_id, opened_at) "
        "SELECT channel, chat_id, MAX(last_inbound_at) FROM contacts "
        "WHERE last_inbound_at IS NOT NULL GROUP BY channel, chat_id"
    )


def downgrade() -> None:
    op.drop_table("chat_windows")

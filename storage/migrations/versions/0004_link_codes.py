"""link codes: an invite can attach another channel to an existing member

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 02:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.add_column(sa.Column("member_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_invites_member_id", "members", ["member_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.drop_constraint("fk_invites_member_id", type_="foreignkey")
        batch_op.drop_column("member_id")

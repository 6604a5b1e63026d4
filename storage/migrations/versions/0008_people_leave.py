"""people and units leave: deactivation, revoked invites, archived units, transfer codes

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 02:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("deactivated_by", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_members_deactivated_by", "members", ["deactivated_by"], ["id"]
        )
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_units_merged_into_id", "units", ["merged_into_id"], ["id"])
    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("transfer", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.drop_column("revoked_at")
        batch_op.drop_column("transfer")
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_constraint("fk_units_merged_into_id", type_="foreignkey")
        batch_op.drop_column("merged_into_id")
        batch_op.drop_column("archived_at")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_constraint("fk_members_deactivated_by", type_="foreignkey")
        batch_op.drop_column("deactivated_by")
        batch_op.drop_column("deactivated_at")

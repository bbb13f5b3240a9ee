"""Backups: where the daily backup goes, how many are kept, when to warn, and when the last ones happened.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shop") as shop:
        shop.add_column(sa.Column("backup_folder", sa.String(500), nullable=False, server_default=""))
        shop.add_column(sa.Column("backup_keep", sa.Integer(), nullable=False, server_default="14"))
        shop.add_column(sa.Column("backup_warn_days", sa.Integer(), nullable=False, server_default="2"))
        shop.add_column(sa.Column("last_backup_at", sa.DateTime(), nullable=True))
        shop.add_column(sa.Column("last_export_at", sa.DateTime(), nullable=True))
    # The defaults live in the models, as for every other column.
    with op.batch_alter_table("shop") as shop:
        shop.alter_column("backup_folder", existing_type=sa.String(500), server_default=None)
        shop.alter_column("backup_keep", existing_type=sa.Integer(), server_default=None)
        shop.alter_column("backup_warn_days", existing_type=sa.Integer(), server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("shop") as shop:
        for column in ("last_export_at", "last_backup_at", "backup_warn_days", "backup_keep", "backup_folder"):
            shop.drop_column(column)

"""Staff accounts with PINs, the hash-chained audit trail, the idle lock, the retention period,
and the one change the loyalty ledger now allows: an erasure clearing an entry's typed reason.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("name_key", sa.String(80), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("pin_hash", sa.String(200), nullable=False),
        sa.Column("failed_pins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff_members"),
        sa.UniqueConstraint("uuid", name="uq_staff_members_uuid"),
    )
    op.create_index("ix_staff_members_name_key", "staff_members", ["name_key"], unique=True)

    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("staff_uuid", sa.String(36), nullable=False),
        sa.Column("staff_name", sa.String(80), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("subject_kind", sa.String(20), nullable=False),
        sa.Column("subject_uuid", sa.String(36), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("previous_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_entries"),
    )
    op.create_index("ix_audit_entries_at", "audit_entries", ["at"])
    op.create_index("ix_audit_entries_subject", "audit_entries", ["subject_uuid"])
    op.create_index("ix_audit_entries_action", "audit_entries", ["action", "at"])
    # The trail is only ever added to; the hash chain shows it if someone drops these to edit it.
    op.execute(
        "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
        "BEGIN SELECT RAISE(ABORT, 'audit entries cannot be changed'); END"
    )
    op.execute(
        "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
        "BEGIN SELECT RAISE(ABORT, 'audit entries cannot be deleted'); END"
    )

    # The ledger stays append-only for amounts, kinds and times; erasing a customer may empty the
    # reason staff typed on a correction (it can name the person), and nothing else.
    op.execute("DROP TRIGGER loyalty_entries_no_update")
    op.execute(
        "CREATE TRIGGER loyalty_entries_no_update BEFORE UPDATE ON loyalty_entries "
        "WHEN NOT (OLD.reason <> '' AND NEW.reason = '' AND NEW.id = OLD.id AND NEW.uuid = OLD.uuid "
        "AND NEW.program_id = OLD.program_id AND NEW.customer_id = OLD.customer_id AND NEW.kind = OLD.kind "
        "AND NEW.amount = OLD.amount AND NEW.purchase_cents IS OLD.purchase_cents "
        "AND NEW.created_at = OLD.created_at) "
        "BEGIN SELECT RAISE(ABORT, 'loyalty ledger entries cannot be changed'); END"
    )

    with op.batch_alter_table("shop") as shop:
        shop.add_column(sa.Column("idle_lock_minutes", sa.Integer(), nullable=False, server_default="5"))
        shop.add_column(sa.Column("retention_years", sa.Integer(), nullable=False, server_default="3"))
    # The defaults live in the models, as for every other column.
    with op.batch_alter_table("shop") as shop:
        shop.alter_column("idle_lock_minutes", existing_type=sa.Integer(), server_default=None)
        shop.alter_column("retention_years", existing_type=sa.Integer(), server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("shop") as shop:
        shop.drop_column("retention_years")
        shop.drop_column("idle_lock_minutes")
    op.execute("DROP TRIGGER loyalty_entries_no_update")
    op.execute(
        "CREATE TRIGGER loyalty_entries_no_update BEFORE UPDATE ON loyalty_entries "
        "BEGIN SELECT RAISE(ABORT, 'loyalty ledger entries cannot be changed'); END"
    )
    op.execute("DROP TRIGGER audit_entries_no_delete")
    op.execute("DROP TRIGGER audit_entries_no_update")
    for index in ("ix_audit_entries_action", "ix_audit_entries_subject", "ix_audit_entries_at"):
        op.drop_index(index, "audit_entries")
    op.drop_table("audit_entries")
    op.drop_index("ix_staff_members_name_key", "staff_members")
    op.drop_table("staff_members")

"""Loyalty programmes, cards and the append-only ledger.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "loyalty_programs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("reward_at", sa.Integer(), nullable=False),
        sa.Column("reward_description", sa.String(120), nullable=False),
        sa.Column("cents_per_stamp", sa.Integer(), nullable=True),
        sa.Column("points_per_unit", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_loyalty_programs"),
        sa.UniqueConstraint("uuid", name="uq_loyalty_programs_uuid"),
        sa.UniqueConstraint("name", name="uq_loyalty_programs_name"),
    )
    op.create_table(
        "loyalty_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(12), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("replaced_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name="fk_loyalty_cards_customer_id_customers", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_loyalty_cards"),
        sa.UniqueConstraint("uuid", name="uq_loyalty_cards_uuid"),
        sa.UniqueConstraint("code", name="uq_loyalty_cards_code"),
    )
    op.create_index("ix_loyalty_cards_customer", "loyalty_cards", ["customer_id", "status"])
    op.create_table(
        "loyalty_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("purchase_cents", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["program_id"], ["loyalty_programs.id"], name="fk_loyalty_entries_program_id_loyalty_programs"),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name="fk_loyalty_entries_customer_id_customers"),
        sa.PrimaryKeyConstraint("id", name="pk_loyalty_entries"),
        sa.UniqueConstraint("uuid", name="uq_loyalty_entries_uuid"),
    )
    op.create_index("ix_loyalty_entries_balance", "loyalty_entries", ["customer_id", "program_id"])
    # The ledger is append-only: history is corrected by a new entry, never rewritten.
    op.execute(
        "CREATE TRIGGER loyalty_entries_no_update BEFORE UPDATE ON loyalty_entries "
        "BEGIN SELECT RAISE(ABORT, 'loyalty ledger entries cannot be changed'); END"
    )
    op.execute(
        "CREATE TRIGGER loyalty_entries_no_delete BEFORE DELETE ON loyalty_entries "
        "BEGIN SELECT RAISE(ABORT, 'loyalty ledger entries cannot be deleted'); END"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER loyalty_entries_no_delete")
    op.execute("DROP TRIGGER loyalty_entries_no_update")
    op.drop_table("loyalty_entries")
    op.drop_table("loyalty_cards")
    op.drop_table("loyalty_programs")

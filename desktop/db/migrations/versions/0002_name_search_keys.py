"""Folded name keys, so a name prefix in any script and any accents is one index range.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from desktop.db.migrations.frozen import name_keys

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    keys = op.create_table(
        "customer_search_keys",
        sa.Column("key", sa.String(250), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"],
            name="fk_customer_search_keys_customer_id_customers", ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("key", "customer_id", name="pk_customer_search_keys"),
        sqlite_with_rowid=False,
    )
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, first_name, last_name, company FROM customers"))
    batch = []
    for customer_id, first, last, company in rows:
        batch.extend({"key": k, "customer_id": customer_id} for k in name_keys(first, last, company))
        if len(batch) >= 10_000:
            op.bulk_insert(keys, batch)
            batch = []
    if batch:
        op.bulk_insert(keys, batch)


def downgrade() -> None:
    op.drop_table("customer_search_keys")

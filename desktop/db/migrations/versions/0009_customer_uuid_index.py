"""Each customer's UUID beside its id in an index of its own.

A sync bundle names the customer of every phone, card, ledger entry, consent and call by
UUID. Read from the customers table, each of those rows costs a customer page (tens of
customers to a page, decrypted); from this index, a page holds about a hundred of them,
so a full export of a million-customer shop reads far fewer pages.

Revision ID: 0009
Revises: 0008
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_customers_id_uuid", "customers", ["id", "uuid"])


def downgrade() -> None:
    op.drop_index("ix_customers_id_uuid", "customers")

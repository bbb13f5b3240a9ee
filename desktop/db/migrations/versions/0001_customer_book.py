"""The shop and its customer book with phone numbers.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shop",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("region", sa.String(2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("paper_size", sa.String(10), nullable=False),
        sa.Column("till_uuid", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_shop"),
        sa.UniqueConstraint("uuid", name="uq_shop_uuid"),
    )
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("first_name", sa.String(100), nullable=False),
        sa.Column("last_name", sa.String(100), nullable=False),
        sa.Column("company", sa.String(120), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("email_key", sa.String(254), nullable=True),
        sa.Column("address_line1", sa.String(200), nullable=False),
        sa.Column("address_line2", sa.String(200), nullable=False),
        sa.Column("city", sa.String(100), nullable=False),
        sa.Column("state", sa.String(100), nullable=False),
        sa.Column("postal_code", sa.String(20), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("preferred_payment", sa.String(20), nullable=False),
        sa.Column("birthday", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("heard_from", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_customers"),
        sa.UniqueConstraint("uuid", name="uq_customers_uuid"),
    )
    op.create_index("ix_customers_last_seen", "customers", ["last_seen_at", "id"])
    op.create_index("ix_customers_email_key", "customers", ["email_key"])
    op.create_table(
        "customer_phones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(30), nullable=False),
        sa.Column("e164", sa.String(16), nullable=False),
        sa.Column("national_number", sa.String(17), nullable=False),
        sa.Column("reversed_digits", sa.String(17), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"],
            name="fk_customer_phones_customer_id_customers", ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_customer_phones"),
    )
    op.create_index("ix_customer_phones_e164", "customer_phones", ["e164"])
    op.create_index("ix_customer_phones_national", "customer_phones", ["national_number"])
    op.create_index("ix_customer_phones_reversed", "customer_phones", ["reversed_digits"])
    op.create_index("ix_customer_phones_customer", "customer_phones", ["customer_id", "position"])


def downgrade() -> None:
    op.drop_table("customer_phones")
    op.drop_table("customers")
    op.drop_table("shop")

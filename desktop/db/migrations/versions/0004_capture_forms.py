"""Capture forms: privacy notices and consents, reservations, warranties, phone calls, editable lists.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from desktop.db.migrations.frozen import DEFAULT_CHOICES, SEEDED_AT, choice_uuid
from desktop.db.migrations.frozen import default_notice_text

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _record_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(36), nullable=False),
    ]


def _times(*names: str) -> list[sa.Column]:
    return [sa.Column(name, sa.DateTime(), nullable=False) for name in names]


def _keys(table: str) -> list:
    return [
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
        sa.UniqueConstraint("uuid", name=f"uq_{table}_uuid"),
    ]


def _customer_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["customer_id"], ["customers.id"], name=f"fk_{table}_customer_id_customers", ondelete="CASCADE"
    )


def upgrade() -> None:
    with op.batch_alter_table("shop") as shop:
        shop.add_column(sa.Column("contact_line", sa.String(200), nullable=False, server_default=""))
        shop.add_column(sa.Column("logo_png", sa.LargeBinary(), nullable=True))
        shop.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE shop SET updated_at = created_at")
    with op.batch_alter_table("shop") as shop:
        shop.alter_column("updated_at", existing_type=sa.DateTime(), nullable=False)
        shop.alter_column("contact_line", existing_type=sa.String(200), server_default=None)

    notices = op.create_table(
        "privacy_notices",
        *_record_columns(),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        *_times("published_at", "updated_at"),
        *_keys("privacy_notices"),
        sa.UniqueConstraint("version", name="uq_privacy_notices_version"),
    )
    op.create_table(
        "consents",
        *_record_columns(),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("notice_version", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("staff", sa.String(80), nullable=False),
        *_times("recorded_at"),
        _customer_fk("consents"),
        *_keys("consents"),
    )
    op.create_index("ix_consents_customer", "consents", ["customer_id", "channel", "recorded_at"])
    # Consent history is evidence: a change of mind is a new row, never an edit.
    op.execute(
        "CREATE TRIGGER consents_no_update BEFORE UPDATE ON consents "
        "BEGIN SELECT RAISE(ABORT, 'consent records cannot be changed'); END"
    )

    op.create_table(
        "reservations",
        *_record_columns(),
        sa.Column("reference", sa.String(12), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(200), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("deposit_cents", sa.Integer(), nullable=False),
        sa.Column("expected_on", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("staff", sa.String(80), nullable=False),
        *_times("status_changed_at", "created_at", "updated_at"),
        _customer_fk("reservations"),
        *_keys("reservations"),
        sa.UniqueConstraint("reference", name="uq_reservations_reference"),
    )
    op.create_index("ix_reservations_status_expected", "reservations", ["status", "expected_on"])
    op.create_index("ix_reservations_customer", "reservations", ["customer_id", "created_at"])
    op.create_table(
        "reservation_events",
        *_record_columns(),
        sa.Column("reservation_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("staff", sa.String(80), nullable=False),
        *_times("changed_at"),
        sa.ForeignKeyConstraint(
            ["reservation_id"], ["reservations.id"],
            name="fk_reservation_events_reservation_id_reservations", ondelete="CASCADE",
        ),
        *_keys("reservation_events"),
    )
    op.create_index("ix_reservation_events_reservation", "reservation_events", ["reservation_id", "changed_at"])

    op.create_table(
        "warranties",
        *_record_columns(),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("product", sa.String(200), nullable=False),
        sa.Column("serial_number", sa.String(60), nullable=False),
        sa.Column("serial_key", sa.String(60), nullable=False),
        sa.Column("purchase_date", sa.Date(), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("staff", sa.String(80), nullable=False),
        *_times("created_at", "updated_at"),
        _customer_fk("warranties"),
        *_keys("warranties"),
    )
    op.create_index("ix_warranties_serial_key", "warranties", ["serial_key"])
    op.create_index("ix_warranties_expires", "warranties", ["expires_on"])
    op.create_index("ix_warranties_customer", "warranties", ["customer_id", "purchase_date"])
    op.create_table(
        "warranty_claims",
        *_record_columns(),
        sa.Column("warranty_id", sa.Integer(), nullable=False),
        sa.Column("claimed_on", sa.Date(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("staff", sa.String(80), nullable=False),
        *_times("created_at", "updated_at"),
        sa.ForeignKeyConstraint(
            ["warranty_id"], ["warranties.id"], name="fk_warranty_claims_warranty_id_warranties", ondelete="CASCADE"
        ),
        *_keys("warranty_claims"),
    )
    op.create_index("ix_warranty_claims_warranty", "warranty_claims", ["warranty_id", "claimed_on"])

    op.create_table(
        "phone_calls",
        *_record_columns(),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("caller_e164", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(80), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("follow_up_done_at", sa.DateTime(), nullable=True),
        sa.Column("staff", sa.String(80), nullable=False),
        *_times("called_at", "created_at", "updated_at"),
        _customer_fk("phone_calls"),
        *_keys("phone_calls"),
    )
    op.create_index("ix_phone_calls_follow_up", "phone_calls", ["follow_up_done_at", "follow_up_on"])
    op.create_index("ix_phone_calls_customer", "phone_calls", ["customer_id", "called_at"])
    op.create_index("ix_phone_calls_called", "phone_calls", ["called_at"])

    choices = op.create_table(
        "choices",
        *_record_columns(),
        sa.Column("list_name", sa.String(20), nullable=False),
        sa.Column("label", sa.String(80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        *_times("created_at", "updated_at"),
        *_keys("choices"),
    )
    op.create_index("ix_choices_list", "choices", ["list_name", "retired", "position"])

    _seed(notices, choices)


def _seed(notices: sa.Table, choices: sa.Table) -> None:
    """The starting lists, and notice version 1 for a shop that existed before notices did.

    The lists' UUIDs are derived from their labels and their times fixed, so every shop file
    seeds the same records and tills that sync do not end up with each entry twice.
    """
    import uuid
    from datetime import datetime, timezone

    now = datetime.now(timezone.utc).replace(tzinfo=None)
    op.bulk_insert(
        choices,
        [
            {"id": None, "uuid": choice_uuid(list_name, label), "list_name": list_name, "label": label,
             "position": position, "retired": False, "created_at": SEEDED_AT, "updated_at": SEEDED_AT}
            for list_name, labels in DEFAULT_CHOICES.items()
            for position, label in enumerate(labels)
        ],
    )
    shop_name = op.get_bind().execute(sa.text("SELECT name FROM shop LIMIT 1")).scalar()
    if shop_name is not None:  # a new shop publishes its first notice when it is created
        op.bulk_insert(
            notices,
            [{"id": None, "uuid": str(uuid.uuid4()), "version": 1, "text": default_notice_text(shop_name),
              "published_at": now, "updated_at": now}],
        )


def downgrade() -> None:
    op.execute("DROP TRIGGER consents_no_update")
    for table in ("choices", "phone_calls", "warranty_claims", "warranties", "reservation_events",
                  "reservations", "consents", "privacy_notices"):
        op.drop_table(table)
    with op.batch_alter_table("shop") as shop:
        shop.drop_column("updated_at")
        shop.drop_column("logo_png")
        shop.drop_column("contact_line")

"""Sync between tills: tombstones, the import log, a change time on loyalty cards, the export watermark,
and the same UUIDs for the same choice labels in every shop file.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from desktop.db.migrations.frozen import DEFAULT_CHOICES, SEEDED_AT, choice_uuid

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tombstones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("table_name", sa.String(40), nullable=False),
        sa.Column("record_uuid", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tombstones"),
        sa.UniqueConstraint("uuid", name="uq_tombstones_uuid"),
    )
    op.create_index("ix_tombstones_record", "tombstones", ["table_name", "record_uuid"], unique=True)
    op.create_table(
        "sync_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("bundle_sha256", sa.String(64), nullable=False),
        sa.Column("from_till_uuid", sa.String(36), nullable=False),
        sa.Column("exported_at", sa.DateTime(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("full", sa.Boolean(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("conflicts", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("report_json", sa.Text(), nullable=False),
        sa.Column("watermark_from", sa.DateTime(), nullable=True),
        sa.Column("watermark_to", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sync_imports"),
        sa.UniqueConstraint("uuid", name="uq_sync_imports_uuid"),
    )
    op.create_index("ix_sync_imports_bundle", "sync_imports", ["bundle_sha256"])

    # A card changes when it is replaced; sync needs to know when that was. The table is
    # rebuilt by hand rather than by batch mode, whose rebuilt table lists its constraints in
    # an order that varies from run to run.
    _cards_table("_loyalty_cards_new")
    op.execute(
        "INSERT INTO _loyalty_cards_new (id, uuid, customer_id, code, status, issued_at, replaced_at, updated_at)"
        " SELECT id, uuid, customer_id, code, status, issued_at, replaced_at, coalesce(replaced_at, issued_at)"
        " FROM loyalty_cards"
    )
    op.drop_index("ix_loyalty_cards_customer", "loyalty_cards")
    op.drop_table("loyalty_cards")
    op.rename_table("_loyalty_cards_new", "loyalty_cards")
    op.create_index("ix_loyalty_cards_customer", "loyalty_cards", ["customer_id", "status"])

    with op.batch_alter_table("shop") as shop:
        shop.add_column(sa.Column("sync_watermark", sa.DateTime(), nullable=True))

    _stable_choice_uuids()


def _cards_table(name: str) -> None:
    """loyalty_cards as revision 0003 made it, plus updated_at, under a temporary name."""
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(12), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("replaced_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name="fk_loyalty_cards_customer_id_customers", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_loyalty_cards"),
        sa.UniqueConstraint("uuid", name="uq_loyalty_cards_uuid"),
        sa.UniqueConstraint("code", name="uq_loyalty_cards_code"),
    )


def _stable_choice_uuids() -> None:
    """Files seeded before 0004 derived its UUIDs got random ones: each label gets its derived UUID now,
    and a starting entry never changed since gets the seeding time every shop file now shares.

    Nothing refers to a choice by UUID (records keep the label itself), so this renames
    nothing that matters. Should two entries of one list read the same (an old file could
    hold such a pair), the oldest takes the derived UUID and the other keeps its own.
    """
    conn = op.get_bind()
    rows = conn.execute(
        sa.text("SELECT id, uuid, list_name, label, position, retired, created_at, updated_at FROM choices ORDER BY id")
    ).all()
    taken = {row.uuid for row in rows}
    for row in rows:
        wanted = choice_uuid(row.list_name, row.label)
        if wanted != row.uuid and wanted not in taken:
            conn.execute(sa.text("UPDATE choices SET uuid = :uuid WHERE id = :id"), {"uuid": wanted, "id": row.id})
            taken.discard(row.uuid)
            taken.add(wanted)
        seeded = DEFAULT_CHOICES.get(row.list_name, [])
        untouched = row.created_at == row.updated_at and not row.retired
        if untouched and row.label in seeded and row.position == seeded.index(row.label):
            conn.execute(
                sa.text("UPDATE choices SET created_at = :at, updated_at = :at WHERE id = :id"),
                {"at": SEEDED_AT.strftime("%Y-%m-%d %H:%M:%S.%f"), "id": row.id},  # as SQLAlchemy writes it
            )


def downgrade() -> None:
    with op.batch_alter_table("shop") as shop:
        shop.drop_column("sync_watermark")
    with op.batch_alter_table("loyalty_cards") as cards:
        cards.drop_column("updated_at")
    op.drop_index("ix_sync_imports_bundle", "sync_imports")
    op.drop_table("sync_imports")
    op.drop_index("ix_tombstones_record", "tombstones")
    op.drop_table("tombstones")

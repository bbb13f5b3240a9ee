"""Sync by causality: the till's hybrid logical clock, a stamp on every field of every record that
can change, phone numbers as a set, a change number on every synced record, and the conflicts
list. (desktop/sync/clock.py describes the change feed these columns make.)

- shop: the clock (hlc_ms, hlc_counter), the current change number (change_seq) and the first
  one the next incremental export covers (sync_since_seq; NULL until the first export).
- every synced table: change_seq, set by triggers to the shop's current change number whenever
  a row is written without one (bulk SQL, demo data), so no change can miss the next export.
- records that can change: stamp (the stamp of every field not in field_stamps; "" until the
  record changes after this upgrade: its updated_at, counter 0, this till) and field_stamps.
- customers: removed_phones; customer_phones: stamp (the stamp the number was added with).
- sync_conflicts: values that lost to a concurrent edit of the same field, for the owner.

Every record already here gets change number 1; a till that has exported before starts its next
incremental export from 1, so this upgrade sends everything once rather than risk missing a record
the old wall-clock watermark had skipped.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# As they are at this revision (this migration must not follow later code).
SYNCED = ("customers", "loyalty_programs", "loyalty_cards", "loyalty_entries", "privacy_notices", "consents",
          "choices", "reservations", "reservation_events", "warranties", "warranty_claims", "phone_calls",
          "tombstones")
STAMPED = ("customers", "loyalty_programs", "loyalty_cards", "privacy_notices", "choices", "reservations",
           "warranties", "warranty_claims", "phone_calls")
CURRENT = "(SELECT change_seq FROM shop ORDER BY id LIMIT 1)"
LEDGER_COLUMNS = ("id", "uuid", "program_id", "customer_id", "kind", "amount", "reason", "purchase_cents",
                  "created_at")
CONSENT_COLUMNS = ("id", "uuid", "customer_id", "channel", "granted", "notice_version", "source", "staff",
                   "recorded_at")


def _unchanged(columns) -> str:
    return " AND ".join(f"NEW.{name} IS OLD.{name}" for name in columns)


def _only_the_change_number(columns) -> str:
    return f"({_unchanged(columns)} AND NEW.change_seq IS NOT OLD.change_seq)"


def upgrade() -> None:
    op.add_column("shop", sa.Column("hlc_ms", sa.BigInteger(), nullable=False, server_default="0"))
    op.add_column("shop", sa.Column("hlc_counter", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("shop", sa.Column("change_seq", sa.Integer(), nullable=False, server_default="1"))
    op.add_column("shop", sa.Column("sync_since_seq", sa.Integer(), nullable=True))
    op.execute("UPDATE shop SET sync_since_seq = 1 WHERE sync_watermark IS NOT NULL")
    for table in SYNCED:
        op.add_column(table, sa.Column("change_seq", sa.Integer(), nullable=False, server_default="1"))
    for table in STAMPED:
        op.add_column(table, sa.Column("stamp", sa.String(60), nullable=False, server_default=""))
        op.add_column(table, sa.Column("field_stamps", sa.Text(), nullable=False, server_default=""))
    op.add_column("customers", sa.Column("removed_phones", sa.Text(), nullable=False, server_default=""))
    op.add_column("customer_phones", sa.Column("stamp", sa.String(60), nullable=False, server_default=""))

    # The append-only tables let a write of the change number alone through, and nothing else new.
    op.execute("DROP TRIGGER loyalty_entries_no_update")
    op.execute(
        "CREATE TRIGGER loyalty_entries_no_update BEFORE UPDATE ON loyalty_entries "
        "WHEN NOT (OLD.reason <> '' AND NEW.reason = '' AND "
        f"{_unchanged(c for c in LEDGER_COLUMNS if c != 'reason')}) AND NOT {_only_the_change_number(LEDGER_COLUMNS)} "
        "BEGIN SELECT RAISE(ABORT, 'loyalty ledger entries cannot be changed'); END"
    )
    op.execute("DROP TRIGGER consents_no_update")
    op.execute(
        f"CREATE TRIGGER consents_no_update BEFORE UPDATE ON consents WHEN NOT {_only_the_change_number(CONSENT_COLUMNS)} "
        "BEGIN SELECT RAISE(ABORT, 'consent records cannot be changed'); END"
    )
    for table in SYNCED:
        op.execute(
            f"CREATE TRIGGER {table}_change_seq_insert AFTER INSERT ON {table} "
            f"WHEN NEW.change_seq IS NOT {CURRENT} "
            f"BEGIN UPDATE {table} SET change_seq = {CURRENT} WHERE id = NEW.id; END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_change_seq_update AFTER UPDATE ON {table} "
            f"WHEN NEW.change_seq IS OLD.change_seq AND NEW.change_seq IS NOT {CURRENT} "
            f"BEGIN UPDATE {table} SET change_seq = {CURRENT} WHERE id = NEW.id; END"
        )

    op.create_table(
        "sync_conflicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("table_name", sa.String(40), nullable=False),
        sa.Column("record_uuid", sa.String(36), nullable=False),
        sa.Column("field", sa.String(60), nullable=False),
        sa.Column("mine", sa.Text(), nullable=False),
        sa.Column("mine_stamp", sa.String(60), nullable=False),
        sa.Column("theirs", sa.Text(), nullable=False),
        sa.Column("theirs_stamp", sa.String(60), nullable=False),
        sa.Column("kept", sa.String(10), nullable=False),
        sa.Column("found_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolution", sa.String(10), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name="pk_sync_conflicts"),
        sa.UniqueConstraint("uuid", name="uq_sync_conflicts_uuid"),
    )
    op.create_index("ix_sync_conflicts_open", "sync_conflicts", ["resolved_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_sync_conflicts_open", "sync_conflicts")
    op.drop_table("sync_conflicts")
    for table in SYNCED:
        op.execute(f"DROP TRIGGER {table}_change_seq_update")
        op.execute(f"DROP TRIGGER {table}_change_seq_insert")
    op.execute("DROP TRIGGER consents_no_update")
    op.execute("CREATE TRIGGER consents_no_update BEFORE UPDATE ON consents "
               "BEGIN SELECT RAISE(ABORT, 'consent records cannot be changed'); END")
    op.execute("DROP TRIGGER loyalty_entries_no_update")
    op.execute(
        "CREATE TRIGGER loyalty_entries_no_update BEFORE UPDATE ON loyalty_entries "
        f"WHEN NOT (OLD.reason <> '' AND NEW.reason = '' AND {_unchanged(c for c in LEDGER_COLUMNS if c != 'reason')}) "
        "BEGIN SELECT RAISE(ABORT, 'loyalty ledger entries cannot be changed'); END"
    )
    op.drop_column("customer_phones", "stamp")
    op.drop_column("customers", "removed_phones")
    for table in STAMPED:
        op.drop_column(table, "field_stamps")
        op.drop_column(table, "stamp")
    for table in SYNCED:
        op.drop_column(table, "change_seq")
    for name in ("sync_since_seq", "change_seq", "hlc_counter", "hlc_ms"):
        op.drop_column("shop", name)

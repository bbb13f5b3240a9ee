"""Tombstones: deletions and privacy erasures that travel to the other tills and win there.

Nothing in Regulars deletes a record yet; the privacy erasure of issue 6 will call
apply_erasure. Sync already honours tombstones both ways: an erased customer stays erased
on every till whatever the other tills say about them (desktop/sync/merge.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from desktop.models.base import stable_uuid, utc_now
from desktop.sync.merge import merged_tombstone
from desktop.sync.tables import stored_time

# What is left of an erased customer: the record (so the ledger, reservations and warranties
# that point at it stay whole) with every personal field emptied, no phones, no search keys.
ERASED_FIELDS: dict[str, object] = {
    "first_name": "",
    "last_name": "",
    "company": "",
    "email": None,
    "email_key": None,
    "address_line1": "",
    "address_line2": "",
    "city": "",
    "state": "",
    "postal_code": "",
    "country": "",
    "preferred_payment": "",
    "birthday": None,
    "notes": "",
    "heard_from": "",
}


def tombstone_uuid(table: str, record_uuid: str) -> str:
    """The same on every till, so two erasures of one customer are one tombstone."""
    return stable_uuid("tombstone", table, record_uuid)


def apply_erasure(session: Session, customer_uuid: str, *, at: datetime | None = None) -> bool:
    """Erases a customer's personal data here, and records the tombstone that erases it on every other till.

    The customer record stays, anonymised (names emptied, email and phone numbers removed,
    address and notes cleared), so ledgers, reservations and warranties that refer to it
    stay whole. ``at`` (naive UTC, now by default) becomes the record's ``updated_at``; if
    the customer was already erased earlier, the earlier time stays. Returns whether the
    customer's record is in this shop file (the tombstone is recorded either way, so a
    record that arrives later from another till is erased on arrival).

    Works in SQL on the session's connection: customers loaded in the session are expired.
    """
    session.flush()
    cursor = session.connection().connection.dbapi_connection.cursor()
    try:
        _kind, merged_at, _changed = record_tombstone(
            cursor, "customers", customer_uuid, "erased", stored_time(at or utc_now())
        )
        found = erase_customer_row(cursor, customer_uuid, merged_at) is not None
    finally:
        cursor.close()
    session.expire_all()
    return found


def record_tombstone(cursor, table: str, record_uuid: str, kind: str, at: str) -> tuple[str, str, bool]:
    """Adds or merges the record's tombstone; (kind, at) as stored now, and whether anything changed."""
    uuid = tombstone_uuid(table, record_uuid)
    row = cursor.execute("SELECT kind, at FROM tombstones WHERE uuid = ?", (uuid,)).fetchone()
    if row is None:
        cursor.execute(
            "INSERT INTO tombstones (uuid, table_name, record_uuid, kind, at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            (uuid, table, record_uuid, kind, at, at),
        )
        return kind, at, True
    merged = merged_tombstone((row[0], _long(row[1])), (kind, at))
    if merged == (row[0], row[1]):
        return merged[0], merged[1], False
    cursor.execute(
        "UPDATE tombstones SET kind = ?, at = ?, updated_at = ? WHERE uuid = ?", (*merged, merged[1], uuid)
    )
    return merged[0], merged[1], True


def erase_customer_row(cursor, customer_uuid: str, at: str) -> bool | None:
    """Anonymises the customer with updated_at = at (a DB-API cursor in the write transaction).

    None if there is no such customer, else whether anything changed.
    """
    names = list(ERASED_FIELDS)
    row = cursor.execute(
        f"SELECT id, {', '.join(names)}, updated_at FROM customers WHERE uuid = ?", (customer_uuid,)
    ).fetchone()
    if row is None:
        return None
    customer_id, *current, updated_at = row
    phones = cursor.execute("SELECT count(*) FROM customer_phones WHERE customer_id = ?", (customer_id,)).fetchone()[0]
    if current == list(ERASED_FIELDS.values()) and _long(updated_at) == at and not phones:
        return False
    assignments = ", ".join(f"{name} = ?" for name in names)
    cursor.execute(
        f"UPDATE customers SET {assignments}, updated_at = ? WHERE id = ?",
        (*ERASED_FIELDS.values(), at, customer_id),
    )
    cursor.execute("DELETE FROM customer_phones WHERE customer_id = ?", (customer_id,))
    cursor.execute("DELETE FROM customer_search_keys WHERE customer_id = ?", (customer_id,))
    return True


def _long(stored: str) -> str:
    """A stored time in its full form (some old rows lack the microseconds)."""
    return stored + ".000000" if len(stored) == 19 else stored

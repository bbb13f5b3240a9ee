"""Tombstones: deletions and privacy erasures that travel to the other tills and win there.

desktop/services/erasure.py erases a customer with apply_erasure. Sync honours tombstones
both ways: an erased customer stays erased on every till whatever the other tills say about
them (desktop/sync/merge.py), and the importer gives what arrives of theirs, and what it
holds of them when their tombstone arrives, the same treatment as the erasure here
(erased_version, erase_customer_records, erase_customer_row), so the personal fields of an
erased customer and of their records never come back from another till.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from desktop.models.base import stable_uuid, stored_time, utc_now
from desktop.services.warranties import serial_key
from desktop.sync.merge import merged_tombstone

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
    "removed_phones": "",  # the numbers they no longer have are theirs too
    # Stamped at the erasure (its updated_at), the same on every till: clock.legacy_stamp.
    "stamp": "",
    "field_stamps": "",
}

# Stands in for text a record cannot be without (an item, a product, a serial, a problem). It passes
# the checks a bundle's cells go through, so an erased record travels between tills like any other.
ERASED_TEXT = "(erased)"

# The erased customer's records stay, so the shop's counts and totals stay right, but lose what staff
# typed about the customer and what identifies them: descriptions, notes, serial numbers, the number
# they called from. Staff names, dates, amounts, statuses and the call reason (a label from the shop's
# list) say nothing about the customer and are kept. See erased_version for the rest of the rule.
ERASED_RECORD_FIELDS: dict[str, dict[str, object]] = {
    "reservations": {"item": ERASED_TEXT, "notes": ""},
    "warranties": {"product": ERASED_TEXT, "serial_number": ERASED_TEXT, "serial_key": serial_key(ERASED_TEXT),
                   "notes": ""},
    "warranty_claims": {"problem": ERASED_TEXT, "outcome": ""},
    "phone_calls": {"caller_e164": "", "notes": ""},
}
# table -> which of its rows belong to the customer whose id is :customer. Consents and reservation
# events hold nothing about the customer but the link, so an erasure leaves them as they are.
RECORDS_OF_CUSTOMER = {
    "reservations": "customer_id = :customer",
    "warranties": "customer_id = :customer",
    "warranty_claims": "warranty_id IN (SELECT id FROM warranties WHERE customer_id = :customer)",
    "phone_calls": "customer_id = :customer",
    "loyalty_cards": "customer_id = :customer",
    "loyalty_entries": "customer_id = :customer",
}


@dataclass(frozen=True)
class Erased:
    """What erasing one customer changed in this shop file."""

    customer: bool  # their own record: names, contacts, address, notes, phones, search keys
    records: dict[str, int] = field(default_factory=dict)  # table -> records of theirs that were anonymised

    @property
    def changed(self) -> bool:
        return self.customer or any(self.records.values())


def tombstone_uuid(table: str, record_uuid: str) -> str:
    """The same on every till, so two erasures of one customer are one tombstone."""
    return stable_uuid("tombstone", table, record_uuid)


def apply_erasure(session: Session, customer_uuid: str, *, at: datetime | None = None) -> Erased | None:
    """Erases a customer's personal data here, and records the tombstone that erases it on every other till.

    The customer record stays, anonymised (names emptied, email and phone numbers removed,
    address and notes cleared), and so do their records (see erase_customer_records), so
    ledgers, reservations and warranties that refer to it stay whole. ``at`` (naive UTC,
    now by default) is the erasure's time; if the customer was already erased earlier,
    the earlier time stays. Returns what changed, or None when the customer's record is
    not in this shop file (the tombstone is recorded either way, so a record that arrives
    later from another till is erased on arrival).

    Works in SQL on the session's connection: objects loaded in the session are expired.
    """
    session.flush()
    cursor = session.connection().connection.dbapi_connection.cursor()
    try:
        _kind, merged_at, _changed = record_tombstone(
            cursor, "customers", customer_uuid, "erased", stored_time(at or utc_now())
        )
        erased = erase_customer_everywhere(cursor, customer_uuid, merged_at)
    finally:
        cursor.close()
    session.expire_all()
    return erased


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
    """Anonymises the customer with updated_at = at, and their records (a DB-API cursor in the write transaction).

    None if there is no such customer, else whether the customer's own record changed.
    """
    erased = erase_customer_everywhere(cursor, customer_uuid, at)
    return None if erased is None else erased.customer


def erase_customer_everywhere(cursor, customer_uuid: str, at: str) -> Erased | None:
    """The customer's record and every record of theirs anonymised; None if there is no such customer.

    Deterministic and idempotent: the same rows and the same ``at`` give the same result on
    every till, however often it runs, so tills that apply one tombstone end alike.
    """
    names = list(ERASED_FIELDS)
    row = cursor.execute(
        f"SELECT id, {', '.join(names)}, updated_at FROM customers WHERE uuid = ?", (customer_uuid,)
    ).fetchone()
    if row is None:
        return None
    customer_id, *current, updated_at = row
    records = erase_customer_records(cursor, customer_id, at)
    forget_erased_conflicts(cursor)
    phones = cursor.execute("SELECT count(*) FROM customer_phones WHERE customer_id = ?", (customer_id,)).fetchone()[0]
    if current == list(ERASED_FIELDS.values()) and _long(updated_at) == at and not phones:
        return Erased(customer=False, records=records)
    assignments = ", ".join(f"{name} = ?" for name in names)
    cursor.execute(
        f"UPDATE customers SET {assignments}, updated_at = ? WHERE id = ?",
        (*ERASED_FIELDS.values(), at, customer_id),
    )
    cursor.execute("DELETE FROM customer_phones WHERE customer_id = ?", (customer_id,))
    cursor.execute("DELETE FROM customer_search_keys WHERE customer_id = ?", (customer_id,))
    return Erased(customer=True, records=records)


_ERASED_IDS = ("(SELECT c.id FROM customers c JOIN tombstones t ON t.table_name = 'customers'"
               " AND t.record_uuid = c.uuid AND t.kind = 'erased')")


def forget_erased_conflicts(cursor) -> None:
    """Values set aside by sync merges (sync_conflicts) about an erased customer or their records go:
    an erasure leaves nothing of theirs behind, in the conflicts list neither."""
    if not cursor.execute("SELECT EXISTS (SELECT 1 FROM sync_conflicts)").fetchone()[0]:
        return
    cursor.execute(
        "DELETE FROM sync_conflicts WHERE table_name = 'customers' AND record_uuid IN"
        " (SELECT record_uuid FROM tombstones WHERE table_name = 'customers' AND kind = 'erased')"
    )
    for table, where in RECORDS_OF_CUSTOMER.items():
        theirs = where.replace("= :customer", f"IN {_ERASED_IDS}")
        cursor.execute(
            f"DELETE FROM sync_conflicts WHERE table_name = ? AND record_uuid IN (SELECT uuid FROM {table} WHERE {theirs})",
            (table,),
        )


def erased_version(table: str, row: Mapping[str, Any], at: str) -> dict[str, Any]:
    """What an erasure at ``at`` changes in one record of the erased customer: column -> value ({} if nothing).

    ``row`` holds the record's columns as stored (times as "YYYY-MM-DD HH:MM:SS.ffffff" text).
    The one rule for records, used for this file's (erase_customer_records) and for those
    arriving from another till (desktop/sync/importer.py), so that every till ends alike:

    - reservations, warranties, warranty claims, calls: ERASED_RECORD_FIELDS; a call's open
      follow-up is closed (nobody is left to call back);
    - loyalty cards: retired, as a lost card is, so the card in the customer's wallet no longer
      finds anything; the code stays (it is random, and the other tills know the card by it);
    - the ledger: the free-text reason of a hand adjustment is cleared; kinds, amounts and times
      stay, so every balance and total adds up as before.

    A changed record's updated_at becomes at least ``at``: the erasure is its latest change,
    unless a till changed it later (that version then wins, and is erased in turn).
    """
    changes = {name: value for name, value in ERASED_RECORD_FIELDS.get(table, {}).items()
               if name in row and row[name] != value}
    if table == "phone_calls" and row["follow_up_on"] is not None and row["follow_up_done_at"] is None:
        changes["follow_up_done_at"] = max(_long(row["called_at"]), at)
    elif table == "loyalty_cards" and row["status"] != "replaced":
        changes.update(status="replaced", replaced_at=max(_long(row["issued_at"]), at))
    elif table == "loyalty_entries" and row["kind"] == "adjust" and row["reason"]:
        changes["reason"] = ""
    if changes and "updated_at" in row:
        changes["updated_at"] = max(_long(row["updated_at"]), at)
    return changes


def erase_customer_records(cursor, customer_id: int, at: str) -> dict[str, int]:
    """Gives the records that belong to the customer their erased_version; table -> how many changed.

    Calls logged by number alone from one of the customer's numbers (while they still have
    them) that no other customer has lose that number and their notes too.
    """
    numbers = [number for (number,) in cursor.execute(
        "SELECT e164 FROM customer_phones WHERE customer_id = ?", (customer_id,)
    ).fetchall()]
    changed = {
        table: _erase_rows(cursor, table, where, {"customer": customer_id}, at)
        for table, where in RECORDS_OF_CUSTOMER.items()
    }
    if numbers:
        marks = ", ".join(f":n{index}" for index in range(len(numbers)))
        changed["phone_calls"] += _erase_rows(
            cursor, "phone_calls",
            f"customer_id IS NULL AND caller_e164 IN ({marks}) AND caller_e164 NOT IN "
            "(SELECT e164 FROM customer_phones WHERE customer_id != :customer)",
            {"customer": customer_id, **{f"n{index}": number for index, number in enumerate(numbers)}}, at,
        )
    return changed


def _erase_rows(cursor, table: str, where: str, params: dict[str, Any], at: str) -> int:
    """Gives the rows of table matching where (named parameters) their erased_version; how many changed."""
    cursor.execute(f"SELECT * FROM {table} WHERE {where}", params)
    names = [column[0] for column in cursor.description]
    updates = [(changes, row["id"]) for row in (dict(zip(names, values)) for values in cursor.fetchall())
               if (changes := erased_version(table, row, at))]
    if not updates:
        return 0
    # The ledger's trigger lets exactly this through: a typed reason emptied (migration 0007).
    for changes, row_id in updates:
        assignments = ", ".join(f"{name} = ?" for name in changes)
        cursor.execute(f"UPDATE {table} SET {assignments} WHERE id = ?", (*changes.values(), row_id))
    return len(updates)


def _long(stored: str) -> str:
    """A stored time in its full form (some old rows lack the microseconds)."""
    return stored + ".000000" if len(stored) == 19 else stored

"""The audit trail: who did what and when, each entry chained to the one before by hash.

An entry's hash covers its own fields and the previous entry's hash, so editing,
inserting or removing an entry in the middle breaks every hash after it, and
``verify_chain`` reports the first entry where the chain no longer holds. Cutting off the
newest entries leaves a shorter chain that still holds: the chain alone cannot tell, which
is why the triggers also refuse deletions (someone must drop them, with the key, to try). Entries name
what was touched (a customer's UUID, the fields that changed) and never the values, so
the trail holds nothing personal and survives an erasure as it is.

In a write unit of work the entry is saved with the action, together or not at all. An
action done in a read unit of work (an export, a print, a look at a record) gets its
entry in a short write of its own, so a long export never holds the write lock.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import AuditEntry, Customer, LoyaltyProgram, StaffMember
from desktop.models.base import utc_now
from desktop.services.permissions import Permission, acting, require

GENESIS = "0" * 64  # the "previous hash" of the first entry

# The actions the trail knows; the viewer filters on them.
CUSTOMER_CREATED = "customer.created"
CUSTOMER_CHANGED = "customer.changed"
CUSTOMER_VIEWED = "customer.viewed"
CUSTOMER_ERASED = "customer.erased"
CUSTOMER_EXPORTED = "customer.exported"  # a right-of-access export
PRINTED = "printed"
EXPORTED = "exported"  # sync bundles, mailing lists, contacts
IMPORTED = "imported"
BACKED_UP = "backed_up"
RESTORED = "restored"
SIGNED_IN = "staff.signed_in"
SIGN_IN_FAILED = "staff.sign_in_failed"
STAFF_CHANGED = "staff.changed"
SETTINGS_CHANGED = "settings.changed"
LOCKED = "locked"
STAMPED = "loyalty.earned"  # stamps or points
REDEEMED = "loyalty.redeemed"
LOYALTY_CORRECTED = "loyalty.adjusted"  # a correction by hand, or an expiry
CALL_LOGGED = "call.logged"
FOLLOW_UP_DONE = "call.follow_up_done"
RESERVATION_ADDED = "reservation.added"
RESERVATION_CHANGED = "reservation.changed"  # ready, collected, cancelled
WARRANTY_ADDED = "warranty.added"
WARRANTY_CLAIMED = "warranty.claimed"
ACTIONS = (
    CUSTOMER_CREATED, CUSTOMER_CHANGED, CUSTOMER_VIEWED, CUSTOMER_ERASED, CUSTOMER_EXPORTED,
    STAMPED, REDEEMED, LOYALTY_CORRECTED, CALL_LOGGED, FOLLOW_UP_DONE,
    RESERVATION_ADDED, RESERVATION_CHANGED, WARRANTY_ADDED, WARRANTY_CLAIMED,
    PRINTED, EXPORTED, IMPORTED, BACKED_UP, RESTORED,
    SIGNED_IN, SIGN_IN_FAILED, STAFF_CHANGED, SETTINGS_CHANGED, LOCKED,
)  # fmt: skip


def _entry_hash(previous_hash: str, entry: AuditEntry) -> str:
    fields = [
        previous_hash,
        entry.at.strftime("%Y-%m-%d %H:%M:%S.%f"),
        entry.staff_uuid,
        entry.staff_name,
        entry.role,
        entry.action,
        entry.subject_kind,
        entry.subject_uuid,
        entry.details,
    ]
    return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()


def record(
    session: Session,
    action: str,
    *,
    subject_kind: str = "",
    subject_uuid: str = "",
    details: dict[str, Any] | None = None,
    staff: tuple[str, str, str] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Adds an entry for the unit of work's actor (or ``staff`` as (uuid, name, role)).

    ``details`` must hold names and counts only, never a customer's values.
    """
    if not session.info.get("writing", True):
        with session.info["database"].writing() as own:
            own.info["actor"] = session.info.get("actor")
            return record(own, action, subject_kind=subject_kind, subject_uuid=subject_uuid, details=details,
                          staff=staff, at=at)  # fmt: skip
    if staff is None:
        actor = acting(session)
        staff = (actor.staff_uuid, actor.name, actor.role) if actor is not None else ("", "", "")
    previous = session.scalar(select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)) or GENESIS
    entry = AuditEntry(
        at=at or utc_now(),
        staff_uuid=staff[0],
        staff_name=staff[1],
        role=staff[2],
        action=action,
        subject_kind=subject_kind,
        subject_uuid=subject_uuid,
        details=json.dumps(details, ensure_ascii=False, sort_keys=True) if details else "",
        previous_hash=previous,
    )
    entry.entry_hash = _entry_hash(previous, entry)
    session.add(entry)
    session.flush()
    return entry


def customer_action(session: Session, action: str, customer_id: int | None, details: dict[str, Any] | None = None) -> None:
    """An entry about something done for a customer (a stamp, a call, a reservation), naming them by UUID."""
    uuid = session.scalar(select(Customer.uuid).where(Customer.id == customer_id)) if customer_id else ""
    record(session, action, subject_kind="customer" if uuid else "", subject_uuid=uuid or "", details=details)


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The names of the fields whose values differ (the values themselves stay out of the trail)."""
    return sorted(name for name in after if before.get(name) != after[name])


@dataclass(frozen=True)
class ChainCheck:
    """The result of checking the chain: how many entries were checked and the first broken one."""

    entries: int
    broken_at: int | None = None  # the id of the first entry whose hash does not hold
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify_chain(session: Session) -> ChainCheck:
    """Recomputes every hash in order; the first mismatch is where the trail was tampered with."""
    require(session, Permission.AUDIT)
    previous = GENESIS
    count = 0
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=2000)):
        count += 1
        if entry.previous_hash != previous:
            return ChainCheck(count, entry.id, "previous")
        if _entry_hash(previous, entry) != entry.entry_hash:
            return ChainCheck(count, entry.id, "contents")
        previous = entry.entry_hash
    return ChainCheck(count)


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""  # one of ACTIONS, or "" for all
    staff: str = ""  # a staff name, or "" for everyone
    subject_uuid: str = ""
    since: datetime | None = None
    until: datetime | None = None


def _filtered(query, wanted: AuditFilter):
    if wanted.action:
        query = query.where(AuditEntry.action == wanted.action)
    if wanted.staff:
        query = query.where(AuditEntry.staff_name == wanted.staff)
    if wanted.subject_uuid:
        query = query.where(AuditEntry.subject_uuid == wanted.subject_uuid)
    if wanted.since is not None:
        query = query.where(AuditEntry.at >= wanted.since)
    if wanted.until is not None:
        query = query.where(AuditEntry.at < wanted.until)
    return query


def list_entries(session: Session, wanted: AuditFilter = AuditFilter(), *, offset: int = 0, limit: int = 200) -> list[AuditEntry]:
    """Newest first, one page at a time (the viewer fetches more as it scrolls)."""
    require(session, Permission.AUDIT)
    query = _filtered(select(AuditEntry), wanted).order_by(AuditEntry.id.desc()).offset(offset).limit(limit)
    return list(session.scalars(query))


def staff_names_in_trail(session: Session) -> list[str]:
    require(session, Permission.AUDIT)
    names: Iterable[str] = session.scalars(select(AuditEntry.staff_name).distinct().order_by(AuditEntry.staff_name))
    return list(names)


@dataclass(frozen=True)
class Subject:
    """Who an entry is about, as the owner knows them today (the trail itself holds only the UUID)."""

    name: str
    customer_id: int | None = None  # a customer the viewer can open
    erased: bool = False


def subjects(session: Session, entries: Iterable[AuditEntry]) -> dict[str, Subject]:
    """The customers, staff members and loyalty programmes the entries name, by UUID; one no longer in the
    book is left out."""
    require(session, Permission.AUDIT)
    wanted = {"customer": set(), "staff": set(), "loyalty_program": set()}
    for entry in entries:
        if entry.subject_kind in wanted and entry.subject_uuid:
            wanted[entry.subject_kind].add(entry.subject_uuid)
    found: dict[str, Subject] = {}
    if wanted["customer"]:
        rows = session.execute(select(Customer.id, Customer.uuid, Customer.first_name, Customer.last_name)
                               .where(Customer.uuid.in_(wanted["customer"])))
        for row in rows:
            name = " ".join(part for part in (row.first_name, row.last_name) if part)
            found[row.uuid] = Subject(name, row.id, erased=not row.first_name)  # erasure empties the first name
    for kind, model in (("staff", StaffMember), ("loyalty_program", LoyaltyProgram)):
        if wanted[kind]:
            for uuid, name in session.execute(select(model.uuid, model.name).where(model.uuid.in_(wanted[kind]))):
                found[uuid] = Subject(name)
    return found

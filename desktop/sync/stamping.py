"""Every change the services make to a synced record is stamped here, in one place: a
``before_flush`` hook on every session of a shop file (one that carries its ShopDatabase in
``session.info``), registered when this module is imported, which desktop/services does first.

For each synced record written in the flush it sets the record's change number (so the next
incremental export takes it), and for a record that can change, the hybrid-clock stamp of
each field group it changes, with the stamp of the value it replaced (desktop/sync/clock.py).
A customer's phone numbers: a number added gets the stamp; a number removed goes into
``removed_phones`` with the stamp it had been added with. Bulk SQL (demo data, erasure) gets
its change number from the triggers of migration 0010 and, having no stamp, counts as
stamped at its ``updated_at``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from desktop.models.base import Stamped, Synced, stored_time
from desktop.models.customer import Customer, CustomerPhone
from desktop.sync.clock import Clock
from desktop.sync.merge import effective_base, field_pairs, field_stamps_text, removed_of, removed_text
from desktop.sync import tables  # as a module: desktop.services imports this one while tables imports it


class _Flush:
    """One flush's clock and change number, read only when the flush holds a synced change."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._clock: Clock | None = None
        self._stamp: str | None = None
        self._seq: int | None = None

    @property
    def cursor(self):
        return self.session.connection().connection.dbapi_connection.cursor()

    @property
    def seq(self) -> int:
        if self._seq is None:
            self._seq = self.cursor.execute("SELECT change_seq FROM shop ORDER BY id LIMIT 1").fetchone()[0]
        return self._seq

    @property
    def stamp(self) -> str:
        """One stamp for everything this flush changes (one edit, one moment)."""
        if self._stamp is None:
            database = self.session.info.get("database")
            self._clock = Clock(self.cursor, database.clock)
            self._stamp = self._clock.tick()
        return self._stamp


@event.listens_for(Session, "before_flush")
def _stamp_changes(session: Session, _context, _instances) -> None:
    if session.info.get("database") is None:
        return
    flush = _Flush(session)
    for obj in list(session.new):
        if isinstance(obj, Synced):
            obj.change_seq = flush.seq
            if isinstance(obj, Stamped):
                obj.stamp, obj.field_stamps = flush.stamp, ""
        elif isinstance(obj, CustomerPhone):
            obj.stamp = flush.stamp
            if obj.customer is not None and obj.customer not in session.new:
                obj.customer.change_seq = flush.seq
    for obj in list(session.dirty):
        if isinstance(obj, Synced) and session.is_modified(obj):
            if isinstance(obj, Stamped):
                _stamp_fields(obj, tables.BY_NAME[obj.__tablename__], flush)
            if isinstance(obj, Customer):
                _note_removed_phones(obj)
            obj.change_seq = flush.seq
        elif isinstance(obj, CustomerPhone) and obj.customer is not None and session.is_modified(obj):
            if _changed(obj, "label"):
                obj.stamp = flush.stamp  # relabelled: the number's latest version, as if added again
            obj.customer.change_seq = flush.seq
    for obj in list(session.deleted):
        if isinstance(obj, CustomerPhone) and obj.customer is not None and obj.customer not in session.deleted:
            _remove_phone(obj.customer, obj)
            obj.customer.change_seq = flush.seq


def _original(obj, attribute: str):
    history = inspect(obj).attrs[attribute].history
    if history.deleted:
        return history.deleted[0]
    return getattr(obj, attribute)


def _changed(obj, attribute: str) -> bool:
    history = inspect(obj).attrs[attribute].history
    return bool(history.added) and list(history.added) != list(history.deleted or [])


def _stamp_fields(obj: Stamped, spec: tables.TableSpec, flush: _Flush) -> None:
    """Each changed field group gets this flush's stamp, and remembers the stamp of the value it replaced."""
    attributes = {column.name: column.db_name for column in spec.columns}
    changed = [group for group, columns in spec.groups.items()
               if any(_changed(obj, attributes[name]) for name in columns)]
    if not changed:
        return
    updated_at = _original(obj, spec.changed)
    base = effective_base(obj.stamp, stored_time(updated_at) if isinstance(updated_at, datetime) else updated_at)
    pairs = field_pairs(list(spec.groups), base, obj.field_stamps)
    for group in changed:
        pairs[group] = (flush.stamp, pairs[group][0])
    obj.stamp = base
    obj.field_stamps = field_stamps_text(base, pairs)


def _note_removed_phones(customer: Customer) -> None:
    history = inspect(customer).attrs["phones"].history
    for phone in history.deleted or ():
        _remove_phone(customer, phone)


def _remove_phone(customer: Customer, phone: CustomerPhone) -> None:
    """The number leaves the set; what its till had seen of it (the stamp it was added with) is removed."""
    if any(other.e164 == phone.e164 for other in customer.phones if other is not phone):
        return
    removed = removed_of(customer.removed_phones)
    removed[phone.e164] = max(removed.get(phone.e164, phone.stamp), phone.stamp)
    customer.removed_phones = removed_text(removed)

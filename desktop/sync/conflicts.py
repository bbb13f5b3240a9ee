"""The conflicts list: values that lost to a concurrent edit of the same field on another till.

The importer fills it (desktop/sync/importer.py, rules in desktop/sync/merge.py); the owner
reviews it in the window (Sync > Conflicts) or with ``regulars sync conflicts``, and keeps
either value. Keeping the value the merge did not keep is a new edit, made here now: its
stamp is later than both, so it wins on every till once bundles are exchanged again. A
customer's details change through the customers service, as the edit form changes them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.errors import InvalidInput, NotFound, Problem, translatable
from desktop.models import Base, Customer, SyncConflict
from desktop.models.base import utc_now
from desktop.services import customers
from desktop.services.permissions import Permission, require
from desktop.services.shop import shop_settings
from desktop.sync.tables import BOOL, BY_NAME, DATE, DATETIME, INT, REF, Column, select_sql

KEEP = ("mine", "theirs")


@dataclass(frozen=True)
class ConflictView:
    id: int
    table: str
    record_uuid: str
    field: str  # a column, or several joined by commas when they change together
    mine: str  # this till's value when the conflict was found (several: a JSON list)
    theirs: str
    kept: str  # what the merge kept: mine | theirs
    found_at: datetime
    resolved_at: datetime | None
    resolution: str  # "" until the owner chose: mine | theirs
    record_name: str = ""  # a customer's name as the shop knows it today; "" for other records

    def to_json(self) -> dict:
        return {"id": self.id, "table": self.table, "record_uuid": self.record_uuid, "field": self.field,
                "mine": self.mine, "theirs": self.theirs, "kept": self.kept,
                "found_at": self.found_at.isoformat(timespec="seconds"),
                "resolved_at": self.resolved_at.isoformat(timespec="seconds") if self.resolved_at else None,
                "resolution": self.resolution or None, "record_name": self.record_name}


def _view(row: SyncConflict) -> ConflictView:
    return ConflictView(row.id, row.table_name, row.record_uuid, row.field, row.mine, row.theirs, row.kept,
                        row.found_at, row.resolved_at, row.resolution)


def list_conflicts(session: Session, *, include_resolved: bool = False) -> list[ConflictView]:
    """Open conflicts (and resolved ones too, if asked), oldest first."""
    require(session, Permission.SYNC_CONFLICTS)
    query = select(SyncConflict).order_by(SyncConflict.id)
    if not include_resolved:
        query = query.where(SyncConflict.resolved_at.is_(None))
    rows = list(session.scalars(query))
    names = _customer_names(session, {row.record_uuid for row in rows if row.table_name == "customers"})
    return [replace(_view(row), record_name=names.get(row.record_uuid, "")) for row in rows]


def _customer_names(session: Session, uuids: set[str]) -> dict[str, str]:
    if not uuids:
        return {}
    found = session.execute(select(Customer.uuid, Customer.first_name, Customer.last_name).where(Customer.uuid.in_(uuids)))
    return {uuid: " ".join(part for part in (first, last) if part) for uuid, first, last in found}


def resolve_conflict(session: Session, conflict_id: int, keep: str) -> ConflictView:
    """Keeps this till's value (mine) or the other till's (theirs); the record changes if it does not hold it."""
    require(session, Permission.SYNC_CONFLICTS)
    if keep not in KEEP:
        raise InvalidInput({"keep": Problem(translatable("Choose mine or theirs."))})
    row = session.get(SyncConflict, conflict_id)
    if row is None:
        raise NotFound(translatable("No sync conflict {ref}."), ref=str(conflict_id))
    if row.resolved_at is not None:
        raise InvalidInput({"id": Problem(translatable("Conflict {ref} was already resolved."), {"ref": row.id})})
    spec = BY_NAME[row.table_name]
    names = row.field.split(",")
    text = row.mine if keep == "mine" else row.theirs
    wanted = dict(zip(names, [text] if len(names) == 1 else json.loads(text)))
    if _current(session, spec, row.record_uuid, names) != wanted:
        _change(session, spec, row.record_uuid, wanted)
    row.resolved_at, row.resolution = utc_now(), keep
    session.flush()
    return _view(row)


def _current(session: Session, spec, record_uuid: str, names: list[str]) -> dict[str, str] | None:
    found = session.connection().exec_driver_sql(select_sql(spec, where="t.uuid = ?"), (record_uuid,)).first()
    if found is None:
        raise NotFound(translatable("The record of this conflict is no longer in this shop file."))
    cells = dict(zip(spec.header, ("" if value is None else str(value) for value in found)))
    return {name: cells[name] for name in names}


def _change(session: Session, spec, record_uuid: str, cells: dict[str, str]) -> None:
    """One edit, stamped as any other (desktop/sync/stamping.py)."""
    if spec.name == "customers":
        changes = {name: (None if name == "birthday" and not cell else cell) for name, cell in cells.items()}
        customers.change_customer(session, record_uuid, shop_settings(session).region, changes=changes,
                                  allow_duplicate=True)
        return
    model = next(m.class_ for m in Base.registry.mappers if getattr(m.class_, "__tablename__", "") == spec.name)
    record = session.scalars(select(model).where(model.uuid == record_uuid)).one()
    for name, cell in cells.items():
        column = spec.column(name)
        setattr(record, column.db_name, _stored(session, column, cell))
    record.updated_at = utc_now()


def _stored(session: Session, column: Column, cell: str):
    """A cell as the model holds it."""
    if cell == "" and (column.nullable or column.kind in (DATE, DATETIME)):
        return None
    if column.kind == REF:
        model = next(m.class_ for m in Base.registry.mappers if getattr(m.class_, "__tablename__", "") == column.ref)
        return session.scalars(select(model.id).where(model.uuid == cell)).one()
    if column.kind in (INT, BOOL):
        return int(cell)
    if column.kind == DATE:
        return date.fromisoformat(cell)
    if column.kind == DATETIME:
        return datetime.fromisoformat(cell)
    return cell

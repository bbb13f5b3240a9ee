"""Importing a sync bundle: verify everything, then merge it in one transaction.

1. The bundle is verified whole before a row is read (desktop/sync/bundle.py): its seal
   (an HMAC under the sync passphrase), its manifest, every file's size and SHA-256, each
   streamed, never held whole. Any fault refuses the bundle and nothing is written. Rows
   are then read from it as a stream, a table at a time, each CSV strictly (a fault there
   rolls the whole import back).
   A bundle exported before stamps (its CSVs lack the change-feed columns) still imports: its
   records count as stamped at their updated_at (clock.legacy_stamp).
2. The bundle must come from this shop. A new, empty shop file adopts the bundle's shop
   instead (that is how a second till starts), from a full bundle only: an incremental one
   would leave it without the older records (the shop's first privacy notice among them).
3. Every row is checked with the rules the services apply (desktop/sync/validation.py).
   A bad row is rejected on its own, with its reason, and so are the rows that depend on
   it (a customer's phones, reservations, ledger entries...); everything else applies.
   One bad row does not keep a shop from the rest of its data, and the report lists it.
4. A bundle stamped more than a day ahead of this till's clock is refused (unless the owner
   accepts it); otherwise this till's hybrid clock moves past every stamp in it
   (desktop/sync/clock.py), so an edit made here afterwards wins over what it brought.
5. Everything is merged in one transaction by the rules of desktop/sync/merge.py (field by
   field; phone numbers as a set), with bulk SQL (executemany), never an ORM object per
   row. Every record written gets this shop's current change number, so what this till
   learns travels on. Same-field conflicts go into ``sync_conflicts``. Search keys are
   rebuilt for every customer whose names changed. A cancel or a failure rolls it all back.
6. The report (added, updated, unchanged, conflicts, rejected rows) is stored in
   ``sync_imports`` and returned. Importing the same bundle again changes nothing.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from desktop.db.engine import ShopDatabase
from desktop.errors import translatable
from desktop.models.base import new_uuid, utc_now
from desktop.services import audit
from desktop.services.customers import MAX_PHONES
from desktop.services.erasure_register import reapply_erasure_register
from desktop.services.permissions import Permission, require_actor
from desktop.services.phones import split_e164
from desktop.services.search_keys import name_keys
from desktop.sync.bundle import BundleReader, BundleRefused, SyncCancelled, open_bundle
from desktop.sync.clock import MAX_AHEAD, Clock, Stamp, legacy_stamp
from desktop.sync.clock import parse as parse_stamp
from desktop.sync.merge import (
    FieldConflict,
    Phone,
    field_pairs,
    merge_fields,
    merge_phones,
    merged_tombstone,
    removed_of,
    removed_text,
)
from desktop.sync.report import ImportReport
from desktop.sync.tables import (
    CUSTOMER_PHONES,
    CUSTOMERS,
    PRIVACY_NOTICES,
    REF,
    TABLES,
    TOMBSTONES,
    TableSpec,
    select_sql,
)
from desktop.sync.tombstones import (
    ERASED_FIELDS,
    ERASED_RECORD_FIELDS,
    RECORDS_OF_CUSTOMER,
    erase_customer_records,
    erase_customer_row,
    erased_version,
    forget_erased_conflicts,
    tombstone_uuid,
)
from desktop.sync.validation import Refused, RowChecker

CHUNK = 500  # UUIDs per IN (...) lookup
SCAN_ABOVE = 20_000  # more incoming rows than this: read the local table whole instead
PROGRESS_EVERY = 2_000
# Page cache while importing (negative: KiB): the UUID indexes take inserts at random places,
# and a big book's indexes outgrow the usual cache.
IMPORT_CACHE_KIB = -256 * 1024

Progress = Callable[[int, int], None]


class ClockAhead(BundleRefused):
    """The bundle is stamped more than a day ahead of this till's clock; the owner may accept it."""


def import_bundle(
    database: ShopDatabase,
    path: Path | str,
    *,
    passphrase: str | None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    now: datetime | None = None,
    accept_clock_ahead: bool = False,
) -> ImportReport:
    """Merges the bundle at path into the shop; BundleRefused (nothing written) if it cannot be used.

    A bundle stamped more than a day ahead of this till's clock is refused unless accept_clock_ahead
    (the owner knows why the other till's clock is ahead, and accepts that this till's follows it).

    progress(done, total) counts rows three times over: read, checked, applied.
    """
    started_by = require_actor(database.acting, Permission.IMPORT)  # the bundle is read before the write begins
    started = time.perf_counter()
    ticker = _Ticker(progress, cancelled)
    with open_bundle(path, passphrase, on_file=ticker.add, cancelled=cancelled, on_manifest=ticker.start) as bundle:
        ticker.tick(0)
        report = _merge(database, bundle, Path(path), ticker, started_by, started, now, accept_clock_ahead)
    # Erasures that arrived join this till's erasure register, and every erasure it names holds here too.
    reapply_erasure_register(database)
    return report


def _merge(database: ShopDatabase, bundle: BundleReader, path: Path, ticker: _Ticker, started_by, started: float,
           now: datetime | None, accept_clock_ahead: bool) -> ImportReport:
    """The verified bundle's rows merged in one transaction; its report."""
    with database.writing() as session:
        session.info["actor"] = started_by
        cursor = session.connection().connection.dbapi_connection.cursor()
        cache = cursor.execute("PRAGMA cache_size").fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {IMPORT_CACHE_KIB}")
        try:
            run = _Import(cursor, bundle, path, ticker)
            run.join_shop()
            run.check_rows()
            run.observe_clock(Clock(cursor, database.clock), accept_clock_ahead)
            run.apply()
            ticker.check_cancelled()
            run.record(now or utc_now(), started)
            audit.record(session, audit.IMPORTED, details={
                "kind": "sync bundle", "full": run.report.full, "rejected": len(run.report.rejected),
                "rows": sum(counts.added + counts.updated for counts in run.report.tables.values())})  # fmt: skip
            for customer_uuid in run.newly_erased:  # an erasure made on another till, carried out here
                audit.record(session, audit.CUSTOMER_ERASED, subject_kind="customer", subject_uuid=customer_uuid,
                             details={"from": "sync import"})  # fmt: skip
            ticker.done = ticker.total  # phones are applied with their customers: the count may fall short
            ticker.tick(0)
        finally:
            cursor.execute(f"PRAGMA cache_size = {cache}")
            cursor.close()
    return run.report


class _Ticker:
    """Progress and cancel, checked every so many rows."""

    def __init__(self, progress: Progress | None, cancelled: Callable[[], bool] | None) -> None:
        self.progress, self.cancelled = progress, cancelled
        self.done, self.total, self._last = 0, 0, 0

    def start(self, manifest) -> None:
        self.total = max(3 * manifest.rows, 1)

    def add(self, rows: int) -> None:
        self.tick(rows)
        self.tick(0)

    def tick(self, rows: int = 1) -> None:
        self.done += rows
        if self.done - self._last >= PROGRESS_EVERY or rows == 0:
            self._last = self.done
            self.check_cancelled()
            if self.progress is not None:
                self.progress(min(self.done, self.total), self.total)

    def check_cancelled(self) -> None:
        if self.cancelled is not None and self.cancelled():
            raise SyncCancelled(translatable("Import cancelled; nothing was written."))


class _Row:
    __slots__ = ("number", "cells", "values", "uuid", "said_more")

    def __init__(self, number: int, cells: list[str], values: dict[str, Any]) -> None:
        self.number, self.cells, self.values = number, cells, values
        self.uuid = values.get("uuid", "")
        self.said_more = False  # an erased customer's row that still held personal data


def _joined(cells: tuple[str, ...]) -> str:
    """A field group's cells as one text: the cell itself, or a JSON list for a group of several."""
    return cells[0] if len(cells) == 1 else json.dumps(list(cells), ensure_ascii=False)


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Import:
    def __init__(self, cursor, bundle: BundleReader, path: Path, ticker: _Ticker) -> None:
        self.cur = cursor
        self.bundle = bundle
        self.ticker = ticker
        manifest = bundle.manifest
        self.report = ImportReport(
            path=str(path),
            bundle_sha256=bundle.sha256,
            from_till=manifest.till_uuid,
            exported_at=manifest.exported_at,
            full=manifest.full,
            encrypted=bundle.encrypted,
            warnings=list(bundle.warnings),
        )
        for spec in TABLES:
            self.report.counts(spec.name)
        self.valid: dict[str, list[_Row]] = {}
        self.ids: dict[str, dict[str, int]] = defaultdict(dict)  # table -> uuid -> local id
        self.not_applied: dict[str, dict[str, str]] = defaultdict(dict)  # table -> uuid -> why
        self.phones: dict[str, list[dict[str, Any]]] = {}  # customer uuid -> its phone rows, by position
        self.tombstones: dict[tuple[str, str], tuple[str, str]] = {}  # (table, record) -> (kind, at), merged
        self.changed_tombstones: set[tuple[str, str]] = set()
        self.newly_erased: list[str] = []  # customers erased on another till, erased here by this bundle
        self.erased_touched: set[str] = set()  # erased customers that arrived in this bundle
        self.counted: set[str] = set()  # customers already counted as added or updated
        self.seq = cursor.execute("SELECT change_seq FROM shop ORDER BY id LIMIT 1").fetchone()[0]
        self.conflicts: list[tuple[str, str, FieldConflict, tuple[str, ...]]] = []  # for sync_conflicts
        self._checkers: dict[str, RowChecker] = {}
        self.adopting = False

    # --- the shop -----------------------------------------------------------------------------

    def join_shop(self) -> None:
        shop_uuid = self.cur.execute("SELECT uuid FROM shop ORDER BY id LIMIT 1").fetchone()[0]
        theirs = self.bundle.manifest.shop_uuid
        if theirs == shop_uuid:
            return
        if not self._book_is_empty():
            raise BundleRefused(
                translatable(
                    "{path} comes from another shop; nothing was imported. Bundles move between the tills "
                    "of one shop (a new till joins the shop by importing one into its empty shop file)."
                ),
                path=self.report.path,
            )
        if not self.bundle.manifest.full:
            raise BundleRefused(
                translatable(
                    "{path} holds only the changes since an earlier export, and this till is new to the shop; "
                    "nothing was imported. A new till joins with a full bundle: on a till of the shop, choose "
                    "Sync > Export everything for a new till (or run regulars export --full) and import that here."
                ),
                path=self.report.path,
            )
        self.cur.execute("UPDATE shop SET uuid = ? WHERE uuid = ?", (theirs, shop_uuid))
        self.adopting = self.report.adopted_shop = True

    def _book_is_empty(self) -> bool:
        busy = self.cur.execute(
            "SELECT EXISTS (SELECT 1 FROM customers) OR EXISTS (SELECT 1 FROM loyalty_programs)"
            " OR EXISTS (SELECT 1 FROM phone_calls) OR EXISTS (SELECT 1 FROM sync_imports)"
            " OR EXISTS (SELECT 1 FROM privacy_notices WHERE version > 1)"
        ).fetchone()[0]
        return not busy

    # --- checking -----------------------------------------------------------------------------

    def check_rows(self) -> None:
        self._check_tombstones()
        self._check_phones()
        for spec in TABLES:
            if spec in (TOMBSTONES, CUSTOMER_PHONES):
                continue
            if spec is CUSTOMERS:
                self.valid[spec.name] = self._checked(spec, self._customer_rules, erased=True)
            else:
                self.valid[spec.name] = self._checked(spec)

    def _checked(self, spec: TableSpec, extra=None, *, erased: bool = False) -> list[_Row]:
        checker = RowChecker(spec)
        anonymous = _ErasedCustomerChecker() if erased else None
        seen: set[str] = set()
        rows = []
        uuid_at = spec.index("uuid") if spec.has_uuid else None
        for number, cells in enumerate(self.bundle.rows(spec.name), start=1):
            self.ticker.tick()
            cells = spec.padded(cells)  # a bundle from before stamps
            uuid = cells[uuid_at] if uuid_at is not None else ""
            try:
                if anonymous is not None and self._is_erased(uuid):
                    values = anonymous.values(cells)
                    self.erased_touched.add(uuid)
                else:
                    values = checker.values(cells)
                    reason = extra(values) if extra is not None else None
                    if reason:
                        raise Refused(reason)
                if spec.stamped and not values["stamp"]:  # stamped at its change time (clock.legacy_stamp)
                    values["stamp"] = cells[spec.index("stamp")] = legacy_stamp(values[spec.changed])
                if uuid_at is not None:
                    if uuid in seen:
                        raise Refused("the same record appears twice in the file")
                    seen.add(uuid)
            except Refused as refused:
                self._reject(spec, number, uuid, str(refused), cells)
                continue
            row = _Row(number, cells, values)
            if anonymous is not None and uuid in self.erased_touched:
                row.said_more = anonymous.said_more(cells)
            rows.append(row)
        self.ticker.tick(0)
        return rows

    def _reject(self, spec: TableSpec, number: int, uuid: str, reason: str, cells: list[str] | None = None) -> None:
        self.report.reject(spec.name, spec.file, number, uuid, reason)
        if uuid:
            self.not_applied[spec.name].setdefault(uuid, f"rejected: {reason}")
        if spec is CUSTOMER_PHONES and cells:  # the customer goes with its phone
            self.not_applied[spec.name].setdefault(cells[0], f"phone row {number}: {reason}")

    def _is_erased(self, uuid: str) -> bool:
        return self.tombstones.get(("customers", uuid), ("", ""))[0] == "erased"

    def _check_tombstones(self) -> None:
        for table, record, kind, at in self.cur.execute("SELECT table_name, record_uuid, kind, at FROM tombstones"):
            self.tombstones[(table, record)] = (kind, at if len(at) > 19 else at + ".000000")
        local = dict(self.tombstones)
        rows = self._checked(TOMBSTONES, _tombstone_rules)
        for row in rows:
            key = (row.values["table_name"], row.values["record_uuid"])
            incoming = (row.values["kind"], row.values["at"])
            self.tombstones[key] = merged_tombstone(self.tombstones[key], incoming) if key in self.tombstones else incoming
        self.changed_tombstones = {key for key, state in self.tombstones.items() if local.get(key) != state}
        self.newly_erased = sorted(record for (table, record), (kind, _at) in self.tombstones.items()
                                   if table == "customers" and kind == "erased"
                                   and local.get((table, record), ("", ""))[0] != "erased")  # fmt: skip
        self.valid[TOMBSTONES.name] = rows

    def _check_phones(self) -> None:
        """Phones are part of their customer: one bad phone row refuses the whole customer."""
        by_customer: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
        rows = self._checked(CUSTOMER_PHONES)
        for row in rows:
            by_customer[row.values["customer_uuid"]].append((row.number, row.values))
        for customer, phones in by_customer.items():
            phones.sort(key=lambda item: item[1]["position"])
            positions = [values["position"] for _number, values in phones]
            numbers = [values["e164"] for _number, values in phones]
            if positions != list(range(len(phones))) or len(set(numbers)) != len(numbers) or len(phones) > MAX_PHONES:
                self.not_applied["customer_phones"][customer] = (
                    f"its phone rows ({', '.join(str(n) for n, _v in phones)}) are not positions 0 to "
                    f"{len(phones) - 1} of distinct numbers"
                )
            self.phones[customer] = [values for _number, values in phones]

    def _customer_rules(self, values: dict[str, Any]) -> str | None:
        uuid = values["uuid"]
        bad_phones = self.not_applied["customer_phones"].get(uuid)
        if bad_phones:
            return bad_phones
        if not values["first_name"]:
            return "first_name: empty"
        if not values["email"] and not self.phones.get(uuid):
            return "a customer needs a phone number or an email address"
        return None

    # --- applying -----------------------------------------------------------------------------

    def observe_clock(self, clock: Clock, accept_clock_ahead: bool) -> None:
        """Refuses a bundle stamped far ahead of this till (unless the owner accepts it), then moves
        this till's clock past every stamp in it: an edit made here from now on wins over them."""
        latest = parse_stamp(max(self._stamps(), default=""))
        if latest is not None and not accept_clock_ahead:
            ours = max(clock.physical(), Stamp(clock.ms, clock.counter, clock.till).moment)
            if latest.moment - ours > MAX_AHEAD:
                raise ClockAhead(
                    translatable(
                        "{path} holds changes stamped {theirs} UTC by till {till}, more than a day ahead of this "
                        "till's clock ({ours} UTC); nothing was imported. Put the date and time right on the till "
                        "that is wrong. If you know why that till's clock is ahead, you can import the bundle "
                        "anyway: this till's clock then follows it."
                    ),
                    path=self.report.path, theirs=latest.moment.strftime("%Y-%m-%d %H:%M"),
                    till=latest.till, ours=ours.strftime("%Y-%m-%d %H:%M"),
                )
        clock.observe([latest] if latest is not None else [])

    def _stamps(self) -> Iterable[str]:
        """Every stamp the bundle's checked rows carry, as text (checked stamps order as their text does)."""
        for spec in TABLES:
            if not spec.stamped:
                continue
            for row in self.valid.get(spec.name, []):
                yield row.values["stamp"]
                if row.values["field_stamps"]:
                    yield from (pair[0] for pair in json.loads(row.values["field_stamps"]).values())
                if spec is CUSTOMERS and row.values.get("removed_phones"):
                    yield from removed_of(row.values["removed_phones"]).values()
        for phones in self.phones.values():
            yield from (phone["stamp"] for phone in phones)

    def apply(self) -> None:
        self._erase_local_records()
        for spec in TABLES:
            if spec is CUSTOMER_PHONES:
                continue
            if spec is TOMBSTONES:
                self._apply_tombstones()
            else:
                self._apply_records(spec)

    def _resolve_refs(self, spec: TableSpec, rows: list[_Row]) -> list[_Row]:
        """Rows whose references all point at records of this book; the rest are rejected."""
        for column in spec.refs:
            wanted = {row.values[column.name] for row in rows if row.values[column.name] is not None}
            self._load_ids(column.ref, wanted)
        kept = []
        for row in rows:
            for column in spec.refs:
                target = row.values[column.name]
                if target is None:
                    continue
                if target not in self.ids[column.ref]:
                    why = self.not_applied[column.ref].get(target)
                    reason = (
                        f"{column.name} {target} was not applied ({why})" if why
                        else f"{column.name} {target} is not in this shop file (import a full bundle)"
                    )
                    self._reject(spec, row.number, row.uuid, reason)
                    break
            else:
                kept.append(row)
        return kept

    def _load_ids(self, table: str, uuids: set[str]) -> None:
        known = self.ids[table]
        missing = [uuid for uuid in uuids if uuid not in known]
        if len(missing) > SCAN_ABOVE:
            for uuid, local_id in self.cur.execute(f"SELECT uuid, id FROM {table}"):
                known[uuid] = local_id
            return
        for chunk in _chunks(missing):
            marks = ",".join("?" * len(chunk))
            for uuid, local_id in self.cur.execute(f"SELECT uuid, id FROM {table} WHERE uuid IN ({marks})", chunk):
                known[uuid] = local_id

    def _local_rows(self, spec: TableSpec, uuids: list[str]) -> dict[str, tuple[int, list[str]]]:
        """uuid -> (id, cells as the bundle would carry them) for those of uuids this book has."""
        width = len(spec.columns)
        found: dict[str, tuple[int, list[str]]] = {}
        if not uuids or self.cur.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {spec.name})").fetchone()[0]:
            return found
        if len(uuids) > SCAN_ABOVE:
            wanted = set(uuids)
            queries = [(select_sql(spec, extra=["t.id"]), ())]
        else:
            wanted = None
            queries = [
                (select_sql(spec, where=f"t.uuid IN ({','.join('?' * len(chunk))})", extra=["t.id"]),
                 chunk)
                for chunk in _chunks(uuids)
            ]
        uuid_at = spec.index("uuid")
        for sql, params in queries:
            for row in self.cur.execute(sql, params):
                if wanted is None or row[uuid_at] in wanted:
                    found[row[uuid_at]] = (row[width], [_cell(value) for value in row[:width]])
        return found

    def _local_phones(self, customer_ids: list[int]) -> dict[int, list[Phone]]:
        phones: dict[int, list[Phone]] = defaultdict(list)
        for chunk in _chunks(customer_ids):
            marks = ",".join("?" * len(chunk))
            for customer_id, position, label, e164, stamp in self.cur.execute(
                "SELECT customer_id, position, label, e164, stamp FROM customer_phones"
                f" WHERE customer_id IN ({marks}) ORDER BY customer_id, position",
                chunk,
            ):
                phones[customer_id].append(Phone(e164, label, position, stamp))
        return phones

    def _apply_records(self, spec: TableSpec) -> None:
        counts = self.report.counts(spec.name)
        rows = self._resolve_refs(spec, self.valid.pop(spec.name))
        self._erase_incoming(spec, rows)
        deleted = {record for (table, record), (kind, _at) in self.tombstones.items()
                   if table == spec.name and kind == "deleted"}
        local = self._local_rows(spec, [row.uuid for row in rows])
        customers = spec is CUSTOMERS
        local_phones = self._local_phones([local_id for local_id, _cells in local.values()]) if customers else {}
        uniques = _UniqueKeys(self.cur, spec, rows, self.adopting and spec is PRIVACY_NOTICES)
        merged = [spec.index(name) for name in spec.merged_max]
        inserts: list[_Row] = []
        updates: list[tuple[_Row, int]] = []
        touched_only: list[tuple[_Row, int, list[str]]] = []  # merged columns to raise, content kept
        erased_conflicts: set[str] = set()
        for row in rows:
            self.ticker.tick()
            if row.uuid in deleted:
                self.report.conflict(spec.name, row.uuid, "kept deleted", "the record was deleted on a till")
                self.not_applied[spec.name][row.uuid] = "deleted"
                continue
            erased = customers and self._is_erased(row.uuid)
            if erased:
                self._anonymise(row)
            found = local.get(row.uuid)
            if found is None:
                clash = uniques.clash(row)
                if clash:
                    self.report.conflict(spec.name, row.uuid, "kept local", clash)
                    self.not_applied[spec.name][row.uuid] = clash
                    continue
                inserts.append(row)
                continue
            local_id, local_cells = found
            self.ids[spec.name][row.uuid] = local_id
            if spec.append_only:
                if local_cells == row.cells:
                    counts.unchanged += 1
                else:
                    self.report.conflict(spec.name, row.uuid, "kept local", "an entry never changes once written")
                continue
            if erased:
                # The erasure (applied with the tombstones) decides this record; nothing of theirs is kept.
                if row.said_more:
                    self.report.conflict(spec.name, row.uuid, "kept erased", "the customer was erased on a till")
                    erased_conflicts.add(row.uuid)
                raised = [i for i in merged if row.cells[i] > local_cells[i]]
                if raised:
                    touched_only.append((row, local_id, [row.cells[i] for i in raised]))
                elif row.uuid not in erased_conflicts:
                    counts.unchanged += 1
                continue
            changed, conflicts = self._merge(spec, row, local_cells, local_phones.get(local_id, []))
            if not changed:
                self._note_conflicts(spec, row.uuid, conflicts)
                counts.unchanged += not conflicts
                continue
            clash = uniques.clash(row)
            if clash:
                self.report.conflict(spec.name, row.uuid, "kept local", clash)
                continue
            self._note_conflicts(spec, row.uuid, conflicts)
            updates.append((row, local_id))
        self._write(spec, inserts, updates, touched_only, uniques, erased_conflicts)
        self.ticker.tick(0)

    def _merge(self, spec: TableSpec, row: _Row, local_cells: list[str], local_phones: list[Phone]
               ) -> tuple[bool, list[FieldConflict]]:
        """Merges the local version into row, field by field (desktop/sync/merge.py): row then holds the
        merged record. Whether that differs from the local version, and the conflicts found."""
        mine = dict(zip(spec.header, local_cells))
        theirs = dict(zip(spec.header, row.cells))
        groups = list(spec.groups)
        result = merge_fields(
            spec.groups,
            mine, field_pairs(groups, mine["stamp"], mine["field_stamps"]), mine["stamp"],
            theirs, field_pairs(groups, theirs["stamp"], theirs["field_stamps"]), theirs["stamp"],
        )
        cells = result.cells
        cells.update(stamp=result.base, field_stamps=result.field_stamps,
                     updated_at=max(mine["updated_at"], theirs["updated_at"]))
        for name in spec.merged_max:
            cells[name] = max(mine[name], theirs[name])
        if "created_at" in cells:
            cells["created_at"] = min(mine["created_at"], theirs["created_at"])
        phones_changed = False
        if spec is CUSTOMERS:
            phones, removed = merge_phones(local_phones, removed_of(mine["removed_phones"]),
                                           self._incoming_phones(row.uuid), removed_of(theirs["removed_phones"]))
            cells["removed_phones"] = removed_text(removed)
            phones_changed = phones != local_phones
            self.phones[row.uuid] = [{"position": p.position, "label": p.label, "e164": p.e164, "stamp": p.stamp}
                                     for p in phones]
        merged_cells = [cells[name] for name in spec.header]
        if merged_cells == local_cells and not phones_changed:
            return False, result.conflicts
        row.cells = merged_cells
        row.values = self._checkers.setdefault(spec.name, RowChecker(spec)).values(merged_cells)
        return True, result.conflicts

    def _incoming_phones(self, customer_uuid: str) -> list[Phone]:
        return [Phone(p["e164"], p["label"], p["position"], p["stamp"]) for p in self.phones.get(customer_uuid, [])]

    def _note_conflicts(self, spec: TableSpec, uuid: str, conflicts: list[FieldConflict]) -> None:
        erased = ERASED_RECORD_FIELDS.get(spec.name, {})
        for found in conflicts:
            columns = spec.groups[found.group]
            kept = found.theirs if found.kept == "theirs" else found.mine
            if all(name in erased and cell == _cell(erased[name]) for name, cell in zip(columns, kept)):
                continue  # an erasure emptied it (a call from the erased customer's number): nothing to take back
            self.conflicts.append((spec.name, uuid, found, columns))
            kept = "took theirs" if found.kept == "theirs" else "kept local"
            self.report.conflict(spec.name, uuid, kept,
                                 f"{', '.join(columns)} changed on both tills; the later change was kept")

    def _erase_local_records(self) -> None:
        """The records held here of a customer whose erasure this bundle brings are erased first, so the
        other till's erased copies meet erased copies (the customer's own record is erased with the tombstones)."""
        for (table, record), (kind, at) in sorted(self.tombstones.items()):
            if table == "customers" and kind == "erased" and (table, record) in self.changed_tombstones:
                found = self.cur.execute("SELECT id FROM customers WHERE uuid = ?", (record,)).fetchone()
                if found is not None:
                    erase_customer_records(self.cur, found[0], at)

    def _erase_incoming(self, spec: TableSpec, rows: list[_Row]) -> None:
        """An erased customer's records arrive as the erasure leaves them (tombstones.erased_version).

        Their personal fields are never written here, and the copy of a till that has not heard
        of the erasure yet is the same record as ours, not a conflict.
        """
        erased = {record for (table, record), (kind, _at) in self.tombstones.items()
                  if table == "customers" and kind == "erased"}
        if not erased or spec.name not in RECORDS_OF_CUSTOMER:
            return
        owners = self._owners(spec, rows)
        for row in rows:
            owner = owners.get(row.uuid)
            if owner not in erased:
                continue
            for name, value in erased_version(spec.name, row.values, self.tombstones[("customers", owner)][1]).items():
                row.values[name] = value
                row.cells[spec.index(name)] = _cell(value)

    def _owners(self, spec: TableSpec, rows: list[_Row]) -> dict[str, str | None]:
        """record uuid -> the uuid of the customer it belongs to (through its parent, already applied here)."""
        if "customer_uuid" in spec.header:
            return {row.uuid: row.values["customer_uuid"] for row in rows}
        parent = spec.refs[0]
        owner_of: dict[str, str] = {}
        for chunk in _chunks(list({row.values[parent.name] for row in rows})):
            marks = ",".join("?" * len(chunk))
            owner_of.update(self.cur.execute(
                f"SELECT p.uuid, c.uuid FROM {parent.ref} p JOIN customers c ON c.id = p.customer_id"
                f" WHERE p.uuid IN ({marks})", chunk))
        return {row.uuid: owner_of.get(row.values[parent.name]) for row in rows}

    def _anonymise(self, row: _Row) -> None:
        """An erased customer arrives (or is kept) as erased: no personal field, updated at the erasure."""
        at = self.tombstones[("customers", row.uuid)][1]
        row.values.update(ERASED_FIELDS)
        row.values["updated_at"] = at
        for name, value in (*ERASED_FIELDS.items(), ("updated_at", at)):
            if name in CUSTOMERS.header:
                row.cells[CUSTOMERS.index(name)] = _cell(value)

    def _write(self, spec: TableSpec, inserts: list[_Row], updates: list[tuple[_Row, int]],
               touched_only: list[tuple[_Row, int, list[str]]], uniques: _UniqueKeys, conflicted: set[str]) -> None:
        counts = self.report.counts(spec.name)
        columns = [column.db_name for column in spec.columns] + [d.column for d in spec.derived] + ["change_seq"]
        uniques.make_room(self.report)
        if inserts:
            next_id = self.cur.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {spec.name}").fetchone()[0]
            params = []
            for offset, row in enumerate(inserts):
                local_id = next_id + offset
                self.ids[spec.name][row.uuid] = local_id
                params.append((*self._db_values(spec, row), local_id))
            marks = ",".join("?" * (len(columns) + 1))
            self.cur.executemany(f"INSERT INTO {spec.name} ({', '.join(columns)}, id) VALUES ({marks})", params)
            counts.added += len(inserts)
        if updates:
            assignments = ", ".join(f"{name} = ?" for name in columns if name != "uuid")
            keep = [i for i, name in enumerate(columns) if name != "uuid"]
            params = []
            for row, local_id in updates:
                values = self._db_values(spec, row)
                params.append((*(values[i] for i in keep), local_id))
            self.cur.executemany(f"UPDATE {spec.name} SET {assignments} WHERE id = ?", params)
            counts.updated += len(updates)
        if touched_only:
            assignments = ", ".join(f"{name} = ?" for name in (*spec.merged_max, "change_seq"))
            self.cur.executemany(
                f"UPDATE {spec.name} SET {assignments} WHERE id = ?",
                [(*raised, self.seq, local_id) for _row, local_id, raised in touched_only],
            )
            counts.updated += sum(1 for row, _id, _r in touched_only if row.uuid not in conflicted)
        if spec is CUSTOMERS:
            self.counted.update(row.uuid for row in inserts)
            self.counted.update(row.uuid for row, _id in updates)
            self._write_phones_and_keys(inserts, updates)

    def _db_values(self, spec: TableSpec, row: _Row) -> list[Any]:
        values = []
        for column in spec.columns:
            value = row.values[column.name]
            if column.kind == REF and value is not None:
                value = self.ids[column.ref][value]
            values.append(value)
        values.extend(derived.compute(row.values) for derived in spec.derived)
        values.append(self.seq)  # a merge is a change here like any other: it travels on
        return values

    def _write_phones_and_keys(self, inserts: list[_Row], updates: list[tuple[_Row, int]]) -> None:
        updated_ids = [(local_id,) for _row, local_id in updates]
        self.cur.executemany("DELETE FROM customer_phones WHERE customer_id = ?", updated_ids)
        self.cur.executemany("DELETE FROM customer_search_keys WHERE customer_id = ?", updated_ids)
        phones, keys = [], []
        for row in [*inserts, *(row for row, _id in updates)]:
            if self._is_erased(row.uuid):
                continue
            customer_id = self.ids["customers"][row.uuid]
            for phone in self.phones.get(row.uuid, []):
                national = split_e164(phone["e164"])[1]
                phones.append((customer_id, phone["position"], phone["label"], phone["e164"], national, national[::-1],
                               phone["stamp"]))
            values = row.values
            keys.extend((key, customer_id) for key in name_keys(values["first_name"], values["last_name"],
                                                                 values["company"]))
        self.cur.executemany(
            "INSERT INTO customer_phones (customer_id, position, label, e164, national_number, reversed_digits,"
            " stamp) VALUES (?, ?, ?, ?, ?, ?, ?)",
            phones,
        )
        self.cur.executemany("INSERT INTO customer_search_keys (key, customer_id) VALUES (?, ?)", keys)

    def _apply_tombstones(self) -> None:
        counts = self.report.counts(TOMBSTONES.name)
        rows = self.valid.pop(TOMBSTONES.name)
        local = {
            (table, record): (uuid, kind, at)
            for uuid, table, record, kind, at in self.cur.execute(
                "SELECT uuid, table_name, record_uuid, kind, at FROM tombstones"
            )
        }
        for row in rows:
            self.ticker.tick()
            key = (row.values["table_name"], row.values["record_uuid"])
            kind, at = self.tombstones[key]
            if key not in local:
                self.cur.execute(
                    "INSERT INTO tombstones (uuid, table_name, record_uuid, kind, at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (row.uuid, *key, kind, at, at),
                )
                local[key] = (row.uuid, kind, at)
                counts.added += 1
            elif local[key][1:] != (kind, at):
                self.cur.execute(
                    "UPDATE tombstones SET kind = ?, at = ?, updated_at = ? WHERE uuid = ?", (kind, at, at, row.uuid)
                )
                local[key] = (row.uuid, kind, at)
                counts.updated += 1
            else:
                counts.unchanged += 1
        self._erase()
        self._delete()

    def _erase(self) -> None:
        """Every erased customer this bundle touched ends erased, at the (merged) time of the erasure."""
        counts = self.report.counts("customers")
        changed = {record for table, record in self.changed_tombstones if table == "customers"}
        conflicted = {c.uuid for c in self.report.conflicts if c.table == "customers"}
        for uuid in sorted(changed | self.erased_touched):
            if not self._is_erased(uuid):
                continue
            at = self.tombstones[("customers", uuid)][1]
            before = self.cur.execute("SELECT updated_at FROM customers WHERE uuid = ?", (uuid,)).fetchone()
            if erase_customer_row(self.cur, uuid, at):
                if uuid not in self.counted:
                    counts.updated += 1
                    self.counted.add(uuid)
                if before is not None and before[0] > at and uuid not in conflicted:
                    self.report.conflict("customers", uuid, "kept erased",
                                         "this till's later edits were erased with the customer")

    def _delete(self) -> None:
        for (table, record), (kind, _at) in sorted(self.tombstones.items()):
            if kind != "deleted" or (table, record) not in self.changed_tombstones:
                continue
            self.cur.execute("SAVEPOINT sync_delete")
            try:
                self.cur.execute(f"DELETE FROM {table} WHERE uuid = ?", (record,))
            except Exception:  # noqa: BLE001 - a record others depend on (the ledger) cannot go; it is kept
                self.cur.execute("ROLLBACK TO sync_delete")
                self.report.conflict(table, record, "kept local", "deleted on a till, but other records need it here")
            self.cur.execute("RELEASE sync_delete")

    # --- the record of the import -------------------------------------------------------------

    def record(self, now: datetime, started: float) -> None:
        previous = self.cur.execute(
            "SELECT imported_at FROM sync_imports WHERE bundle_sha256 = ? ORDER BY id LIMIT 1",
            (self.report.bundle_sha256,),
        ).fetchone()
        self.report.previously_imported_at = previous[0] if previous else None
        self.report.seconds = time.perf_counter() - started
        manifest = self.bundle.manifest
        now_text = now.strftime("%Y-%m-%d %H:%M:%S.%f")
        self.cur.execute(
            "INSERT INTO sync_imports (uuid, bundle_sha256, from_till_uuid, exported_at, imported_at, full, added,"
            " updated, unchanged, conflicts, rejected, report_json, watermark_from, watermark_to)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                new_uuid(), self.report.bundle_sha256, manifest.till_uuid, manifest.exported_at, now_text,
                int(manifest.full), self.report.total("added"), self.report.total("updated"),
                self.report.total("unchanged"), self.report.total("conflicts"), self.report.total("rejected"),
                json.dumps(self.report.to_json(), ensure_ascii=False), manifest.watermark_from,
                manifest.watermark_to,
            ),
        )
        self._record_conflicts(now_text)
        forget_erased_conflicts(self.cur)  # nothing about an erased customer is kept, conflicts included

    def _record_conflicts(self, now_text: str) -> None:
        """Values that lost to a concurrent edit of the same field: the owner's conflicts list."""
        self.cur.executemany(
            "INSERT INTO sync_conflicts (uuid, table_name, record_uuid, field, mine, mine_stamp, theirs, theirs_stamp,"
            " kept, found_at, resolution) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')",
            [(new_uuid(), table, record, ",".join(columns), _joined(found.mine), found.mine_stamp,
              _joined(found.theirs), found.theirs_stamp, found.kept, now_text)
             for table, record, found, columns in self.conflicts],
        )



class _UniqueKeys:
    """Keys (a reference, a code, a name, a version) already held here, to refuse a second holder."""

    def __init__(self, cursor, spec: TableSpec, rows: list[_Row], replace_local: bool) -> None:
        self.spec = spec
        self.replace_local = replace_local
        self.holders: list[dict[Any, str]] = []
        self.seen: list[dict[Any, str]] = []
        self.to_replace: list[str] = []
        for unique in spec.unique:
            held: dict[Any, str] = {}
            if unique.key is None:
                wanted = list({row.values[unique.column] for row in rows})
                for chunk in _chunks(wanted):
                    marks = ",".join("?" * len(chunk))
                    for value, uuid in cursor.execute(
                        f"SELECT {unique.column}, uuid FROM {spec.name} WHERE {unique.column} IN ({marks})", chunk
                    ):
                        held[value] = uuid
            else:
                for value, uuid in cursor.execute(f"SELECT {unique.column}, uuid FROM {spec.name}"):
                    held[unique.key(value)] = uuid
            self.holders.append(held)
            self.seen.append({})
        self.cursor = cursor

    def clash(self, row: _Row) -> str | None:
        """Why row cannot take its keys (None if it can); if it can, they are reserved for it."""
        keys = []
        for unique, held, seen in zip(self.spec.unique, self.holders, self.seen):
            value = row.values[unique.column]
            key = value if unique.key is None else unique.key(value)
            holder = held.get(key)
            if holder is not None and holder != row.uuid and not self.replace_local:
                return f"{unique.column} {value} belongs to another record here ({holder})"
            other = seen.get(key)
            if other is not None and other != row.uuid:
                return f"{unique.column} {value} is also claimed by {other} in the same bundle"
            keys.append(key)
            if holder is not None and holder != row.uuid:
                self.to_replace.append(holder)
        for key, seen in zip(keys, self.seen):
            seen[key] = row.uuid
        return None

    def make_room(self, report: ImportReport) -> None:
        """A new till taking on its shop drops its own first privacy notice for the shop's."""
        for uuid in self.to_replace:
            self.cursor.execute(f"DELETE FROM {self.spec.name} WHERE uuid = ?", (uuid,))
            report.conflict(self.spec.name, uuid, "took theirs", "this new till takes the shop's own notice")


def _tombstone_rules(values: dict[str, Any]) -> str | None:
    if values["uuid"] != tombstone_uuid(values["table_name"], values["record_uuid"]):
        return "uuid does not match the record it marks"
    if values["kind"] == "erased" and values["table_name"] != "customers":
        return "only customers are erased"
    if values["updated_at"] != values["at"]:
        return "updated_at differs from at"
    return None


class _ErasedCustomerChecker:
    """An erased customer's row: only what identifies the record and its times is used (and checked)."""

    KEPT = ("uuid", "created_at", "updated_at", "last_seen_at", "stamp", "field_stamps")

    def __init__(self) -> None:
        checker = RowChecker(CUSTOMERS)
        self._kept = [(CUSTOMERS.index(name), name, dict(checker.converters)[name]) for name in self.KEPT]
        self._personal = [CUSTOMERS.index(name) for name in ERASED_FIELDS if name in CUSTOMERS.header]

    def values(self, cells: list[str]) -> dict[str, Any]:
        values = {name: convert(cells[index]) for index, name, convert in self._kept}
        values.update(ERASED_FIELDS)
        return values

    def said_more(self, cells: list[str]) -> bool:
        return any(cells[index] for index in self._personal)

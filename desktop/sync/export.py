"""Writing a sync bundle: every record changed since the last export (or everything, with full=True).

"Changed since" is by change number, not by clock (desktop/sync/clock.py): every write to a
synced record stamps it with the shop's current change number (``shop.change_seq``), whoever
makes it (the services, demo data, an import, a merge). An export first closes the current
number (the next writes get the next one), then takes the records whose number is at or
above the first one not exported yet (``shop.sync_since_seq``), with the records they refer
to, so a bundle can be imported on its own. A till whose clock was put back, or records
written with old times (demo data), cannot be skipped; what one till learns from another is
a change here too, so it travels on to a third.

The whole export reads one consistent snapshot of the file, in SQL, a batch of rows at a
time, each batch one text that SQLite builds (tables.batch_sql): no ORM object and no Python
value per row, no phone parsing, and SQLite itself defuses formula-like cells
(csv_format.defused_sql).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from desktop.db.engine import ShopDatabase
from desktop.errors import translatable
from desktop.models.base import stored_time, utc_now
from desktop.models.staff import Actor
from desktop.output_files import check_output
from desktop.services import audit
from desktop.services.csv_format import csv_block_of_batch, csv_bytes, csv_lines
from desktop.services.permissions import Permission, require_actor
from desktop.sync.bundle import (
    BundleWriter,
    Manifest,
    SyncCancelled,
    check_sync_passphrase,
)
from desktop.sync.tables import TABLES, TableSpec, batch_sql, export_where, select_sql

BATCH = 5_000

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ExportReport:
    path: Path
    manifest: Manifest
    encrypted: bool
    seconds: float

    @property
    def rows(self) -> int:
        return self.manifest.rows

    def rows_of(self, table: str) -> int:
        return next(entry.rows for entry in self.manifest.files if entry.table == table)

    @property
    def customers(self) -> int:
        return self.rows_of("customers")


def _blocks(
    cursor, spec: TableSpec, since: int | None, done: list[int], total: int, progress: Progress | None,
    cancelled: Callable[[], bool] | None,
) -> Iterator[tuple[str, int]]:
    """The table's CSV lines, a batch of rows at a time as one text (tables.batch_sql), with its row
    count; progress and cancel between batches."""
    width = len(spec.columns)
    statements: dict[str, str] = {}
    for where, params in _pages(cursor, spec, since):
        if cancelled is not None and cancelled():
            raise SyncCancelled(translatable("Export cancelled; no bundle was written."))
        sql = statements.setdefault(where, batch_sql(spec, where))
        batch, count = cursor.execute(sql, params).fetchone()
        text = csv_block_of_batch(batch or "", count, width)
        if text is None:  # some row held a separator itself: this batch goes row by row
            text = _lines_one_by_one(cursor, spec, where, params)
        yield text, count
        done[0] += count
        if progress is not None:
            progress(min(done[0], total), total)


_RANGE = "t.id > :after AND t.id <= :last"
_LISTED = "t.id IN (SELECT value FROM json_each(:page))"


def _pages(cursor, spec: TableSpec, since: int | None) -> Iterator[tuple[str, dict]]:
    """Where each batch's rows are: an id range in a full export; in an incremental one, a list of
    the changed rows' ids, found once (whether a record changed is asked with subqueries over
    whole tables, which SQLite would run again for every batch)."""
    if since is None:
        after = 0
        next_last = f"SELECT max(id) FROM (SELECT id FROM {spec.name} WHERE id > ? ORDER BY id LIMIT {BATCH})"
        while (last := cursor.execute(next_last, (after,)).fetchone()[0]) is not None:
            yield _RANGE, {"after": after, "last": last}
            after = last
        return
    changed = select_sql(spec, where=export_where(spec), ids_only=True)
    ids = [row[0] for row in cursor.execute(changed, {"since": since}).fetchall()]
    for start in range(0, len(ids), BATCH):
        yield _LISTED, {"page": json.dumps(ids[start:start + BATCH])}


def _lines_one_by_one(cursor, spec: TableSpec, where: str, params: dict) -> str:
    rows = cursor.execute(select_sql(spec, joined=True, where=where), params).fetchall()
    lines = csv_lines([text for text, _id in rows], len(spec.columns))
    for index, line in enumerate(lines):
        if line is None:  # a cell held the separator: this row goes cell by cell
            lines[index] = _line_of(cursor.connection, spec, rows[index][1])
    return "\r\n".join(lines) + "\r\n"


def _line_of(connection, spec: TableSpec, row_id: int) -> str:
    cells = connection.execute(select_sql(spec, where="t.id = ?"), (row_id,)).fetchone()
    data, _count = csv_bytes(spec.header, [cells])
    return data.decode("utf-8").split("\r\n", 1)[1][:-2]


def export_bundle(
    database: ShopDatabase,
    out: Path | str,
    *,
    passphrase: str,
    plain: bool = False,
    full: bool = False,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    now: datetime | None = None,
    replace: bool = False,
) -> ExportReport:
    """Writes the bundle to out, sealed with passphrase and encrypted with it (AES-256) unless plain.

    The path goes through check_output (replace: an existing ordinary file may be replaced), and the file is 0600.

    Cancelling (cancelled() turning true) or any failure leaves no file at out and the
    watermark where it was. progress(done, total) counts rows.
    """
    started_by = require_actor(database.acting, Permission.EXPORT)  # whoever is signed in when it ends
    check_sync_passphrase(passphrase)
    check_output(out, shop=database.path, replace=replace)
    started = time.perf_counter()
    now = now or utc_now()
    closed = _close_change_number(database, started_by)
    with database.reading() as session:
        dbapi = session.connection().connection.dbapi_connection
        cursor = dbapi.cursor()
        try:
            shop_uuid, till_uuid, since_seq, last_export_at = cursor.execute(
                "SELECT uuid, till_uuid, sync_since_seq, last_export_at FROM shop ORDER BY id LIMIT 1"
            ).fetchone()
            since = None if full or since_seq is None else since_seq
            # An estimate from the highest ids (counting a million rows would cost more than it tells).
            total = sum(cursor.execute(f"SELECT coalesce(max(rowid), 0) FROM {spec.name}").fetchone()[0]
                        for spec in TABLES)
            done = [0]
            if progress is not None:
                progress(0, total)
            with BundleWriter(out, passphrase, encrypt=not plain) as writer:
                for spec in TABLES:
                    writer.add_csv(spec.name, spec.header, _blocks(cursor, spec, since, done, total, progress, cancelled))
                manifest = Manifest(
                    shop_uuid=shop_uuid,
                    till_uuid=till_uuid,
                    exported_at=stored_time(now),
                    watermark_from=None if since is None else _long(last_export_at or stored_time(now)),
                    watermark_to=stored_time(now),
                    full=since is None,
                    files=tuple(writer.files),
                )
                if cancelled is not None and cancelled():
                    raise SyncCancelled(translatable("Export cancelled; no bundle was written."))
                path = writer.finish(manifest)
        finally:
            cursor.close()
    _record_export(database, started_by, now, closed + 1, full=since is None, encrypted=not plain)
    return ExportReport(path=path, manifest=manifest, encrypted=not plain,
                        seconds=time.perf_counter() - started)


def _close_change_number(database: ShopDatabase, started_by: Actor) -> int:
    """The shop's current change number, which this export covers; writes from now on get the next one."""
    with database.writing() as session:
        session.info["actor"] = started_by
        conn = session.connection()
        current = conn.exec_driver_sql("SELECT change_seq FROM shop ORDER BY id LIMIT 1").scalar()
        conn.exec_driver_sql("UPDATE shop SET change_seq = ? WHERE id = (SELECT min(id) FROM shop)", (current + 1,))
    return current


def _record_export(database: ShopDatabase, started_by: Actor, now: datetime, next_since: int, **details) -> None:
    """last_export_at, and where the next incremental export starts: the change number opened by this one."""
    with database.writing() as session:
        session.info["actor"] = started_by
        conn = session.connection()
        conn.exec_driver_sql(
            "UPDATE shop SET last_export_at = ?, sync_since_seq = ? WHERE id = (SELECT min(id) FROM shop)",
            (stored_time(now), next_since),
        )
        audit.record(session, audit.EXPORTED, details={"kind": "sync bundle", **details})


def _long(stored: str) -> str:
    return stored + ".000000" if len(stored) == 19 else stored

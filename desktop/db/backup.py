"""Backing up a live shop file, and restoring a backup.

A backup is a pair, like the shop itself: FILE, an encrypted copy of the shop file under
the shop's same random key, and FILE.key, a copy of the shop's key file. So a backup opens
with the shop's passphrase or recovery key as they were when it was taken, and with
nothing else; neither file is of any use without the other.

The copy is taken with SQLite's online backup API while the app keeps working. The
source connection holds one read transaction for the whole copy, so in WAL mode the copy
is one consistent snapshot (writers carry on; the backup never restarts), and the pages
are copied a step at a time so that progress can be shown and the copy cancelled.

Nothing half-done is ever left behind. Both files are written under temporary names in
the destination folder, checked (the copy opens with the key, its page HMACs and
structure are sound, its schema revision and the row count of every table are those of
the snapshot) and only then renamed into place. A failure, a cancel or Ctrl+C removes
every temporary file. Restoring verifies the backup the same way before writing
anything, and never deletes the shop file it replaces: that one is renamed aside.

Keys never appear in a message, a log or an exception.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

import sqlcipher3.dbapi2 as sqlcipher
from alembic.script import ScriptDirectory

from desktop.db.engine import BUSY_TIMEOUT_MS, ShopDatabase
from desktop.db.instance_lock import InstanceLock
from desktop.db.key_file import (
    key_file_path,
    pending_key_file_path,
    read_key_file,
    sync_folder,
)
from desktop.db.keys import RawKey
from desktop.db.migrate import alembic_config
from desktop.db.unlock import Secret, connect, read_header, unlock
from desktop.errors import RegularsError, ShopFileDamaged, ShopFileError, translatable
from desktop.models.base import utc_now
from desktop.output_files import DiskFull, check_output, is_disk_full

Progress = Callable[[int, int], None]  # (pages copied, pages in all)

# Pages per backup step: about a hundred steps whatever the size, each short enough for a
# prompt cancel and a smooth progress bar, none so small that stepping costs time.
MIN_STEP_PAGES = 64
MAX_STEP_PAGES = 4096
STEPS = 100
# The checks of a copy (integrity_check above all) revisit pages many times: with the app's
# 32 MiB cache they take a fifth of the time they take with SQLite's default 2 MiB.
VERIFY_CACHE_KIB = 64 * 1024
CHECK_PROGRESS_OPS = 100_000  # SQLite steps between two looks at cancelled() while checking
SIDE_SUFFIXES = ("-wal", "-shm", "-journal")
BEFORE_RESTORE = ".before-restore-"


class BackupError(ShopFileError):
    """A backup could not be written, or a file is not a backup that can be restored; nothing was written."""


class BackupCancelled(RegularsError):
    """The backup was cancelled; nothing was written."""


@dataclass(frozen=True)
class BackupReport:
    """A verified backup: the shop file's copy and its key file, as of ``taken_at`` (naive UTC)."""

    path: Path
    key_file: Path | None  # None only for a shop file from before key files, which opens with its passphrase
    taken_at: datetime
    revision: str
    row_counts: dict[str, int] = field(default_factory=dict)
    pages: int = 0
    size_bytes: int = 0
    seconds: float = 0.0

    @property
    def customers(self) -> int:
        return self.row_counts.get("customers", 0)

    @property
    def megabytes_per_second(self) -> float:
        return self.size_bytes / 1e6 / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class RestoreReport:
    """A restored shop file and its key file; ``kept`` is where the replaced shop file now is, if any."""

    path: Path
    key_file: Path | None
    revision: str
    row_counts: dict[str, int]
    kept: Path | None = None

    @property
    def customers(self) -> int:
        return self.row_counts.get("customers", 0)


# Backing up


def backup_shop(
    database: ShopDatabase,
    out: Path | str,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> BackupReport:
    """Writes a verified backup of the open shop to ``out`` and its key file to ``out``.key.

    Safe while the app and other commands keep reading and writing. Refuses to overwrite
    anything. ``progress(done, total)`` is called after each step (on this thread);
    ``cancelled()`` is asked after each step and before the files are renamed into place.
    Raises BackupCancelled when cancelled, BackupError when the copy cannot be written or
    does not verify; either way, and on KeyboardInterrupt, nothing is left in the folder.
    """
    started = time.perf_counter()
    out = Path(out)
    source_path = Path(database.path)
    _check_destination(source_path, out)
    if pending_key_file_path(source_path).exists():
        raise BackupError(
            translatable("The key of {path} is being changed right now. Try the backup again in a moment."),
            path=str(source_path),
        )
    key = database.current_key.key
    temporary: list[Path] = []
    placed: list[Path] = []
    source: sqlcipher.Connection | None = None
    try:
        source = connect(source_path, key)
        source.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        source.execute("BEGIN")  # one read transaction: the snapshot every page is copied from
        snapshot = _contents(source)
        total = source.execute("PRAGMA page_count").fetchone()[0]
        key_file_bytes = _live_key_file(source_path)
        taken_at = utc_now()

        copy = _temporary_file(out, ".partial", temporary)
        target = connect(copy, key, creating=True)  # the same key and salt as the shop file
        try:
            _copy_pages(source, target, total, progress, cancelled)
            target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
        finally:
            target.close()
        source.execute("ROLLBACK")
        source.close()  # the live file's checkpoints need not wait for the checks below

        copied = _verify_copy(copy, key, expected=snapshot, cancelled=cancelled, thorough=False)
        if copied.get("problem"):
            raise BackupError(
                translatable(
                    "The backup written to {path} did not verify ({problem}), so it was removed. "
                    "Check the disk or choose another folder; the shop file itself is untouched."
                ),
                path=str(out),
                problem=copied["problem"],
            )
        _fsync(copy)
        key_copy = None
        if key_file_bytes is not None:
            key_copy = _temporary_file(key_file_path(out), ".partial", temporary)
            _write_synced(key_copy, key_file_bytes)
        if cancelled is not None and cancelled():
            raise _cancelled()
        _check_destination(source_path, out)  # nothing appeared there meanwhile
        if key_copy is not None:
            os.replace(key_copy, key_file_path(out))
            placed.append(key_file_path(out))
        os.replace(copy, out)
        placed.append(out)
        sync_folder(out.parent)
    except BaseException as exc:
        if source is not None:
            _close_quietly(source)
        for path in [*temporary, *placed]:
            _remove_with_side_files(path)
        if isinstance(exc, (sqlcipher.Error, OSError)):
            raise _write_failed(out, exc) from exc
        raise
    return BackupReport(
        path=out,
        key_file=key_file_path(out) if key_file_bytes is not None else None,
        taken_at=taken_at,
        revision=snapshot["revision"],
        row_counts=snapshot["counts"],
        pages=total,
        size_bytes=out.stat().st_size,
        seconds=time.perf_counter() - started,
    )


def _check_destination(source: Path, out: Path) -> None:
    """check_output for the backup and its key file: never the shop's own files, never over anything."""
    for path in (out, key_file_path(out)):
        check_output(path, shop=source, replace=None)


def _live_key_file(shop_path: Path) -> bytes | None:
    """The key file's bytes, after checking it reads as one; None for a shop file from before key files."""
    path = key_file_path(shop_path)
    if not path.exists():
        return None
    read_key_file(path)  # a damaged key file would make a backup that never opens: say so now
    return path.read_bytes()


def _copy_pages(
    source: sqlcipher.Connection,
    target: sqlcipher.Connection,
    total: int,
    progress: Progress | None,
    cancelled: Callable[[], bool] | None,
) -> None:
    step = max(MIN_STEP_PAGES, min(MAX_STEP_PAGES, total // STEPS))

    def after_step(_status: int, remaining: int, pages: int) -> None:
        if progress is not None:
            progress(pages - remaining, pages)
        if cancelled is not None and cancelled():
            raise _cancelled()  # the backup API stops and the exception comes through

    source.backup(target, pages=step, progress=after_step, sleep=0.05)


def _contents(conn: sqlcipher.Connection) -> dict:
    """The schema revision and the row count of every table, as this connection sees the file."""
    tables = [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    counts = {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in tables}
    revision = None
    if "alembic_version" in tables:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    return {"revision": revision, "counts": counts, "is_shop": {"shop", "alembic_version"} <= set(tables)}


def _verify_copy(
    path: Path,
    key: RawKey,
    *,
    expected: dict | None = None,
    cancelled: Callable[[], bool] | None = None,
    thorough: bool = True,
) -> dict:
    """Opens a copy with its key and checks it; the result's "problem" says what is wrong, if anything.

    Every page's HMAC is checked either way (cipher_integrity_check), so no altered byte
    passes. thorough adds integrity_check's cross-check of every index against its table,
    which is most of the time for a large book (over a minute at a million customers);
    a fresh page-for-page copy whose row counts match the snapshot has quick_check's
    structural check instead, and a restore, done rarely and from a file of unknown
    history, gets the full check.

    The checks read the whole copy (a minute or more for a million customers), so a cancel
    or Ctrl+C stops them through SQLite's progress handler rather than waiting for the end.
    """
    stop: list[BaseException] = []

    def keep_going() -> int:
        try:
            if cancelled is not None and cancelled():
                stop.append(_cancelled())
        except KeyboardInterrupt as interrupt:
            stop.append(interrupt)
        return 1 if stop else 0

    conn = connect(path, key)
    try:
        conn.set_progress_handler(keep_going, CHECK_PROGRESS_OPS)
        try:
            conn.execute(f"PRAGMA cache_size = -{VERIFY_CACHE_KIB}")
            conn.execute("PRAGMA temp_store = MEMORY")  # no decrypted scratch data on disk
            for pragma in ("cipher_integrity_check", "integrity_check" if thorough else "quick_check"):
                findings = [row[0] for row in conn.execute(f"PRAGMA {pragma}") if row[0] != "ok"]
                if findings:
                    return {"problem": f"{pragma}: " + "; ".join(str(f) for f in findings[:3])}
            contents = _contents(conn)
        except sqlcipher.DatabaseError as exc:
            if stop:
                raise stop[0] from None
            return {"problem": str(exc)}
    finally:
        conn.close()
    if expected is not None:
        if contents["revision"] != expected["revision"]:
            return {"problem": "schema revision differs"}
        differing = sorted(
            name
            for name in expected["counts"].keys() | contents["counts"].keys()
            if expected["counts"].get(name) != contents["counts"].get(name)
        )
        if differing:
            return {"problem": "row counts differ in " + ", ".join(differing)}
    return contents


def _cancelled() -> BackupCancelled:
    return BackupCancelled(translatable("The backup was cancelled; nothing was written."))


def _write_failed(out: Path, exc: BaseException) -> RegularsError:
    if is_disk_full(exc):
        return DiskFull(out.parent.resolve())
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return BackupError(
        translatable("Could not write the backup {path}: {reason}. Nothing was written; the shop file is untouched."),
        path=str(out),
        reason=reason,
    )


# Restoring


def before_restore_path(target: Path | str, now: datetime | None = None) -> Path:
    """Where a replaced shop file is kept: NAME.before-restore-YYYYmmdd-HHMMSS (local time), never overwritten."""
    target = Path(target)
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    candidate = target.with_name(f"{target.name}{BEFORE_RESTORE}{stamp}")
    number = 2
    while any(path.exists() for path in _pair_and_side_files(candidate)):
        candidate = target.with_name(f"{target.name}{BEFORE_RESTORE}{stamp}-{number}")
        number += 1
    return candidate


def restore_backup(
    backup: Path | str,
    secret: Secret,
    target: Path | str,
    *,
    replace: bool = False,
    now: datetime | None = None,
) -> RestoreReport:
    """Restores the backup pair at ``backup`` to ``target`` (and its key file), after verifying it.

    ``secret`` is the passphrase or the RecoveryKey that opened the shop when the backup
    was taken. A wrong secret, a missing key file, or a truncated, altered or foreign file
    is refused with a message naming it, and nothing is written. An existing target is
    refused unless ``replace``; then it must not be open in the app, and it is kept, with
    its key file, as NAME.before-restore-YYYYmmdd-HHMMSS (see before_restore_path).
    """
    backup, target = Path(backup), Path(target)
    if target.parent.is_dir():  # else the default shop folder of a new till, made below
        check_output(target, field="db", shop_file_ok=True)
    _check_backup_files(backup)
    existing = [path for path in _pair_and_side_files(target) if path.exists()]
    if existing and target.exists() and target.resolve() == backup.resolve():
        raise BackupError(
            translatable("{path} is the shop file itself, not a backup of it: nothing to restore."), path=str(backup)
        )
    if existing and not replace:
        raise BackupError(
            translatable(
                "A shop file is already at {path}. Restore to another file, or replace it: the current one is then "
                "kept beside it as {kept}. Nothing was changed."
            ),
            path=str(target),
            kept=before_restore_path(target, now).name,
        )

    try:
        unlocked = unlock(backup, secret)  # WrongPassphrase or KeyFileError, naming the backup or its key file
    except ShopFileDamaged as exc:
        raise ShopFileDamaged(
            translatable(
                "The backup {path} is damaged: the passphrase or recovery key is right, but the file does not open "
                "(cut short or altered, or not the key file that belongs to it). Nothing was written; try an "
                "older backup, together with its own key file."
            ),
            path=str(backup),
        ) from exc
    if unlocked.marker_tables != 2:
        raise BackupError(translatable("{path} opened, but it is not a Regulars shop file."), path=str(backup))

    temporary: list[Path] = []
    lock = InstanceLock(target) if existing else None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)  # e.g. the default shop folder on a new till
        copy = _temporary_file(target, ".restoring", temporary)
        shutil.copyfile(backup, copy)
        os.chmod(copy, 0o600)
        contents = _verify_copy(copy, unlocked.key)
        if contents.get("problem") or not contents.get("is_shop"):
            raise _damaged_backup(backup, contents.get("problem") or "no shop tables")
        _refuse_newer(backup, contents["revision"])
        _fsync(copy)
        key_copy = None
        if unlocked.key_file is not None:
            key_copy = _temporary_file(key_file_path(target), ".restoring", temporary)
            _write_synced(key_copy, key_file_path(backup).read_bytes())

        kept = None
        if lock is not None:
            lock.acquire()  # ShopFileInUse when the app has the target open
            kept = before_restore_path(target, now)
        _swap_in(target, copy, key_copy, kept)
    except BaseException as exc:
        for path in temporary:
            _remove_with_side_files(path)
        if is_disk_full(exc):
            raise DiskFull(target.parent.resolve()) from exc
        if isinstance(exc, OSError):
            raise BackupError(
                translatable("Could not restore to {path}: {reason}. The shop file there, if any, is untouched."),
                path=str(target),
                reason=exc.strerror or str(exc),
            ) from exc
        raise
    finally:
        if lock is not None:
            lock.release()
    return RestoreReport(
        path=target,
        key_file=key_file_path(target) if unlocked.key_file is not None else None,
        revision=contents["revision"],
        row_counts=contents["counts"],
        kept=kept,
    )


def _damaged_backup(backup: Path, problem: str) -> ShopFileDamaged:
    return ShopFileDamaged(
        translatable(
            "The backup {path} is damaged ({problem}). Nothing was written; try an older backup, "
            "together with its own key file."
        ),
        path=str(backup),
        problem=problem,
    )


def _check_backup_files(backup: Path) -> None:
    read_header(backup)  # missing, empty, cut short or plain SQLite: named
    if Path(f"{backup}-wal").exists() and Path(f"{backup}-wal").stat().st_size > 0:
        raise BackupError(
            translatable(
                "{path} looks like a shop file that is open or was not closed properly, not a backup. "
                "Make a backup of it with `regulars backup` and restore that."
            ),
            path=str(backup),
        )


def _refuse_newer(backup: Path, revision: str | None) -> None:
    """A backup from a newer Regulars is refused; an older one is upgraded when the restored file is opened."""
    known = {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if revision not in known:
        raise BackupError(
            translatable("The backup {path} was made by a newer version of Regulars. Update Regulars to restore it."),
            path=str(backup),
        )


def _swap_in(target: Path, copy: Path, key_copy: Path | None, kept: Path | None) -> None:
    """Moves the old shop aside (all of its files), then the verified copy into place; undone on failure."""
    moved: list[tuple[Path, Path]] = []
    key_placed = False
    try:
        if kept is not None:
            for old, aside in zip(_pair_and_side_files(target), _pair_and_side_files(kept)):
                if old.exists():
                    os.replace(old, aside)
                    moved.append((aside, old))
        if key_copy is not None:  # the key first: there is never a shop file whose key is nowhere
            os.replace(key_copy, key_file_path(target))
            key_placed = True
        os.replace(copy, target)
    except BaseException:
        if key_placed:
            os.replace(key_file_path(target), key_copy)  # removed by the caller with the copy
        for aside, old in reversed(moved):
            os.replace(aside, old)
        raise
    sync_folder(target.parent)


def _pair_and_side_files(path: Path) -> list[Path]:
    """A shop file, its key file, a pending key file and SQLite's side files, in a fixed order."""
    return [
        path,
        key_file_path(path),
        pending_key_file_path(path),
        *(Path(f"{path}{suffix}") for suffix in SIDE_SUFFIXES),
    ]


# Files


def _temporary_file(final: Path, suffix: str, created: list[Path]) -> Path:
    """An empty private (0600) file beside ``final``, hidden, that nobody else will pick."""
    handle, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=suffix, dir=final.parent)
    os.close(handle)
    created.append(Path(name))
    return Path(name)


def _write_synced(path: Path, data: bytes) -> None:
    with path.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def _fsync(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def _remove_with_side_files(path: Path) -> None:
    for leftover in (path, *(Path(f"{path}{suffix}") for suffix in SIDE_SUFFIXES)):
        try:
            leftover.unlink(missing_ok=True)
        except OSError:
            pass


def _close_quietly(conn: sqlcipher.Connection) -> None:
    try:
        conn.close()
    except sqlcipher.Error:
        pass

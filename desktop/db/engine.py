"""Opening and creating the encrypted shop file.

The file's key is random and lives wrapped in the key file beside it (desktop/db/key_file.py);
desktop/db/unlock.py finds it, and desktop/db/key_changes.py changes the passphrase,
the recovery key or the key itself.

Only sqlcipher3 ever opens the file: two SQLite libraries in one process on one file
can corrupt it, so nothing here (or anywhere) imports the standard sqlite3 module.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from desktop.db import migrate
from desktop.db.key_file import (
    ORIGIN_LEGACY,
    KeyFile,
    key_file_path,
    passphrase_wrap,
    pending_key_file_path,
    recovery_wrap,
    write_key_file,
)
from desktop.db.keys import RawKey, RecoveryKey, new_database_key
from desktop.db.unlock import Secret, Unlocked, connect, recovery_key_from_text, remove_partial_files, unlock
from desktop.errors import ShopFileError, ShopFileInUse, translatable
from desktop.models.base import utc_now
from desktop.models.staff import PASSPHRASE_HOLDER, Actor

BUSY_TIMEOUT_MS = 5000
CACHE_KIB = 32 * 1024
# With someone to tell (ShopDatabase.when_busy, the command line), a write that finds another
# window or command writing says so after FIRST_WAIT_MS and keeps waiting up to WRITE_WAIT_LIMIT_S.
FIRST_WAIT_MS = 1000
WRITE_WAIT_LIMIT_S = 120
BUSY = translatable(
    "The shop file is busy: another window or command (an import, a backup, a demo being made, a key "
    "rotation) is writing to it. Try again when it has finished; nothing was saved."
)


def is_busy(error: BaseException) -> bool:
    """SQLite's "database is locked" (or "busy"), however SQLAlchemy wrapped it."""
    error = getattr(error, "orig", None) or error
    return isinstance(error, sqlcipher.OperationalError) and ("locked" in str(error) or "busy" in str(error))


@contextmanager
def busy_is_named() -> Iterator[None]:
    """A file held by another writer: ShopFileInUse with a message to show, not an OperationalError."""
    try:
        yield
    except (OperationalError, sqlcipher.OperationalError) as exc:
        if is_busy(exc):
            raise ShopFileInUse(BUSY) from exc
        raise


class CurrentKey:
    """The key each new pooled connection is opened with; replaced in place when the key is rotated."""

    __slots__ = ("key",)

    def __init__(self, key: RawKey) -> None:
        self.key = key

    def __repr__(self) -> str:
        return "CurrentKey(<hidden>)"


@dataclass
class ShopDatabase:
    """An open shop file: the engine and the two kinds of unit of work."""

    path: Path
    engine: Engine
    _sessions: sessionmaker[Session]
    _write_sessions: sessionmaker[Session]
    current_key: CurrentKey = field(repr=False)
    # Who acts in each unit of work begun from now on (desktop/services/permissions.py): whoever
    # opened the file with its passphrase until a staff member signs in; None while locked.
    # Each session carries it in session.info, with the database and whether it may write.
    acting: Actor | None = PASSPHRASE_HOLDER
    # Called once when a write has to wait for another window or command (the command line says
    # so on stderr and waits up to WRITE_WAIT_LIMIT_S); None: wait the usual busy timeout, then fail.
    when_busy: Callable[[], None] | None = None
    # The physical clock behind the till's hybrid logical clock (desktop/sync/clock.py): naive UTC.
    clock: Callable[[], datetime] = field(default=utc_now, repr=False)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with busy_is_named(), self._sessions() as session:
            session.info.update(actor=self.acting, database=self, writing=False)
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A write transaction (BEGIN IMMEDIATE): committed on success, rolled back on error.

        Taking the write lock up front means a busy file waits its turn instead of failing
        half-way, and nothing is reported as saved before SQLite has synced it.
        """
        with busy_is_named(), self._write_sessions() as session:
            session.info.update(actor=self.acting, database=self, writing=True)
            with session.begin():
                yield session

    def close(self) -> None:
        self.engine.dispose()


def _configure(conn: sqlcipher.Connection) -> None:
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    # Temporary tables and sort spills stay in memory: SQLCipher's temp files are not a place for data.
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA secure_delete = ON")  # deleted rows are zeroed, so an erasure leaves nothing in free pages
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")


# concat_ws and json_each in sync exports (desktop/services/csv_format.py, desktop/sync/export.py).
MIN_SQLITE = (3, 44, 0)


def require_recent_sqlite() -> None:
    """An SQLCipher built on an older SQLite would open the file and then fail at the first export."""
    if sqlcipher.sqlite_version_info < MIN_SQLITE:
        raise ShopFileError(
            translatable(
                "This installation's SQLCipher is built on SQLite {found}; Regulars needs SQLite {needed} "
                "or newer. Install the current version (./dev installs it) and open the shop again."
            ),
            found=sqlcipher.sqlite_version,
            needed=".".join(str(part) for part in MIN_SQLITE),
        )


def _make_engine(path: Path, key: RawKey) -> ShopDatabase:
    require_recent_sqlite()
    current_key = CurrentKey(key)

    def creator() -> sqlcipher.Connection:
        conn = connect(path, current_key.key)
        _configure(conn)
        return conn

    engine = create_engine(
        "sqlite://",
        module=sqlcipher,
        creator=creator,
        poolclass=QueuePool,
        pool_size=2,
        max_overflow=4,
    )

    writer = engine.execution_options(sqlite_begin="IMMEDIATE")
    database = ShopDatabase(
        path=path,
        engine=engine,
        _sessions=sessionmaker(engine, expire_on_commit=False),
        _write_sessions=sessionmaker(writer, expire_on_commit=False),
        current_key=current_key,
    )

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        if mode == "IMMEDIATE" and database.when_busy is not None:
            _take_write_lock(conn.connection.dbapi_connection, database.when_busy)
        else:
            conn.exec_driver_sql(f"BEGIN {mode}")

    return database


def _take_write_lock(conn: sqlcipher.Connection, when_busy: Callable[[], None]) -> None:
    """BEGIN IMMEDIATE, waiting while another window or command writes: says so once, after a
    short wait, and keeps waiting up to WRITE_WAIT_LIMIT_S before giving up with ShopFileInUse."""
    conn.execute(f"PRAGMA busy_timeout = {FIRST_WAIT_MS}")
    deadline = None
    try:
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlcipher.OperationalError as exc:
                if not is_busy(exc):
                    raise
                if deadline is None:
                    deadline = time.monotonic() + WRITE_WAIT_LIMIT_S
                    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                    when_busy()
                elif time.monotonic() >= deadline:
                    raise ShopFileInUse(BUSY) from exc
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def open_shop_file(path: Path | str, passphrase: str) -> ShopDatabase:
    """Unlocks an existing shop file with its passphrase and brings its schema up to date."""
    return _open(Path(path), passphrase)


def open_shop_file_with_recovery_key(path: Path | str, recovery_key: str) -> ShopDatabase:
    """Unlocks with the printed recovery key instead of the passphrase (typed in any case, dashes optional)."""
    path = Path(path)
    return _open(path, recovery_key_from_text(path, recovery_key))


def _open(path: Path, secret: Secret) -> ShopDatabase:
    unlocked = unlock(path, secret)
    if unlocked.marker_tables != 2:
        raise ShopFileError(
            translatable("{path} opened, but it is not a Regulars shop file."), path=str(path)
        )
    database = _make_engine(path, unlocked.key)
    try:
        migrate.upgrade(database.engine, path)
    except Exception:
        database.close()
        raise
    if unlocked.key_file is None and isinstance(secret, str):
        _add_key_file_to_legacy_file(path, unlocked, secret)
    return database


def _add_key_file_to_legacy_file(path: Path, unlocked: Unlocked, passphrase: str) -> None:
    """Upgrades a shop file from before key files in place: the same key, now wrapped. No re-encryption."""
    legacy = KeyFile(passphrase=passphrase_wrap(unlocked.key.key, passphrase), key_origin=ORIGIN_LEGACY)
    try:
        write_key_file(key_file_path(path), legacy)
    except OSError:
        pass  # a read-only folder: the file still opens the old way, and is upgraded once it can be


def create_shop_file(path: Path | str, passphrase: str, recovery_key: RecoveryKey | None = None) -> ShopDatabase:
    """A new, empty, encrypted shop file with the current schema, and its key file beside it.

    The key is random; the key file holds it wrapped under the passphrase (and under
    ``recovery_key``, given one the owner already has). The key file is written first, so
    there is never a shop file whose key is nowhere.
    """
    path = Path(path)
    if path.exists():
        raise ShopFileError(translatable("A file already exists at {path}."), path=str(path))
    for key_path in (key_file_path(path), pending_key_file_path(path)):
        if key_path.exists():
            raise ShopFileError(
                translatable(
                    "A key file is already at {key_file}, though {path} is not: it may belong to a shop file that "
                    "is being restored. Move it elsewhere first; nothing was created."
                ),
                key_file=str(key_path),
                path=str(path),
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    key = new_database_key()
    recovery = recovery_wrap(key.key, recovery_key) if recovery_key is not None else None
    write_key_file(key_file_path(path), KeyFile(passphrase=passphrase_wrap(key.key, passphrase), recovery=recovery))
    try:
        conn = connect(path, key, creating=True)
        try:
            os.chmod(path, 0o600)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("CREATE TABLE _regulars_init (x)")
            conn.execute("DROP TABLE _regulars_init")
        finally:
            conn.close()
        database = _make_engine(path, key)
        try:
            migrate.upgrade(database.engine, path)
        except Exception:
            database.close()
            raise
    except BaseException:
        remove_partial_files(path)
        raise
    return database


def verify_shop_file(database: ShopDatabase) -> list[str]:
    """Page-level HMAC check plus SQLite's integrity check; an empty list means healthy.

    Only meaningful once the key is known to be right: a wrong key and a damaged first
    page look the same to SQLCipher. A check that stops with an error because a page it
    needs is damaged is itself a finding, so it is reported, not raised.
    """
    problems: list[str] = []
    with database.engine.connect() as conn:
        for pragma in ("cipher_integrity_check", "integrity_check"):
            try:
                rows = conn.exec_driver_sql(f"PRAGMA {pragma}").scalars().all()
            except DatabaseError as exc:
                problems.append(f"{pragma} stopped: {exc.orig}")
                continue
            problems.extend(str(row) for row in rows if row != "ok")
    return problems

"""Opening and creating the encrypted shop file.

Only sqlcipher3 ever opens the file: two SQLite libraries in one process on one file
can corrupt it, so nothing here (or anywhere) imports the standard sqlite3 module.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from desktop.db import migrate
from desktop.db.keys import SALT_BYTES, SQLITE_PLAIN_HEADER, RawKey, derive_key, new_salt
from desktop.errors import ShopFileError, WrongPassphrase, translatable

BUSY_TIMEOUT_MS = 5000
CACHE_KIB = 32 * 1024


@dataclass
class ShopDatabase:
    """An open shop file: the engine and the two kinds of unit of work."""

    path: Path
    engine: Engine
    _sessions: sessionmaker[Session]
    _write_sessions: sessionmaker[Session]

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A write transaction (BEGIN IMMEDIATE): committed on success, rolled back on error.

        Taking the write lock up front means a busy file waits its turn instead of failing
        half-way, and nothing is reported as saved before SQLite has synced it.
        """
        with self._write_sessions() as session:
            with session.begin():
                yield session

    def close(self) -> None:
        self.engine.dispose()


def _connect(path: Path, key: RawKey, *, creating: bool) -> sqlcipher.Connection:
    conn = sqlcipher.connect(str(path), check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(f"PRAGMA key = {key.pragma_value(with_salt=creating)}")
    return conn


def _configure(conn: sqlcipher.Connection) -> None:
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    # Temporary tables and sort spills stay in memory: SQLCipher's temp files are not a place for data.
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")


def _check_key(conn: sqlcipher.Connection, path: Path) -> None:
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher.DatabaseError as exc:
        conn.close()
        raise WrongPassphrase(
            translatable(
                "Could not unlock {path}: the passphrase is wrong, or the file is damaged. "
                "Check the passphrase (it is case-sensitive) and try again."
            ),
            path=str(path),
        ) from exc


def _make_engine(path: Path, key: RawKey) -> ShopDatabase:
    def creator() -> sqlcipher.Connection:
        conn = _connect(path, key, creating=False)
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

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        conn.exec_driver_sql(f"BEGIN {conn.get_execution_options().get('sqlite_begin', 'DEFERRED')}")

    writer = engine.execution_options(sqlite_begin="IMMEDIATE")
    return ShopDatabase(
        path=path,
        engine=engine,
        _sessions=sessionmaker(engine, expire_on_commit=False),
        _write_sessions=sessionmaker(writer, expire_on_commit=False),
    )


def _read_salt(path: Path) -> bytes:
    if not path.exists():
        raise ShopFileError(translatable("There is no shop file at {path}."), path=str(path))
    try:
        with path.open("rb") as handle:
            header = handle.read(SALT_BYTES)
    except OSError as exc:
        raise ShopFileError(
            translatable("Cannot read the shop file {path}: {reason}"), path=str(path), reason=exc.strerror or ""
        ) from exc
    if header == SQLITE_PLAIN_HEADER:
        raise ShopFileError(
            translatable("{path} is a plain SQLite file, not an encrypted Regulars shop file."), path=str(path)
        )
    if len(header) < SALT_BYTES:
        raise ShopFileError(
            translatable("{path} is not a Regulars shop file (it is empty or cut short)."), path=str(path)
        )
    return header


def open_shop_file(path: Path | str, passphrase: str) -> ShopDatabase:
    """Unlocks an existing shop file and brings its schema up to date."""
    path = Path(path)
    key = derive_key(passphrase, _read_salt(path))
    probe = _connect(path, key, creating=False)
    _check_key(probe, path)
    try:
        has_tables = probe.execute(
            "SELECT count(*) FROM sqlite_master WHERE name IN ('shop', 'alembic_version')"
        ).fetchone()[0]
    finally:
        probe.close()
    if has_tables < 2:
        raise ShopFileError(
            translatable("{path} opened, but it is not a Regulars shop file."), path=str(path)
        )
    database = _make_engine(path, key)
    try:
        migrate.upgrade(database.engine, path)
    except Exception:
        database.close()
        raise
    return database


def create_shop_file(path: Path | str, passphrase: str) -> ShopDatabase:
    """A new, empty, encrypted shop file with the current schema."""
    path = Path(path)
    if path.exists():
        raise ShopFileError(translatable("A file already exists at {path}."), path=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    key = derive_key(passphrase, new_salt())
    conn = _connect(path, key, creating=True)
    try:
        os.chmod(path, 0o600)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE _regulars_init (x)")
        conn.execute("DROP TABLE _regulars_init")
    finally:
        conn.close()
    database = _make_engine(path, key)
    migrate.upgrade(database.engine, path)
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

"""What the command-line tests share: a command that must work or be refused, and a look inside the file."""

from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import text
from sqlalchemy.orm import Session

from desktop.db.engine import open_shop_file
from tests.conftest import PASSPHRASE


def ok(cli, db: Path, *args: str) -> str:
    """The command's stdout; it must exit 0."""
    status, out, err = cli(db, *args)
    assert status == 0, err
    return out


def ok_json(cli, db: Path, *args: str) -> Any:
    """The command's stdout read as JSON (pass --json yourself); it must exit 0."""
    return json.loads(ok(cli, db, *args))


def refused(cli, db: Path, *args: str) -> str:
    """The command's one-line complaint; it must exit 1 with nothing on stdout."""
    status, out, err = cli(db, *args)
    assert (status, out) == (1, ""), err
    assert err.startswith("regulars: ")
    return err


def made_recovery_key(cli, db: Path, *before: str) -> str:
    """A new recovery key made by `recovery-key new --recovery-key-out FILE` (``before``: global options
    such as --as); the key saved there, the file then removed."""
    saved = db.parent.parent / "made-recovery-key.txt"
    ok(cli, db, *before, "recovery-key", "new", "--recovery-key-out", str(saved))
    recovery_key = saved.read_text(encoding="utf-8").strip()
    saved.unlink()
    return recovery_key


def customers(cli, db: Path) -> list[dict]:
    return ok_json(cli, db, "customers", "find", "--json", "--limit", "100")


@contextmanager
def shop_session(db: Path, *, write: bool = False) -> Iterator[Session]:
    """A session on the shop file behind the command line's back (committed on leaving when write)."""
    database = open_shop_file(db, PASSPHRASE)
    try:
        with database.writing() if write else database.reading() as session:
            yield session
    finally:
        database.close()


def count_rows(db: Path, table: str) -> int:
    with shop_session(db) as session:
        return session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def shop_fingerprint(db: Path) -> dict[str, str]:
    """SHA-256 of the shop file and its key file: equal fingerprints mean nothing was written."""
    from desktop.db.key_file import key_file_path

    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in (db, key_file_path(db))}

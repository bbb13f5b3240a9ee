"""Changing how a shop file is unlocked: the passphrase, the recovery key, or the key itself.

Changing the passphrase or the recovery key rewraps the shop's 32-byte key in the key
file: it takes as long as one key derivation, whatever the size of the book. Rotating
the key re-encrypts the whole file (SQLCipher's PRAGMA rekey) under a fresh random key,
so that old copies of the key file, old passphrases and old recovery keys stop opening it.

Rotation is crash-safe. The new key file is written beside the old one as ``.key.new``
before the file is re-encrypted, and renamed over the old one after; opening a shop file
tries both if both are there (desktop/db/unlock.py), so a crash at any point leaves a
shop file that opens with the passphrase. Re-encryption is one SQLite transaction.

A rotation never loses the recovery key. The new recovery key is made by the caller and
handed to the owner first (the command line shows it and has it confirmed, or saves it
to the file the owner chose), and only then given to rotate_key: until the re-encryption
commits, the earlier recovery key still opens the file; from then on the new one does,
which the owner already holds. A process killed at any step leaves one of the two working,
and both known. Only one step switches (the re-encryption's commit): before it the old
key file stays in place and a ``.key.new`` left behind is discarded at the next opening;
after it, the ``.key.new`` is moved into place at the next opening.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher

from desktop.db.engine import ShopDatabase
from desktop.db.key_file import (
    ORIGIN_LEGACY,
    ORIGIN_RANDOM,
    PASSPHRASE_WRAP,
    RECOVERY_WRAP,
    KeyFile,
    key_file_path,
    move_into_place,
    passphrase_wrap,
    pending_key_file_path,
    recovery_wrap,
    write_key_file,
)
from desktop.db.keys import KEY_BYTES, RawKey, RecoveryKey
from desktop.db.unlock import Secret, connect, probe, unlock
from desktop.errors import KeyFileError, ShopFileError, ShopFileInUse, WrongRecoveryKey, translatable
from desktop.output_files import DiskFull, is_disk_full

# How long a rotation waits for another connection to let go before saying the file is in use.
ROTATION_WAIT_MS = 2000


def change_passphrase(path: Path | str, old: Secret, new: str) -> None:
    """Rewraps the shop's key under ``new``. ``old`` is the passphrase or a RecoveryKey; the recovery key is kept.

    The caller checks that ``new`` is long enough (desktop.services.shop.check_new_passphrase).
    """
    path = Path(path)
    unlocked = unlock(path, old)
    current = unlocked.key_file or KeyFile(passphrase=None, key_origin=ORIGIN_LEGACY)
    write_key_file(
        key_file_path(path),
        replace(current, passphrase=passphrase_wrap(unlocked.key.key, new), damaged=current.damaged - {PASSPHRASE_WRAP}),
    )


def new_recovery_key(path: Path | str, passphrase: Secret, recovery_key: RecoveryKey | None = None) -> str:
    """Replaces the recovery key with ``recovery_key`` (a fresh one when None); returns it. The old one stops working.

    As with rotation, a caller that shows the key hands it to the owner (shown and confirmed, or
    saved) before calling this: the key file's rewrite is the one step that switches, and a
    process killed before it leaves the earlier recovery key working.
    """
    path = Path(path)
    unlocked = unlock(path, passphrase)
    recovery_key = recovery_key or RecoveryKey.new()
    if unlocked.key_file is None:  # a legacy file: the passphrase wrap comes with it
        if not isinstance(passphrase, str):
            raise AssertionError("a legacy file cannot be unlocked with a recovery key")
        current = KeyFile(passphrase=passphrase_wrap(unlocked.key.key, passphrase), key_origin=ORIGIN_LEGACY)
    else:
        current = unlocked.key_file
    write_key_file(
        key_file_path(path),
        replace(
            current,
            recovery=recovery_wrap(unlocked.key.key, recovery_key),
            damaged=current.damaged - {RECOVERY_WRAP},
        ),
    )
    return recovery_key.text


def rotate_key(database_or_path: ShopDatabase | Path | str, passphrase: str, recovery_key: RecoveryKey) -> None:
    """Re-encrypts the shop file under a fresh random key, unlocked from now on by ``passphrase``
    and by ``recovery_key``, which the owner must already have been given (see the module's docstring).

    Needs the passphrase (not the recovery key): the new key is wrapped under it. Given an
    open ShopDatabase, its idle connections are closed and later ones use the new key; a
    session still in use makes the rotation fail with ShopFileInUse, as does another
    window or command with the file open. Nothing is changed then.
    """
    database = database_or_path if isinstance(database_or_path, ShopDatabase) else None
    path = database.path if database is not None else Path(database_or_path)
    unlocked = unlock(path, passphrase)  # also finishes or undoes an earlier interrupted rotation
    if database is not None and database.current_key.key.key != unlocked.key.key:
        raise ShopFileError(
            translatable("The key file beside {path} does not hold the key this window opened it with."),
            path=str(path),
        )
    # SQLCipher keeps the file's salt on rekey; only the key changes.
    new_key = RawKey(key=secrets.token_bytes(KEY_BYTES), salt=unlocked.key.salt)
    new_key_file = KeyFile(
        passphrase=passphrase_wrap(new_key.key, passphrase),
        recovery=recovery_wrap(new_key.key, recovery_key),
        key_origin=ORIGIN_RANDOM,
    )
    if database is not None:
        database.engine.dispose()  # idle pooled connections hold the old key
    pending = pending_key_file_path(path)
    conn = _exclusive_connection(path, unlocked.key)
    try:
        write_key_file(pending, new_key_file)  # before rekeying: a crash from here on still opens
        conn.execute(f"PRAGMA rekey = {new_key.pragma_value(with_salt=False)}")
        conn.execute("PRAGMA journal_mode = WAL")
    except BaseException:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
        except sqlcipher.Error:
            pass  # every connection the app opens sets WAL again
        conn.close()
        if pending.exists() and probe(path, unlocked.key) is not None:
            pending.unlink()  # the old key still opens the file: this rotation never happened
        raise
    conn.close()
    try:
        move_into_place(pending, key_file_path(path))
    except FileNotFoundError:
        pass  # another process opened the file in this instant and finished the rename itself
    if database is not None:
        database.current_key.key = new_key


def recovery_key_opens(path: Path | str, recovery_key: RecoveryKey) -> bool:
    """Whether ``recovery_key`` opens the shop file now (finishing a rotation left half-done, as opening does)."""
    try:
        unlock(Path(path), recovery_key)
    except (WrongRecoveryKey, KeyFileError):  # a key file with no recovery key at all is a no too
        return False
    return True


def _exclusive_connection(path: Path, key: RawKey) -> sqlcipher.Connection:
    """A connection that alone holds the file, out of WAL mode, ready to rekey.

    Leaving WAL mode needs every other connection, in any process, to have let go, so it
    doubles as the check that nobody else has the file open; the exclusive locking mode
    then keeps everyone out until this connection closes.
    """
    conn = connect(path, key)
    try:
        conn.execute(f"PRAGMA busy_timeout = {ROTATION_WAIT_MS}")
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        if str(mode).lower() != "delete":
            raise sqlcipher.OperationalError("database is locked")
    except sqlcipher.OperationalError as exc:
        conn.close()
        if is_disk_full(exc, path.parent):  # no room to leave WAL mode: not another window
            raise DiskFull(path.parent.resolve()) from exc
        raise ShopFileInUse(
            translatable(
                "{path} is open in another window or command, so its key cannot be changed now. "
                "Close the others and try again; nothing was changed."
            ),
            path=str(path),
        ) from exc
    except BaseException:
        conn.close()
        raise
    return conn

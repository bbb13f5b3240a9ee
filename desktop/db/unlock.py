"""Finding the shop file's key: from its key file, from a rotation left half-done, or (once) from a legacy passphrase.

The key file authenticates what it unwraps (AES-GCM), so the answers are told apart:
a wrong passphrase or recovery key leaves every file untouched; a right one whose key
does not open the shop file means the shop file is damaged; a missing or damaged key
file is named as such.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher

from desktop.db.key_file import KeyFile, key_file_path, move_into_place, pending_key_file_path, read_key_file
from desktop.db.keys import SALT_BYTES, SQLITE_PLAIN_HEADER, RawKey, RecoveryKey, derive_legacy_key
from desktop.errors import (
    KeyFileError,
    ShopFileDamaged,
    ShopFileError,
    ShopFileInUse,
    WrongPassphrase,
    WrongRecoveryKey,
    translatable,
)
from desktop.output_files import DiskFull, is_disk_full

Secret = str | RecoveryKey  # a passphrase, or a recovery key
PROBE_BUSY_TIMEOUT_MS = 5000  # as long as the app's own connections wait
ROTATION_WAIT_S = 5.0  # how long opening waits for another process's key rotation to finish
ROTATION_RETRY_S = 0.1


@dataclass(frozen=True, repr=False)
class Unlocked:
    """The shop file's key, checked against the file, and the key file it came from (None: legacy)."""

    key: RawKey
    key_file: KeyFile | None
    marker_tables: int  # see probe(): 2 for a Regulars shop file

    def __repr__(self) -> str:
        return "Unlocked(<hidden>)"


def connect(path: Path, key: RawKey, *, creating: bool = False) -> sqlcipher.Connection:
    conn = sqlcipher.connect(str(path), check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(f"PRAGMA key = {key.pragma_value(with_salt=creating)}")
    return conn


def probe(path: Path, key: RawKey) -> int | None:
    """How many of Regulars' marker tables the file has (2 for a shop file), or None if the key does not open it.

    A file held exclusively (its key being rotated by another process) is in use, not a
    wrong key: that is ShopFileInUse once the busy timeout has passed.
    """
    conn = connect(path, key)
    try:
        conn.execute(f"PRAGMA busy_timeout = {PROBE_BUSY_TIMEOUT_MS}")
        return conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE name IN ('shop', 'alembic_version')"
        ).fetchone()[0]
    except sqlcipher.OperationalError as exc:
        if is_disk_full(exc, path.parent):  # no room for the -wal and -shm files: not a wrong key, not damage
            raise DiskFull(path.parent.resolve()) from exc
        if "locked" in str(exc) or "busy" in str(exc):
            raise ShopFileInUse(
                translatable("{path} is busy: another window or command is changing its key. Try again in a moment."),
                path=str(path),
            ) from exc
        return None
    except sqlcipher.DatabaseError:
        return None
    finally:
        conn.close()


def read_header(path: Path) -> bytes:
    """The file's salt (its first 16 bytes), after refusing what cannot be a shop file."""
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


def recovery_key_from_text(path: Path | str, text: str) -> RecoveryKey:
    recovery_key = RecoveryKey.parse(text)
    if recovery_key is None:  # the message never repeats what was typed
        raise WrongRecoveryKey(
            translatable(
                "That is not a recovery key for {path}: a recovery key is 32 letters and digits in groups "
                "of four, like XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX."
            ),
            path=str(path),
        )
    return recovery_key


def unlock(path: Path, secret: Secret) -> Unlocked:
    """The key that opens the shop file at ``path``, or a clear error; writes nothing on failure.

    If a key rotation was interrupted (``.key.new`` beside the key file), both key files
    are tried: whichever opens the shop file wins, and the rotation is finished or undone.
    A rotation running in another process at this very moment can re-encrypt the file
    between reading the key files and trying their keys: that is tried again, and named as a
    rotation in progress (ShopFileInUse), never as a damaged file.
    """
    deadline = time.monotonic() + ROTATION_WAIT_S
    changed = False  # a key file written or moved while trying: a rotation is running
    while True:
        seen = _key_files_state(path)
        try:
            return _unlock_once(path, secret)
        except ShopFileDamaged:
            changed = changed or _key_files_state(path) != seen
            if not changed and not pending_key_file_path(path).exists():
                raise
            if time.monotonic() >= deadline:
                if not changed:
                    raise  # a .key.new that nothing moves: left beside a damaged file, not a rotation
                raise ShopFileInUse(
                    translatable(
                        "{path} is busy: a key rotation is in progress (another window or command is changing its "
                        "key). Try again in a moment; nothing was changed."
                    ),
                    path=str(path),
                ) from None
            time.sleep(ROTATION_RETRY_S)


def _key_files_state(path: Path) -> tuple:
    """What changes when a rotation writes or moves a key file."""
    state = []
    for key_path in (key_file_path(path), pending_key_file_path(path)):
        try:
            info = key_path.stat()
        except OSError:
            state.append(None)
            continue
        state.append((info.st_ino, info.st_size, info.st_mtime_ns))
    return tuple(state)


def _unlock_once(path: Path, secret: Secret) -> Unlocked:
    header = read_header(path)
    current, pending = key_file_path(path), pending_key_file_path(path)
    sources = [source for source in (current, pending) if source.exists()]
    if not sources:
        return _unlock_legacy(path, header, secret)

    candidates: list[tuple[Path, KeyFile, RawKey]] = []
    problem: KeyFileError | None = None
    wrong = False
    for source in sources:
        try:
            key_file = read_key_file(source)
            if isinstance(secret, RecoveryKey):
                key = key_file.unlock_with_recovery_key(secret)
            else:
                key = key_file.unlock_with_passphrase(secret)
        except KeyFileError as exc:
            problem = problem or exc
            continue
        if key is None:
            wrong = True
        else:
            candidates.append((source, key_file, RawKey(key=key, salt=header)))
    if not candidates:
        if problem is not None and not wrong:
            raise problem
        raise _wrong_secret(path, secret)

    for source, key_file, key in candidates:
        marker_tables = probe(path, key)
        if marker_tables is not None:
            try:
                if source == pending:  # the file was re-encrypted: the new key file takes over
                    move_into_place(pending, current)
                else:  # any rotation stopped before re-encrypting: nothing to finish
                    pending.unlink(missing_ok=True)
            except FileNotFoundError:
                pass  # another window opening the file at this instant did it first
            return Unlocked(key=key, key_file=replace(key_file, path=current), marker_tables=marker_tables)
    if not current.exists() and isinstance(secret, str):
        # A legacy file whose first rotation stopped before re-encrypting: still keyed the old way.
        legacy = derive_legacy_key(secret, header)
        marker_tables = probe(path, legacy)
        if marker_tables is not None:
            pending.unlink(missing_ok=True)
            return Unlocked(key=legacy, key_file=None, marker_tables=marker_tables)
    if isinstance(secret, RecoveryKey) and pending.exists() and all(source == current for source, _, _ in candidates):
        # The file was re-encrypted by a rotation not yet moved into place: this recovery key was replaced.
        raise _wrong_secret(path, secret)
    raise _damaged(path, secret)


def _unlock_legacy(path: Path, header: bytes, secret: Secret) -> Unlocked:
    """A shop file from before key files: its key is what SQLCipher derives from the passphrase."""
    if isinstance(secret, RecoveryKey):
        raise KeyFileError(
            translatable(
                "Cannot unlock {path} with a recovery key: its key file {key_file} is missing. "
                "Restore the key file from the same backup as the shop file."
            ),
            path=str(path),
            key_file=str(key_file_path(path)),
        )
    key = derive_legacy_key(secret, header)
    marker_tables = probe(path, key)
    if marker_tables is None:
        raise KeyFileError(
            translatable(
                "Could not unlock {path}: its key file {key_file} is missing. If the shop file was copied or "
                "restored, copy its key file beside it too (back up both together). A shop file from an older "
                "Regulars has no key file; for one of those, the passphrase is wrong, or the file is damaged."
            ),
            path=str(path),
            key_file=str(key_file_path(path)),
        )
    return Unlocked(key=key, key_file=None, marker_tables=marker_tables)


def _wrong_secret(path: Path, secret: Secret) -> WrongPassphrase:
    if isinstance(secret, RecoveryKey):
        return WrongRecoveryKey(
            translatable(
                "Could not unlock {path}: that is not its current recovery key. Check it against the printed "
                "copy; a recovery key replaced by a newer one no longer works. Nothing was changed."
            ),
            path=str(path),
        )
    return WrongPassphrase(
        translatable(
            "Could not unlock {path}: the passphrase is wrong. Check it (it is case-sensitive) and try again. "
            "Nothing was changed."
        ),
        path=str(path),
    )


def _damaged(path: Path, secret: Secret) -> ShopFileDamaged:
    if isinstance(secret, RecoveryKey):
        template = translatable(
            "The recovery key is right, but the shop file {path} is damaged: it does not open with its key. "
            "Keep it as it is, run `regulars check` on your backups and restore the newest healthy one together "
            "with its key file {key_file} (a shop file restored without its own key file fails this way too)."
        )
    else:
        template = translatable(
            "The passphrase is right, but the shop file {path} is damaged: it does not open with its key. "
            "Keep it as it is, run `regulars check` on your backups and restore the newest healthy one together "
            "with its key file {key_file} (a shop file restored without its own key file fails this way too)."
        )
    return ShopFileDamaged(template, path=str(path), key_file=str(key_file_path(path)))


def remove_partial_files(path: Path) -> None:
    """After a failed create: the shop file, its SQLite side files and its key file, all ours."""
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal"), key_file_path(path)):
        try:
            leftover.unlink(missing_ok=True)
        except OSError:
            pass


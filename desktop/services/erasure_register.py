"""The erasure register: which customers were erased, and when, kept beside the shop file, never in it.

``shop.regulars.erased`` is a small JSON document holding customer UUIDs and erasure times,
nothing else. It lives outside the shop file so that a backup (the shop file and its key
file, desktop/db/backup.py) does not carry it, and so that a backup taken before an erasure
can be cleaned when it is restored: ``reapply_erasure_register`` erases again everyone the
register names. It runs after every restore and after every sync import, and it also adds to
the register the erasures the file holds (tombstones that arrived from another till).

An erasure enters the register once its unit of work has committed (``remember_on_commit``):
an erasure that was rolled back is never written down, so never re-applied by mistake. Each
write merges with what is already there and adds every erasure the file holds, so a register
that missed an entry (a crash between the commit and the write) catches up at the next one.
Writes are atomic (temporary file, fsync, rename) and private (0600).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from desktop.db.engine import ShopDatabase, open_shop_file, open_shop_file_with_recovery_key
from desktop.db.key_file import write_private_file
from desktop.db.keys import RecoveryKey
from desktop.db.unlock import Secret
from desktop.errors import RegularsError, translatable
from desktop.models.base import STORED_TIME
from desktop.services import audit
from desktop.services.backups import shop_slug
from desktop.sync.tombstones import apply_erasure

FORMAT = "Regulars erasure register"
VERSION = 1
SUFFIX = ".erased"
ABOUT = (
    "Customers erased from the shop file beside this one: their UUIDs and when, nothing else. "
    "Regulars erases them again from any backup restored here. Keep it beside the shop file; "
    "backups do not carry it."
)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_PENDING = "erasure_register.pending"  # session.info: the path to write to once the unit of work commits
_GATHERED = "erasure_register.gathered"

Erasures = dict[str, str]  # customer UUID -> erasure time, as stored ("YYYY-MM-DD HH:MM:SS.ffffff", UTC)


class ErasureRegisterError(RegularsError):
    """The erasure register beside the shop file cannot be read or written; the message names it."""


def register_path(shop_path: Path | str) -> Path:
    return Path(str(shop_path) + SUFFIX)


# Reading and writing the file


def read_register(shop_path: Path | str) -> Erasures:
    """The register beside the shop file (empty when there is none); ErasureRegisterError if it is damaged."""
    return _read_at(register_path(shop_path))


def _read_at(path: Path) -> Erasures:
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise _damaged(path) from exc
    try:
        if data["format"] != FORMAT or data["version"] != VERSION:
            raise ValueError
        erasures: Erasures = {}
        for entry in data["erasures"]:
            uuid, at = entry["customer_uuid"], entry["erased_at"]
            if not _UUID.fullmatch(uuid):
                raise ValueError
            datetime.strptime(at, STORED_TIME)
            erasures[uuid] = min(at, erasures.get(uuid, at))
    except (KeyError, TypeError, ValueError) as exc:
        raise _damaged(path) from exc
    return erasures


def remember_erasures(shop_path: Path | str, erasures: Erasures) -> Erasures:
    """Adds erasures to the register beside the shop file (the earlier time wins); the whole register after.

    Writes nothing when the register already holds them all.
    """
    return _remember_at(register_path(shop_path), erasures)


def _remember_at(path: Path, erasures: Erasures) -> Erasures:
    try:
        known = _read_at(path)
    except ErasureRegisterError as exc:
        raise ErasureRegisterError(
            translatable(
                "The erasure is saved in the shop file, but the erasure register {path} is damaged and was not "
                "updated. Move it aside and erase the customer again: a new register starts with every erasure "
                "the shop file holds."
            ),
            path=str(path),
        ) from exc
    merged = dict(known)
    for uuid, at in erasures.items():
        merged[uuid] = min(at, merged.get(uuid, at))
    if merged != known:
        _write(path, merged)
    return merged


def _write(path: Path, erasures: Erasures) -> None:
    entries = [{"customer_uuid": uuid, "erased_at": at} for uuid, at in sorted(erasures.items(), key=_by_time)]
    data = json.dumps({"format": FORMAT, "version": VERSION, "about": ABOUT, "erasures": entries}, indent=1)
    try:
        write_private_file(path, data.encode("utf-8") + b"\n")
    except OSError as exc:
        raise ErasureRegisterError(
            translatable(
                "The erasure is saved in the shop file, but the erasure register {path} could not be written "
                "({reason}). Fix the folder and erase the customer again, so that a restored backup forgets them too."
            ),
            path=str(path),
            reason=exc.strerror or str(exc),
        ) from exc


def _by_time(item: tuple[str, str]) -> tuple[str, str]:
    uuid, at = item
    return at, uuid


def _damaged(path: Path) -> ErasureRegisterError:
    return ErasureRegisterError(
        translatable(
            "The erasure register {path} is damaged, so the customers it names could not be erased again. "
            "Restore it from where it was copied, or move it aside to start a new one from this shop file."
        ),
        path=str(path),
    )


# The shop file's side


def erasures_in_file(session: Session) -> Erasures:
    """Every customer erasure the shop file holds (its tombstones), by customer UUID."""
    rows = session.execute(
        text("SELECT record_uuid, at FROM tombstones WHERE table_name = 'customers' AND kind = 'erased'")
    )
    return {uuid: at if len(at) > 19 else at + ".000000" for uuid, at in rows}


def register_copies(session: Session) -> list[Path]:
    """Where the register is kept: beside the shop file, and in the backup folder when one is set.

    The copy in the backup folder (``<shop>.erased``, UUIDs only, like the original) outlives
    the disk the shop file is on, and sits where the backups a restore starts from are.
    """
    paths = [register_path(shop_file_of(session))]
    folder, name = session.execute(text("SELECT backup_folder, name FROM shop ORDER BY id LIMIT 1")).one()
    if folder and Path(folder).is_dir():  # a backup drive not plugged in gets its copy next time
        paths.append(_in_folder(Path(folder), name))
    return paths


def _in_folder(folder: Path, shop_name: str) -> Path:
    return folder / f"{shop_slug(shop_name)}{SUFFIX}"


def shop_file_of(session: Session) -> Path:
    """The file the session's unit of work writes to."""
    rows = session.execute(text("PRAGMA database_list")).all()
    return Path(next(file for _seq, name, file in rows if name == "main"))


def remember_on_commit(session: Session) -> None:
    """Once this unit of work has committed, the file's erasures go into the register beside it.

    Nothing is written if it rolls back. A failure to write is raised from the commit as
    ErasureRegisterError (the erasure itself is saved by then, and the message says so).
    """
    if _PENDING in session.info:
        return
    session.info[_PENDING] = shop_file_of(session)
    event.listen(session, "before_commit", _gather)
    event.listen(session, "after_commit", _write_gathered)
    event.listen(session, "after_rollback", _forget)


def _gather(session: Session) -> None:
    if _PENDING in session.info:
        session.info[_GATHERED] = (register_copies(session), erasures_in_file(session))


def _write_gathered(session: Session) -> None:
    session.info.pop(_PENDING, None)
    gathered = session.info.pop(_GATHERED, None)
    if gathered is not None:
        paths, erasures = gathered
        for path in paths:
            _remember_at(path, erasures)


def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_GATHERED, None)


# Re-applying


def reapply_erasure_register(database: ShopDatabase, *, also_from: Iterable[Path] = ()) -> int:
    """Erases again, in the open shop file, every customer a register names; how many changed.

    The registers read are the one beside the shop file, the copy in the shop's backup folder,
    and the copies in ``also_from`` folders (where a restored backup came from). Idempotent,
    and cheap when there is nothing to do: it only reads (so every command can run it on
    opening a file). Each registered erasure keeps its time; a customer not in the file gets
    the tombstone that erases them if they ever arrive from another till. The file's own
    erasures join the registers. No permission is asked: this only carries out erasures the
    owner already made.
    """
    with database.reading() as session:
        copies = register_copies(session)
        name = session.execute(text("SELECT name FROM shop ORDER BY id LIMIT 1")).scalar_one()
        registered: Erasures = {}
        for path in [*copies, *(_in_folder(Path(folder), name) for folder in also_from)]:
            for uuid, at in _read_at(path).items():
                registered[uuid] = min(at, registered.get(uuid, at))
        in_file = erasures_in_file(session)
    due = {uuid: at for uuid, at in registered.items() if not (uuid in in_file and in_file[uuid] <= at)}
    anonymised = 0
    if due:
        with database.writing() as session:
            for uuid, at in sorted(due.items(), key=_by_time):
                erased = apply_erasure(session, uuid, at=datetime.strptime(at, STORED_TIME))
                if erased is not None and erased.changed:
                    anonymised += 1
                    audit.record(session, audit.CUSTOMER_ERASED, subject_kind="customer", subject_uuid=uuid,
                                 details={"from": "erasure register", "records": _counted(erased.records)})
            remember_on_commit(session)
    else:
        for path in copies:  # erasures that arrived by sync join the registers
            _remember_at(path, in_file | registered)
    return anonymised


def reapply_after_restore(path: Path | str, secret: Secret, *, backup_folder: Path | None = None) -> int:
    """Opens a shop file just restored from a backup and erases again whoever the registers name.

    ``secret`` is what restored it (the passphrase, or the RecoveryKey), which opens it now;
    ``backup_folder`` is where the backup was, whose register copy counts too (the shop's own
    register may have been lost with its disk, or the backup restored to a new place).
    """
    if isinstance(secret, RecoveryKey):
        database = open_shop_file_with_recovery_key(path, secret.text)
    else:
        database = open_shop_file(path, secret)
    try:
        return reapply_erasure_register(database, also_from=[backup_folder] if backup_folder else [])
    finally:
        database.close()


def _counted(records: dict[str, int]) -> dict[str, int]:
    return {table: count for table, count in sorted(records.items()) if count}

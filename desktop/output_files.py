"""Files Regulars writes where a person said: the check every output path goes through, and the writer.

Every command and window action that writes a file (documents, exports, sync bundles, backups,
access exports, a restore's target) asks ``check_output`` first. It refuses, naming the field
(the command line shows it as its option, ``--out``):

- the shop file itself, its key file (and a key file being changed), SQLite's side files
  (-wal, -shm, -journal) and the erasure register, compared by resolved path and by inode, so
  a link or another spelling of the same file is refused too;
- any other shop file, backup or key file (``NAME.regulars``, a file with a key file beside it,
  a key file or register beside a file);
- what is not an ordinary file (a folder, a device such as /dev/full, a pipe), a system folder
  that is no disk (/proc), a missing folder, an empty name, ``.``, a name too long for the disk;
- an existing ordinary file unless ``replace`` (the command line's --force, a save dialog's own
  confirmation).

``private_output`` writes whole or not at all: a hidden temporary file (0600, readable by
this user only) beside the target, fsynced and renamed over it; on any failure the temporary
file is removed and the target left as it was. ``write_output`` is the check and the writer
together; there a full disk becomes ``DiskFull``, which names the folder, and no file is left.

``remove_leftovers`` clears the hidden files a killed backup, restore or key/register write
left (only names Regulars' own pattern makes, and only once they are an hour old).
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from desktop.errors import InvalidInput, Problem, RegularsError, translatable

SHOP_SUFFIX = ".regulars"
KEY_SUFFIXES = (".key", ".key.new")
SIDE_SUFFIXES = ("-wal", "-shm", "-journal")
REGISTER_SUFFIX = ".erased"
NAME_ROOM = 180  # bytes of the target's name kept in the temporary file's name (NAME_MAX is usually 255)
TEMPORARY_SUFFIX = ".part"
LEFTOVER_AGE_SECONDS = 3600  # a hidden file untouched this long belongs to no write still running
# Hidden files Regulars makes beside a file it writes: ".<name>.<8 random>.<kind>" (tempfile.mkstemp),
# and SQLite's side files of a backup copy.
_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.[a-z0-9_]{8}\.(partial|restoring|tmp|part)(-journal|-wal|-shm)?$")
_OURS = (SHOP_SUFFIX, *(SHOP_SUFFIX + suffix for suffix in (*KEY_SUFFIXES, REGISTER_SUFFIX)), *KEY_SUFFIXES,
         REGISTER_SUFFIX)
_DISK_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_SQLITE_FULL = "database or disk is full"
_SQLITE_IO_ERROR = "disk I/O error"
LOW_SPACE_BYTES = 1 << 20  # under a megabyte left, an I/O error from SQLite is the full disk


class OutputRefused(InvalidInput):
    """The path given for a file to write is refused; nothing was written."""

    def __init__(self, field: str, template: str, **params) -> None:
        super().__init__({field: Problem(template, params)})


class DiskFull(RegularsError):
    """The disk filled up while writing; whatever was half written is gone."""

    def __init__(self, folder: Path | str) -> None:
        super().__init__(
            translatable(
                "The disk is full (the disk holding {folder}): nothing was written. Free some space or choose "
                "another disk, then try again."
            ),
            folder=str(folder),
        )


def is_disk_full(error: BaseException | None, folder: Path | None = None) -> bool:
    """Whether error, or what caused it, is a full disk (ENOSPC, a quota, SQLite's SQLITE_FULL).

    With folder: also SQLite's "disk I/O error" when that folder's disk has (almost) no room
    left, which is how SQLite reports that it cannot grow its -shm file there.
    """
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OSError) and error.errno in _DISK_FULL_ERRNOS:
            return True
        if _SQLITE_FULL in str(error):
            return True
        if folder is not None and _SQLITE_IO_ERROR in str(error) and disk_is_full(folder):
            return True
        error = error.__cause__ or error.__context__
    return False


def disk_is_full(folder: Path) -> bool:
    """Whether the disk holding folder has less than LOW_SPACE_BYTES left for Regulars."""
    try:
        status = os.statvfs(folder)
    except (AttributeError, OSError):
        return False
    return status.f_bavail * status.f_frsize < LOW_SPACE_BYTES


# The check


def shop_companions(shop: Path) -> list[Path]:
    """The shop file and every file that belongs to it."""
    return [
        shop,
        *(Path(f"{shop}{suffix}") for suffix in (*KEY_SUFFIXES, *SIDE_SUFFIXES, REGISTER_SUFFIX)),
    ]


def check_output(
    path: Path | str,
    *,
    shop: Path | str | None = None,
    replace: bool | None = False,
    field: str = "out",
    shop_file_ok: bool = False,
) -> Path:
    """The path, once it is a place where a new file may be written; OutputRefused otherwise.

    ``shop`` is the open shop's file, whose own files are refused even when they do not exist
    yet. ``replace`` None: the caller never replaces a file (a backup), so the refusal offers no --force.
    ``shop_file_ok``: the path may be an existing shop file (a restore's target, which the
    restore keeps aside), but still none of the files beside one.
    """
    path = Path(path)

    def refuse(template: str, **params) -> OutputRefused:
        return OutputRefused(field, template, path=str(path), **params)

    if path.name in ("", ".", ".."):
        raise refuse(translatable("Name a file to write, not a folder ({path})."))
    folder = path.parent
    if not folder.is_dir():
        raise refuse(translatable("There is no folder {folder}: create it first."), folder=str(folder))
    longest = _longest_name(folder)
    if len(os.fsencode(path.name)) > longest:
        raise refuse(translatable("The file name is too long for this disk (at most {max} bytes)."), max=longest)
    if _is_pseudo_file_system(folder):
        raise refuse(translatable("{folder} is a system folder, not a place on a disk: choose another folder."),
                     folder=str(folder))
    try:
        status = os.stat(path)
    except FileNotFoundError:
        status = None
    except OSError as error:
        raise refuse(translatable("{path} cannot be written: {reason}."), reason=error.strerror or "") from None
    if status is not None and stat.S_ISDIR(status.st_mode):
        raise refuse(translatable("{path} is a folder: name a file inside it."))
    if status is not None and not stat.S_ISREG(status.st_mode):
        raise refuse(translatable("{path} is not an ordinary file (a device or a pipe): choose a file."))
    if shop is not None and _same_file_as_any(path, status, shop_companions(Path(shop))):
        raise refuse(translatable(
            "{path} is one of the shop's own files (the shop file, its key file or erasure register): "
            "choose another file."))
    if status is not None and replace is None:
        raise refuse(translatable("{path} already exists: choose a new name (nothing is ever written over)."))
    if status is not None and not replace and not shop_file_ok:
        raise refuse(translatable(
            "{path} already exists; nothing was written. Choose another name, or replace it on purpose "
            "(add --force on the command line)."))
    if _belongs_to_a_shop(path, status, shop_file_ok=shop_file_ok):
        raise refuse(translatable(
            "{path} is a Regulars shop file, backup, key file or erasure register: choose another file."))
    return path


def check_output_folder(folder: Path | str, *, field: str = "out") -> list[Path]:
    """A folder to write into: it exists, or the caller makes it; the folders that are missing, outermost first.

    OutputRefused when it (or a folder above it) is a file, or a name is too long for the disk.
    """
    folder = Path(folder)
    missing: list[Path] = []
    current = folder
    while not current.is_dir():
        if current.exists() or current == current.parent:
            raise OutputRefused(field, translatable("{path} is a file, not a folder: name a folder."),
                                path=str(current))
        if len(os.fsencode(current.name)) > _longest_name(current.parent if current.parent.is_dir() else Path(".")):
            raise OutputRefused(field, translatable("The folder name is too long for this disk."), path=str(current))
        missing.insert(0, current)
        current = current.parent
    return missing


def _is_pseudo_file_system(folder: Path) -> bool:
    """/proc, /sys and the like: file systems with no blocks at all, whose "files" are the kernel's."""
    try:
        return os.statvfs(folder).f_blocks == 0
    except (AttributeError, OSError):
        return False


def _longest_name(folder: Path) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (AttributeError, OSError, ValueError):
        return 255


def _identity(path: Path, status: os.stat_result | None) -> tuple[Path, tuple[int, int] | None]:
    return path.resolve(), (status.st_dev, status.st_ino) if status is not None else None


def _same_file_as_any(path: Path, status: os.stat_result | None, protected: Iterable[Path]) -> bool:
    resolved, inode = _identity(path, status)
    for other in protected:
        try:
            other_status = os.stat(other)
        except OSError:
            other_status = None
        other_resolved, other_inode = _identity(other, other_status)
        if resolved == other_resolved or (inode is not None and inode == other_inode):
            return True
    return False


def _belongs_to_a_shop(path: Path, status: os.stat_result | None, *, shop_file_ok: bool) -> bool:
    """Any shop file, backup or the files beside one, wherever they are (another shop's, a backup folder's)."""
    name = path.name
    for suffix in (*KEY_SUFFIXES, *SIDE_SUFFIXES, REGISTER_SUFFIX):
        if name.endswith(suffix) and len(name) > len(suffix):
            owner = path.with_name(name[: -len(suffix)])
            if owner.exists() or name.endswith(REGISTER_SUFFIX) and status is not None:
                return True
    if status is None or shop_file_ok:
        return False
    return name.endswith(SHOP_SUFFIX) or any(Path(f"{path}{suffix}").exists() for suffix in KEY_SUFFIXES)


# Writing


@contextmanager
def private_output(path: Path | str) -> Iterator[IO[bytes]]:
    """A file handle whose bytes become ``path`` (0600) when the block ends without error.

    On any error (OSError as it comes, a full disk included) the hidden temporary file is
    removed and ``path`` is untouched.
    """
    path = Path(path)
    folder = path.parent
    handle, temporary = tempfile.mkstemp(
        prefix=f".{os.fsdecode(os.fsencode(path.name)[:NAME_ROOM])}.", suffix=TEMPORARY_SUFFIX, dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            os.chmod(temporary, 0o600)  # mkstemp's own mode, said out loud
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        _remove_quietly(Path(temporary))
        raise
    sync_folder(folder)


def write_private_file(path: Path | str, data: bytes) -> None:
    """Writes data atomically and readable by this user only; OSError (a full disk included) as it comes."""
    with private_output(path) as out:
        out.write(data)


def write_output(
    path: Path | str,
    content: bytes | Callable[[IO[bytes]], object],
    *,
    shop: Path | str | None = None,
    replace: bool = False,
    field: str = "out",
) -> object:
    """check_output, then writes content (bytes, or a function given the file) privately, whole or not at all.

    Returns what the function returned (for bytes, their length). DiskFull when the disk
    fills; OutputRefused naming the field when the file cannot be written for another reason.
    """
    path = check_output(path, shop=shop, replace=replace, field=field)
    try:
        with private_output(path) as out:
            if isinstance(content, bytes):
                out.write(content)
                return len(content)
            return content(out)
    except OSError as error:
        raise write_failed(error, path, field) from None


def write_failed(error: OSError, path: Path, field: str = "out") -> RegularsError:
    """What to tell about an OSError while writing path: DiskFull, or OutputRefused naming the field."""
    if is_disk_full(error):
        return DiskFull(path.parent.resolve())
    return OutputRefused(field, translatable("Cannot write {path}: {reason}."), path=str(path),
                         reason=error.strerror or type(error).__name__)


def sync_folder(folder: Path) -> None:
    """fsync a folder so a rename in it survives a power cut (POSIX; Windows has no such call)."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass


# Leftovers


def remove_leftovers(folders: Iterable[Path | str], *, shop_name: str = "", now: float | None = None) -> list[Path]:
    """Removes the hidden temporary files a killed write left in these folders; returns them.

    Only names Regulars makes: ``.<name>.<8 random characters>.<partial|restoring|tmp|part>``
    (and SQLite's side files of a backup copy), where name is a shop file, backup, key file or
    register (ends in .regulars, .key, .erased, or starts with shop_name). Only ordinary files,
    and only when nothing wrote to them for an hour, so a backup running right now in another
    window keeps its files.
    """
    now = time.time() if now is None else now
    removed = []
    for folder in {Path(folder) for folder in folders if folder}:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue  # a backup drive not plugged in
        for entry in entries:
            match = _LEFTOVER.match(entry.name)
            if not match or not _is_ours(match.group("name"), shop_name):
                continue
            try:
                status = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISREG(status.st_mode) and now - status.st_mtime >= LEFTOVER_AGE_SECONDS:
                path = Path(entry.path)
                _remove_quietly(path)
                removed.append(path)
    return removed


def _is_ours(name: str, shop_name: str) -> bool:
    return name.endswith(_OURS) or bool(shop_name) and name.startswith(shop_name)

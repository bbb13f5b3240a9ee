"""The sync bundle file: a zip of one CSV per synced table plus manifest.json.

Encrypted by default with AES-256 (the WinZip AE-2 format that 7-Zip, WinZip and most
archive tools open) under the shop's sync passphrase; every file in it also carries an
HMAC, so a changed byte is caught. A plain (unencrypted) zip is written only on request.

The manifest says what the bundle is (format version, shop, till, export time, the
watermark it covers, full or incremental) and, per file, its table, row count and
SHA-256. Reading checks all of it, and reads every CSV strictly, before anything is
returned: a truncated, altered or wrong-passphrase bundle is refused whole.

A bundle is written to a temporary file beside the destination and renamed into place
when complete, so a cancelled or failed export leaves no half bundle behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import re
import secrets
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pyzipper

from desktop.errors import InvalidInput, Problem, RegularsError, translatable
from desktop.services.csv_format import CsvRejected, header_line, read_csv
from desktop.sync.tables import BY_NAME, TABLES

FORMAT = "regulars-sync"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MAX_MANIFEST_BYTES = 1_000_000
MAX_FILE_BYTES = 4_000_000_000  # one CSV; more is not a bundle Regulars wrote
COMPRESS_LEVEL = 1  # CSV shrinks about fourfold even so, at several times the speed of the default
AES_256 = 3  # WinZip AE strength code for 256-bit keys
MIN_SYNC_PASSPHRASE = 12  # zip AES derives its key with 1,000 rounds of PBKDF2: length is the defence
_SHA256 = re.compile(r"[0-9a-f]{64}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}")


class BundleRefused(RegularsError):
    """The bundle cannot be used as it is; nothing was imported."""


class WrongSyncPassphrase(BundleRefused):
    pass


class SyncPassphraseNeeded(BundleRefused):
    """The bundle is encrypted and no sync passphrase was given."""


class SyncCancelled(RegularsError):
    """Stopped on request; nothing was written."""


@dataclass(frozen=True)
class FileEntry:
    name: str
    table: str
    rows: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    shop_uuid: str
    till_uuid: str
    exported_at: str  # stored-time form, UTC: "2026-03-01 09:30:00.000000"
    watermark_from: str | None  # records changed from this time on (None: everything)
    watermark_to: str  # the export's own time
    full: bool
    files: tuple[FileEntry, ...]
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_json(self) -> bytes:
        data = asdict(self)
        data["files"] = [asdict(entry) for entry in self.files]
        return json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8")

    @property
    def rows(self) -> int:
        return sum(entry.rows for entry in self.files)


@dataclass
class Bundle:
    """A bundle read and verified: its manifest and the rows of every table (cells as exported)."""

    manifest: Manifest
    sha256: str  # of the bundle file itself
    encrypted: bool
    tables: dict[str, list[list[str]]]


def check_sync_passphrase(passphrase: str) -> None:
    """InvalidInput on "sync_passphrase" when it is too short to protect a bundle."""
    if len(passphrase or "") < MIN_SYNC_PASSPHRASE:
        raise InvalidInput(
            {
                "sync_passphrase": Problem(
                    translatable("Use at least {min} characters for the sync passphrase."),
                    {"min": MIN_SYNC_PASSPHRASE},
                )
            }
        )


# --- writing ----------------------------------------------------------------------------------


_STOP = object()  # handed to the zip worker when the bundle is finished or abandoned


@dataclass(frozen=True)
class _Open:
    info: Any  # the member's ZipInfo


@dataclass(frozen=True)
class _Close:
    name: str
    table: str
    rows: int


class _ZipWorker:
    """A thread that owns the zip while the tables are written: it opens each member, hashes,
    compresses, encrypts and writes the bytes handed to it in order, and closes the member.

    hashlib, zlib and AES let go of the interpreter while they work, so all of it overlaps
    the reading and formatting of the next rows on the other core, from one table to the
    next too: the reading never waits for a member to be closed.
    """

    def __init__(self, archive: pyzipper.AESZipFile) -> None:
        self._zip = archive
        self._queue: queue.Queue[object] = queue.Queue(maxsize=8)  # up to about a megabyte a chunk
        self._error: BaseException | None = None
        self._abandoned = False
        self.files: list[FileEntry] = []
        self._thread = threading.Thread(target=self._run, name="regulars-bundle-writer", daemon=True)
        self._thread.start()

    def put(self, item: object) -> None:
        """_Open(info), then bytes for that member, then _Close(...)."""
        if self._error is not None:
            raise self._error
        self._queue.put(item)

    def _run(self) -> None:
        member = digest = None
        try:
            while (item := self._queue.get()) is not _STOP:
                try:
                    if self._error is not None or self._abandoned:
                        continue  # only drained: nothing more is written
                    if isinstance(item, bytes):
                        digest.update(item)
                        member.write(item)
                    elif isinstance(item, _Open):
                        member, digest = self._zip.open(item.info, "w", force_zip64=True), hashlib.sha256()
                    else:
                        member.close()
                        member = None
                        self.files.append(FileEntry(name=item.name, table=item.table, rows=item.rows,
                                                    sha256=digest.hexdigest()))
                except BaseException as error:  # noqa: BLE001 - raised again on the caller's thread
                    self._error = error
                finally:
                    self._queue.task_done()
        finally:
            if member is not None:  # abandoned halfway: close it, so the zip can be closed and removed
                try:
                    member.close()
                except Exception:  # noqa: BLE001 - the half file is removed whatever state it is in
                    pass

    def written(self) -> list[FileEntry]:
        """The entries of the members handed over so far, once all of them are written."""
        self._queue.join()
        if self._error is not None:
            raise self._error
        return list(self.files)

    def finish(self) -> None:
        """Waits until everything handed over is written; raises what the writing raised."""
        self._queue.put(_STOP)
        self._thread.join()
        if self._error is not None:
            raise self._error

    def abandon(self) -> None:
        """Stops without writing what is still queued, and waits for the thread to end."""
        self._abandoned = True
        self._queue.put(_STOP)
        self._thread.join()


class BundleWriter:
    """Writes a bundle to a temporary file; finish() renames it into place, anything else removes it."""

    def __init__(self, out: Path | str, passphrase: str | None, *, compress: bool = True) -> None:
        self.out = Path(out)
        self._passphrase = passphrase
        self._compression = pyzipper.ZIP_DEFLATED if compress else pyzipper.ZIP_STORED
        self._temp = self.out.with_name(f".{self.out.name}.{secrets.token_hex(4)}.part")
        self._zip: pyzipper.AESZipFile | None = None
        self._worker: _ZipWorker | None = None
        self._files: list[FileEntry] = []

    def __enter__(self) -> BundleWriter:
        if self.out.is_dir():
            raise BundleRefused(translatable("{path} is a folder: name the bundle file to write."), path=str(self.out))
        if not self.out.parent.is_dir():
            raise BundleRefused(translatable("There is no folder {path}."), path=str(self.out.parent))
        encryption = pyzipper.WZ_AES if self._passphrase is not None else None
        self._zip = pyzipper.AESZipFile(
            self._temp, "w", compression=self._compression, compresslevel=COMPRESS_LEVEL, encryption=encryption
        )
        if self._passphrase is not None:
            self._zip.setpassword(self._passphrase.encode("utf-8"))
            self._zip.setencryption(pyzipper.WZ_AES, nbits=256)
        self._worker = _ZipWorker(self._zip)
        return self

    def _entry(self, name: str):
        info = self._zip.zipinfo_cls(name, date_time=time.localtime()[:6])
        info.compress_type = self._compression
        info.external_attr = _ENTRY_MODE
        info._compresslevel = COMPRESS_LEVEL  # zipfile applies its own level only to entries it names itself
        return info

    def add_csv(self, table: str, header: Sequence[str], blocks: Iterable[tuple[str, int]]) -> None:
        """One table's CSV: its header, then blocks of finished lines and their row counts (export._blocks).

        Handed to the zip worker, which hashes, compresses, encrypts and writes behind; the
        file's entry (rows, SHA-256) is in files once it is written.
        """
        name = BY_NAME[table].file
        self._worker.put(_Open(self._entry(name)))
        self._worker.put(header_line(header).encode("utf-8"))
        rows = 0
        for text, count in blocks:
            self._worker.put(text.encode("utf-8"))
            rows += count
        self._worker.put(_Close(name=name, table=table, rows=rows))

    @property
    def files(self) -> list[FileEntry]:
        """The CSV files added so far, each with its rows and SHA-256 (waits until they are written)."""
        if self._worker is not None:
            self._files = self._worker.written()
        return self._files

    def finish(self, manifest: Manifest) -> Path:
        self._files = self._worker.written()
        worker, self._worker = self._worker, None
        worker.finish()
        self._zip.writestr(self._entry(MANIFEST), manifest.to_json())
        self._zip.close()
        self._zip = None
        with open(self._temp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(self._temp, self.out)
        return self.out

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._worker is not None:
            self._worker.abandon()
            self._worker = None
        if self._zip is not None:
            try:
                self._zip.close()
            except Exception:  # noqa: BLE001 - the half file is removed whatever state it is in
                pass
            self._zip = None
        self._temp.unlink(missing_ok=True)


# --- reading ----------------------------------------------------------------------------------


def _refuse_damaged(path: Path) -> BundleRefused:
    return BundleRefused(
        translatable(
            "{path} is damaged or incomplete (for example cut short while copying); nothing was imported. "
            "Export a new bundle."
        ),
        path=str(path),
    )


def _open_zip(path: Path) -> pyzipper.AESZipFile:
    try:
        return pyzipper.AESZipFile(path)
    except FileNotFoundError:
        raise BundleRefused(translatable("There is no file {path}."), path=str(path)) from None
    except IsADirectoryError:
        raise BundleRefused(translatable("{path} is a folder, not a sync bundle."), path=str(path)) from None
    except (pyzipper.BadZipFile, EOFError, ValueError, OSError):
        raise BundleRefused(
            translatable("{path} is not a sync bundle, or it is damaged or cut short; nothing was imported."),
            path=str(path),
        ) from None


def is_encrypted(path: Path | str) -> bool:
    """Whether the bundle needs the sync passphrase (BundleRefused if it is not a zip at all)."""
    with _open_zip(Path(path)) as archive:
        return any(info.flag_bits & 0x1 for info in archive.infolist())


_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_END_RECORD = struct.Struct("<4s4H2LH")
_AES_METHOD = 99
_ENTRY_MODE = 0o600 << 16  # what the writer sets on every entry (rw-------)


def _check_layout(path: Path, archive: pyzipper.AESZipFile) -> None:
    """Every byte of the archive belongs to an entry or the directory, and says what the directory says.

    The data inside entries is guarded by their HMAC (and the manifest's SHA-256); this
    guards the rest, so a bundle with any byte changed is refused, not only one whose
    content changed: each local header must match its directory entry field for field, the
    entries must follow one another with nothing between or after them, and the fields
    only the directory holds must have the values Regulars writes.
    """
    infos = sorted(archive.infolist(), key=lambda info: info.header_offset)
    size = path.stat().st_size
    with open(path, "rb") as handle:
        offset = 0
        for info in infos:
            if info.header_offset != offset or not _central_fields_ok(info):
                raise _refuse_damaged(path)
            handle.seek(offset)
            fixed = handle.read(_LOCAL_HEADER.size)
            if len(fixed) != _LOCAL_HEADER.size:
                raise _refuse_damaged(path)
            (signature, version, reserved, flags, method, dostime, dosdate, crc, compressed, uncompressed,
             name_length, extra_length) = _LOCAL_HEADER.unpack(fixed)
            name = handle.read(name_length)
            extra = handle.read(extra_length)
            aes = bool(flags & 0x1) and info.wz_aes_version is not None
            expected = (
                b"PK\x03\x04", info.extract_version, info.reserved, info.flag_bits,
                _AES_METHOD if aes else info.compress_type, *_dos_time(info.date_time), info.CRC,
            )
            if (signature, version, reserved, flags, method, dostime, dosdate, crc) != expected:
                raise _refuse_damaged(path)
            if name.decode("utf-8" if flags & 0x800 else "cp437", "replace") != info.orig_filename:
                raise _refuse_damaged(path)
            if not _local_extra_ok(extra, info, compressed, uncompressed, aes):
                raise _refuse_damaged(path)
            offset += _LOCAL_HEADER.size + name_length + extra_length + info.compress_size
        if offset != archive.start_dir or size < _END_RECORD.size:
            raise _refuse_damaged(path)
        handle.seek(size - _END_RECORD.size)
        (signature, disk, cd_disk, entries_here, entries, cd_size, cd_offset, comment_length
         ) = _END_RECORD.unpack(handle.read(_END_RECORD.size))
        zip64_end = 56 + 20  # the zip64 end record and its locator, when the directory needs them
        if (
            signature != b"PK\x05\x06" or disk or cd_disk or comment_length
            or entries_here != entries or entries not in (len(infos), 0xFFFF)
            or cd_offset not in (archive.start_dir, 0xFFFFFFFF)
            or archive.start_dir + cd_size not in (size - _END_RECORD.size, size - _END_RECORD.size - zip64_end)
        ):
            raise _refuse_damaged(path)
        handle.seek(archive.start_dir)
        if not _directory_ok(handle.read(cd_size), archive.infolist()):
            raise _refuse_damaged(path)


_DIRECTORY_ENTRY = struct.Struct("<4s4B4HL2L5H2L")


def _directory_ok(directory: bytes, infos) -> bool:
    """The directory holds exactly these entries, back to back, each with the method its data uses."""
    position = 0
    for info in infos:
        if position + _DIRECTORY_ENTRY.size > len(directory):
            return False
        fields = _DIRECTORY_ENTRY.unpack_from(directory, position)
        signature, method = fields[0], fields[6]
        name_length, extra_length, comment_length = fields[12:15]
        aes = bool(info.flag_bits & 0x1) and info.wz_aes_version is not None
        if signature != b"PK\x01\x02" or method != (_AES_METHOD if aes else info.compress_type):
            return False
        if extra_length != len(info.extra) or comment_length != len(info.comment):
            return False
        position += _DIRECTORY_ENTRY.size + name_length + extra_length + comment_length
    return position == len(directory)


def _central_fields_ok(info) -> bool:
    return (
        info.create_system in (0, 3)  # written on Windows, or anywhere else
        and info.create_version == info.extract_version
        and info.volume == 0
        and info.internal_attr == 0
        and info.external_attr == _ENTRY_MODE
        and info.comment == b""
        and not info.flag_bits & 0x8  # no data descriptors: sizes are in the headers
    )


def _dos_time(date_time: tuple[int, ...]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    return hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day


def _local_extra_ok(extra: bytes, info, compressed: int, uncompressed: int, aes: bool) -> bool:
    """The local extra fields: ZIP64 sizes and the AES record, matching the directory; nothing else."""
    seen_aes = False
    sizes = (uncompressed, compressed)
    position = 0
    while position < len(extra):
        if position + 4 > len(extra):
            return False
        kind, length = struct.unpack_from("<2H", extra, position)
        body = extra[position + 4 : position + 4 + length]
        if len(body) != length:
            return False
        if kind == 0x0001 and length == 16:
            sizes = struct.unpack("<2Q", body)
        elif kind == 0x9901 and length == 7 and aes:
            version, vendor, strength, method = struct.unpack("<H2sBH", body)
            if (version, vendor, strength, method) != (
                info.wz_aes_version, info.wz_aes_vendor_id, info.wz_aes_strength, info.compress_type
            ):
                return False
            seen_aes = True
        else:
            return False
        position += 4 + length
    in_header_ok = all(value in (0xFFFFFFFF, wanted) for value, wanted in
                       ((uncompressed, info.file_size), (compressed, info.compress_size)))
    return in_header_ok and sizes == (info.file_size, info.compress_size) and seen_aes == aes


def _read_member(archive: pyzipper.AESZipFile, path: Path, name: str, limit: int) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise BundleRefused(translatable("{path}: {name} is too large for a sync bundle."), path=str(path), name=name)
    try:
        with archive.open(info) as member:
            data = member.read(limit + 1)
    except RuntimeError as error:
        if "password" in str(error).lower():
            raise WrongSyncPassphrase(
                translatable("Wrong sync passphrase for {path}; nothing was imported."), path=str(path)
            ) from None
        raise _refuse_damaged(path) from None
    except (pyzipper.BadZipFile, zlib.error, EOFError, ValueError, OSError):
        raise _refuse_damaged(path) from None
    if len(data) > limit:
        raise BundleRefused(translatable("{path}: {name} is too large for a sync bundle."), path=str(path), name=name)
    return data


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def read_bundle(
    path: Path | str,
    passphrase: str | None,
    *,
    on_rows: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    on_manifest: Callable[[Manifest], None] | None = None,
) -> Bundle:
    """The verified bundle, or BundleRefused (WrongSyncPassphrase, SyncPassphraseNeeded) saying why not.

    on_manifest(manifest) is called once the manifest is read, and on_rows(n) as each
    file's n rows have been read and checked.
    """
    path = Path(path)
    with _open_zip(path) as archive:
        infos = archive.infolist()
        encrypted = [bool(info.flag_bits & 0x1) for info in infos]
        if any(encrypted):
            if not all(encrypted) or any(getattr(info, "wz_aes_strength", None) != AES_256 for info in infos):
                raise BundleRefused(
                    translatable("{path} is not encrypted the way Regulars encrypts bundles; nothing was imported."),
                    path=str(path),
                )
            if not passphrase:
                raise SyncPassphraseNeeded(
                    translatable("{path} is encrypted: give the shop's sync passphrase."), path=str(path)
                )
            archive.setpassword(passphrase.encode("utf-8"))
        _check_layout(path, archive)
        names = [info.filename for info in infos]
        if MANIFEST not in names:
            raise BundleRefused(translatable("{path} is not a Regulars sync bundle (it has no manifest)."), path=str(path))
        manifest = parse_manifest(_read_member(archive, path, MANIFEST, MAX_MANIFEST_BYTES), path)
        if on_manifest is not None:
            on_manifest(manifest)
        expected = sorted([MANIFEST, *(entry.name for entry in manifest.files)])
        if sorted(names) != expected:
            raise BundleRefused(
                translatable("{path} does not hold the files its manifest lists; nothing was imported."),
                path=str(path),
            )
        tables: dict[str, list[list[str]]] = {}
        for entry in manifest.files:
            if cancelled is not None and cancelled():
                raise SyncCancelled(translatable("Import cancelled; nothing was written."))
            data = _read_member(archive, path, entry.name, MAX_FILE_BYTES)
            if hashlib.sha256(data).hexdigest() != entry.sha256:
                raise BundleRefused(
                    translatable("{path}: {name} is not the file that was exported (its checksum differs); "
                                 "nothing was imported."),
                    path=str(path),
                    name=entry.name,
                )
            try:
                header, rows = read_csv(data, name=entry.name)
                if not BY_NAME[entry.table].accepts_header(header):  # this version's, or one from before stamps
                    raise CsvRejected(
                        translatable("{name}, line {line}: the columns are not the expected ones ({expected})."),
                        line=1, name=entry.name, expected=", ".join(BY_NAME[entry.table].header),
                    )
            except CsvRejected as error:
                raise BundleRefused(
                    translatable("{path}: {problem} Nothing was imported."), path=str(path), problem=str(error)
                ) from None
            del data
            if len(rows) != entry.rows:
                raise BundleRefused(
                    translatable("{path}: {name} holds {found} rows where the manifest says {rows}; "
                                 "nothing was imported."),
                    path=str(path),
                    name=entry.name,
                    found=len(rows),
                    rows=entry.rows,
                )
            tables[entry.table] = rows
            if on_rows is not None:
                on_rows(len(rows))
    return Bundle(manifest=manifest, sha256=_file_sha256(path), encrypted=any(encrypted), tables=tables)


def parse_manifest(data: bytes, path: Path) -> Manifest:
    """The manifest, checked field by field; BundleRefused if anything is missing, unknown or newer."""

    def refuse() -> BundleRefused:
        return BundleRefused(
            translatable("{path} has a damaged manifest; nothing was imported."), path=str(path)
        )

    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise refuse() from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise BundleRefused(translatable("{path} is not a Regulars sync bundle."), path=str(path))
    version = raw.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise refuse()
    if version > FORMAT_VERSION:
        raise BundleRefused(
            translatable("{path} was exported by a newer version of Regulars. Update Regulars to import it."),
            path=str(path),
        )
    fields = {"format", "format_version", "shop_uuid", "till_uuid", "exported_at", "watermark_from",
              "watermark_to", "full", "files"}
    if set(raw) != fields or not isinstance(raw["files"], list) or not isinstance(raw["full"], bool):
        raise refuse()
    if not all(isinstance(raw[k], str) and _UUID.fullmatch(raw[k]) for k in ("shop_uuid", "till_uuid")):
        raise refuse()
    if not all(isinstance(raw[k], str) and _MOMENT.fullmatch(raw[k]) for k in ("exported_at", "watermark_to")):
        raise refuse()
    if raw["watermark_from"] is not None and not (
        isinstance(raw["watermark_from"], str) and _MOMENT.fullmatch(raw["watermark_from"])
    ):
        raise refuse()
    files = []
    for item in raw["files"]:
        if not isinstance(item, dict) or set(item) != {"name", "table", "rows", "sha256"}:
            raise refuse()
        table = item["table"]
        if table not in BY_NAME or item["name"] != BY_NAME[table].file:
            raise refuse()
        rows = item["rows"]
        if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
            raise refuse()
        if not isinstance(item["sha256"], str) or not _SHA256.fullmatch(item["sha256"]):
            raise refuse()
        files.append(FileEntry(name=item["name"], table=table, rows=rows, sha256=item["sha256"]))
    if sorted(entry.table for entry in files) != sorted(spec.name for spec in TABLES):
        raise refuse()  # every table, once: a bundle of this format always has them all
    return Manifest(
        shop_uuid=raw["shop_uuid"],
        till_uuid=raw["till_uuid"],
        exported_at=raw["exported_at"],
        watermark_from=raw["watermark_from"],
        watermark_to=raw["watermark_to"],
        full=raw["full"],
        files=tuple(files),
        format_version=version,
    )


def manifest_dict(manifest: Manifest) -> dict[str, Any]:
    return json.loads(manifest.to_json())

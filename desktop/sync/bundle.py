"""The sync bundle file: a zip of one CSV per synced table, manifest.json, and its seal.

Encrypted by default with AES-256 (the WinZip AE-2 format that 7-Zip, WinZip and most
archive tools open) under the shop's sync passphrase. A plain (unencrypted) zip is
written only on request; it needs the sync passphrase all the same, for its seal.

The manifest says what the bundle is (format version, shop, till, export time, the
watermark it covers, full or incremental) and, per file, its table, row count and
SHA-256. The seal (``manifest.mac``, a small JSON entry stored unencrypted) holds an
HMAC-SHA256 of the manifest under a key derived from the sync passphrase (scrypt, with a
salt of its own), so the manifest, and through its checksums every file, is authentic:
only a till that knows the sync passphrase can make a bundle that imports, plain or
encrypted. A bundle changed by hand (a row edited, an "erased" tombstone added) is
refused, whatever its times say. The seal also holds a verifier derived from the same
key, so a wrong sync passphrase is told apart from a damaged file: the verifier is
checked first (a mistyped passphrase says so), and once the passphrase is known to be
right, any fault in the zip (a CRC, the AES HMAC of an entry, a checksum) means the
file was damaged on the way (copy it again).

Reading is a stream, and checks before it uses: the zip's layout, the seal, the
manifest, then every file hashed as it is inflated (never held whole), each refused at
once when its declared or real size passes what its row count allows (a few kilobytes a
row, at most MAX_FILE_BYTES). Only then are rows handed out, a batch at a time, read
again from the zip as a stream and parsed strictly; each file's checksum and row count
are checked again at its end (the importer writes in one transaction, so a refusal
there writes nothing either).

Format versions: 2 is sealed. Version 1 bundles (before the seal) still import if they
are encrypted, with a warning: their AES-256 (with its per-entry HMAC) could only be
made by someone who knew the sync passphrase, and their manifest's checksums bind the
files to it. Plain version 1 bundles are refused: anyone could have written or edited
them, and that is exactly how a forged row or tombstone got in; the other till exports
a new one.

A bundle is written to a temporary file beside the destination and renamed into place
when complete, so a cancelled or failed export leaves no half bundle behind.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import queue
import re
import secrets
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pyzipper

from desktop.errors import InvalidInput, Problem, RegularsError, translatable
from desktop.output_files import NAME_ROOM, write_failed
from desktop.services.csv_format import CsvRejected, header_line, read_csv_lines
from desktop.sync.tables import BY_NAME, TABLES

FORMAT = "regulars-sync"
FORMAT_VERSION = 2  # 2: sealed (manifest.mac); 1: unsealed, imported only when encrypted
UNSEALED_VERSION = 1
MANIFEST = "manifest.json"
SEAL = "manifest.mac"
MAX_MANIFEST_BYTES = 1_000_000
MAX_SEAL_BYTES = 4_096
MAX_FILE_BYTES = 4_000_000_000  # one CSV; more is not a bundle Regulars wrote
MAX_LINE_BYTES = 4 << 20  # one line of a CSV (a quoted cell's line breaks start new lines)
READ_BYTES = 1 << 20  # read from a zip entry at a time
HEADER_BYTES = 4_096  # a CSV's header line, at most
ROWS_PER_BATCH = 5_000  # rows handed to the importer at a time
# The seal's key: scrypt (16 MiB, about 50 ms), its parameters stored in the seal; a reader
# accepts them only within these bounds, so a bundle cannot ask for gigabytes.
KDF_N, KDF_R, KDF_P = 1 << 14, 8, 1
KDF_LIMITS = {"n": (1 << 10, 1 << 16), "r": (1, 16), "p": (1, 4)}
SALT_BYTES = 16
COMPRESS_LEVEL = 1  # CSV shrinks about fourfold even so, at several times the speed of the default
AES_256 = 3  # WinZip AE strength code for 256-bit keys
MIN_SYNC_PASSPHRASE = 12  # zip AES derives its key with 1,000 rounds of PBKDF2: length is the defence
_SHA256 = re.compile(r"[0-9a-f]{64}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}")


class BundleRefused(RegularsError):
    """The bundle cannot be used as it is; nothing was imported."""


class _RefusedFile(BundleRefused):
    """A refusal that names only the bundle's path."""

    template = ""

    def __init__(self, path: Path | str) -> None:
        super().__init__(self.template, path=str(path))


class WrongSyncPassphrase(_RefusedFile):
    template = translatable("Wrong sync passphrase for {path} (or the bundle was not made with this shop's sync "
                            "passphrase); nothing was imported.")


class SyncPassphraseNeeded(_RefusedFile):
    """The bundle is encrypted or sealed, and no sync passphrase was given."""

    template = translatable("{path} is sealed with the shop's sync passphrase: give the sync passphrase "
                            "(it is needed for plain bundles too).")


class DamagedBundle(_RefusedFile):
    """The file was damaged on the way (cut short, a byte changed): a copy of it may be whole."""

    template = translatable("{path} is damaged (for example cut short or changed while copying); nothing was "
                            "imported. Copy it again from the other till, or export a new bundle there.")


class ForgedBundle(_RefusedFile):
    """The file is whole but not what a till of this shop exported with this sync passphrase."""

    template = translatable("{path} was changed after it was exported, or was not exported by a till of this "
                            "shop: its seal does not match its contents. Nothing was imported.")


class UnsealedBundle(ForgedBundle):
    """A plain bundle without a seal: from before the seal, or made by hand."""

    template = translatable(
        "{path} is an unencrypted bundle without a seal (from an older Regulars, or made by hand): nothing "
        "shows it comes from a till of this shop, so nothing was imported. Export a new bundle on the other "
        "till with this version of Regulars.")


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


# --- the seal ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Keys:
    mac: bytes  # the HMAC-SHA256 key of the manifest
    verifier: bytes  # stored in the seal: tells a wrong passphrase from a damaged file


def _derive_keys(passphrase: str, salt: bytes, n: int, r: int, p: int) -> _Keys:
    master = hashlib.scrypt(passphrase.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32,
                            maxmem=256 * n * r * p + (1 << 20))
    return _Keys(mac=hmac.new(master, b"regulars-sync manifest mac", hashlib.sha256).digest(),
                 verifier=hmac.new(master, b"regulars-sync passphrase verifier", hashlib.sha256).digest())


def _manifest_mac(keys: _Keys, manifest: bytes) -> str:
    return hmac.new(keys.mac, b"regulars-sync manifest\n" + manifest, hashlib.sha256).hexdigest()


def seal_of(passphrase: str, manifest: bytes) -> bytes:
    """The seal entry for manifest: how its key is derived, the verifier, and the manifest's MAC."""
    salt = secrets.token_bytes(SALT_BYTES)
    keys = _derive_keys(passphrase, salt, KDF_N, KDF_R, KDF_P)
    return json.dumps({
        "kdf": "scrypt", "n": KDF_N, "r": KDF_R, "p": KDF_P, "salt": salt.hex(),
        "verifier": keys.verifier.hex(), "mac": _manifest_mac(keys, manifest),
    }, indent=2).encode("ascii")


@dataclass(frozen=True)
class _SealFields:
    salt: bytes
    n: int
    r: int
    p: int
    verifier: bytes
    mac: str


def _parse_seal(data: bytes) -> _SealFields | None:
    """The seal's fields, or None if it is not a seal Regulars writes (or its parameters are out of bounds)."""
    try:
        raw = json.loads(data.decode("ascii"))
        if not isinstance(raw, dict) or set(raw) != {"kdf", "n", "r", "p", "salt", "verifier", "mac"}:
            return None
        cost = {name: raw[name] for name in KDF_LIMITS}
        if raw["kdf"] != "scrypt" or not all(
            type(value) is int and low <= value <= high for value, (low, high) in
            ((cost[name], KDF_LIMITS[name]) for name in KDF_LIMITS)
        ) or cost["n"] & (cost["n"] - 1):
            return None
        salt, verifier, mac = bytes.fromhex(raw["salt"]), bytes.fromhex(raw["verifier"]), raw["mac"]
    except (UnicodeDecodeError, json.JSONDecodeError, TypeError, ValueError):
        return None
    if len(salt) != SALT_BYTES or len(verifier) != 32 or not isinstance(mac, str) or not _SHA256.fullmatch(mac):
        return None
    return _SealFields(salt=salt, verifier=verifier, mac=mac, **cost)


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
    """Writes a bundle to a temporary file; finish() renames it into place, anything else removes it.

    The passphrase seals the bundle, and encrypts it unless encrypt is False (a plain zip).
    """

    def __init__(self, out: Path | str, passphrase: str, *, encrypt: bool = True, compress: bool = True) -> None:
        self.out = Path(out)
        self._passphrase = passphrase
        self._encrypt = encrypt
        self._compression = pyzipper.ZIP_DEFLATED if compress else pyzipper.ZIP_STORED
        self._temp = self.out.with_name(f".{self.out.name[:NAME_ROOM]}.{secrets.token_hex(4)}.part")
        self._zip: pyzipper.AESZipFile | None = None
        self._worker: _ZipWorker | None = None
        self._files: list[FileEntry] = []

    def __enter__(self) -> BundleWriter:
        if self.out.is_dir():
            raise BundleRefused(translatable("{path} is a folder: name the bundle file to write."), path=str(self.out))
        if not self.out.parent.is_dir():
            raise BundleRefused(translatable("There is no folder {path}."), path=str(self.out.parent))
        encryption = pyzipper.WZ_AES if self._encrypt else None
        try:
            os.close(os.open(self._temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # private, even --plain
            self._zip = pyzipper.AESZipFile(
                self._temp, "w", compression=self._compression, compresslevel=COMPRESS_LEVEL, encryption=encryption
            )
        except OSError as error:
            self._temp.unlink(missing_ok=True)
            raise write_failed(error, self.out) from None
        if self._encrypt:
            self._zip.setpassword(self._passphrase.encode("utf-8"))
            self._zip.setencryption(pyzipper.WZ_AES, nbits=256)
        self._worker = _ZipWorker(self._zip)
        return self

    def _entry(self, name: str, compression: int | None = None):
        info = self._zip.zipinfo_cls(name, date_time=time.localtime()[:6])
        info.compress_type = self._compression if compression is None else compression
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
        manifest_bytes = manifest.to_json()
        self._zip.writestr(self._entry(MANIFEST), manifest_bytes)
        self._zip.encryption, self._zip.pwd = None, None  # the seal is read before anything is decrypted
        self._zip.writestr(self._entry(SEAL, pyzipper.ZIP_STORED), seal_of(self._passphrase, manifest_bytes))
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
                _let_go(self._zip)
            self._zip = None
        self._temp.unlink(missing_ok=True)
        if isinstance(exc, OSError):  # a full disk above all: said as such, the half file gone
            raise write_failed(exc, self.out) from None


def _let_go(archive: pyzipper.AESZipFile) -> None:
    """Closes the file under a zip that could not close itself (a member half written when the disk
    filled), so that its __del__ has nothing left to do and no "Exception ignored" reaches the user."""
    handle, archive.fp = archive.fp, None
    archive._writing = False
    if handle is not None:
        try:
            handle.close()
        except OSError:
            pass


# --- reading ----------------------------------------------------------------------------------


def _refuse_too_large(path: Path, name: str) -> BundleRefused:
    return BundleRefused(
        translatable("{path}: {name} is larger than its rows can be (a damaged or hostile file); "
                     "nothing was imported."),
        path=str(path), name=name,
    )


def _open_zip(path: Path) -> pyzipper.AESZipFile:
    try:
        return pyzipper.AESZipFile(path)
    except FileNotFoundError:
        raise BundleRefused(translatable("There is no file {path}."), path=str(path)) from None
    except IsADirectoryError:
        raise BundleRefused(translatable("{path} is a folder, not a sync bundle."), path=str(path)) from None
    except (pyzipper.BadZipFile, EOFError, ValueError, OSError):
        if _starts_like_a_zip(path):
            raise DamagedBundle(path) from None
        raise BundleRefused(
            translatable("{path} is not a sync bundle, or it is damaged or cut short; nothing was imported."),
            path=str(path),
        ) from None


def _starts_like_a_zip(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def check_bundle_file(path: Path | str) -> None:
    """BundleRefused if path is not a zip at all (said before a sync passphrase is asked for)."""
    _open_zip(Path(path)).close()



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
                raise DamagedBundle(path)
            handle.seek(offset)
            fixed = handle.read(_LOCAL_HEADER.size)
            if len(fixed) != _LOCAL_HEADER.size:
                raise DamagedBundle(path)
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
                raise DamagedBundle(path)
            if name.decode("utf-8" if flags & 0x800 else "cp437", "replace") != info.orig_filename:
                raise DamagedBundle(path)
            if not _local_extra_ok(extra, info, compressed, uncompressed, aes):
                raise DamagedBundle(path)
            offset += _LOCAL_HEADER.size + name_length + extra_length + info.compress_size
        if offset != archive.start_dir or size < _END_RECORD.size:
            raise DamagedBundle(path)
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
            raise DamagedBundle(path)
        handle.seek(archive.start_dir)
        if not _directory_ok(handle.read(cd_size), archive.infolist()):
            raise DamagedBundle(path)


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


def verify_bundle(path: Path | str, passphrase: str | None, **kwargs) -> Manifest:
    """The manifest of the bundle at path once every check has passed (no row is parsed), or BundleRefused."""
    with open_bundle(path, passphrase, **kwargs) as bundle:
        return bundle.manifest


def open_bundle(
    path: Path | str,
    passphrase: str | None,
    *,
    on_file: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    on_manifest: Callable[[Manifest], None] | None = None,
) -> BundleReader:
    """The bundle, verified whole (layout, seal, manifest, every file's size and SHA-256) and open for
    reading its rows; BundleRefused (WrongSyncPassphrase, SyncPassphraseNeeded, DamagedBundle,
    ForgedBundle) saying why not. Use it as a context manager (it holds the file open).

    on_manifest(manifest) is called once the manifest is authenticated, and on_file(rows) as each
    file is verified, with its row count.
    """
    path = Path(path)
    archive = _open_zip(path)
    try:
        reader = BundleReader(path, archive)
        reader._verify(passphrase, on_file=on_file, cancelled=cancelled, on_manifest=on_manifest)
    except BaseException:
        archive.close()
        raise
    return reader


class BundleReader:
    """An open bundle. After open_bundle: manifest, encrypted, sealed, warnings, sha256; batches(table)."""

    def __init__(self, path: Path, archive: pyzipper.AESZipFile) -> None:
        self.path = path
        self._zip = archive
        self._passphrase_known = False  # verified against the seal: any later fault is damage
        self.encrypted = False
        self.sealed = False
        self.warnings: list[str] = []
        self.manifest: Manifest | None = None
        self.sha256 = ""  # of the bundle file itself
        self._limits: dict[str, int] = {}

    def __enter__(self) -> BundleReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    # --- verifying ----------------------------------------------------------------------------

    def _verify(self, passphrase, *, on_file, cancelled, on_manifest) -> None:
        infos = self._zip.infolist()
        _check_layout(self.path, self._zip)  # first: a damaged header is damage, whatever it says
        self._check_encryption(infos)
        names = [info.filename for info in infos]
        if MANIFEST not in names:
            raise BundleRefused(translatable("{path} is not a Regulars sync bundle (it has no manifest)."),
                                path=str(self.path))
        self.sealed = SEAL in names
        if (self.encrypted or self.sealed) and not passphrase:
            raise SyncPassphraseNeeded(self.path)
        if self.sealed:
            self.manifest = self._authenticated_manifest(passphrase)
        else:
            self.manifest = self._unsealed_manifest(passphrase)
        if on_manifest is not None:
            on_manifest(self.manifest)
        expected = sorted([MANIFEST, *([SEAL] if self.sealed else []), *(e.name for e in self.manifest.files)])
        if sorted(names) != expected:
            raise BundleRefused(
                translatable("{path} does not hold the files its manifest lists; nothing was imported."),
                path=str(self.path),
            )
        for entry in self.manifest.files:
            if cancelled is not None and cancelled():
                raise SyncCancelled(translatable("Import cancelled; nothing was written."))
            self._limits[entry.name] = _size_limit(entry)
            self._check_file(entry)
            if on_file is not None:
                on_file(entry.rows)
        self.sha256 = _file_sha256(self.path)

    def _check_encryption(self, infos) -> None:
        """Every file but the seal encrypted with AES-256, or none; the seal never."""
        flags = {info.filename: bool(info.flag_bits & 0x1) for info in infos}
        encrypted = [flag for name, flag in flags.items() if name != SEAL]
        self.encrypted = any(encrypted)
        if not self.encrypted and not flags.get(SEAL):
            return
        if flags.get(SEAL) or not all(encrypted) or any(
            getattr(info, "wz_aes_strength", None) != AES_256 for info in infos if info.filename != SEAL
        ):
            raise BundleRefused(
                translatable("{path} is not encrypted the way Regulars encrypts bundles; nothing was imported."),
                path=str(self.path),
            )

    def _authenticated_manifest(self, passphrase: str) -> Manifest:
        seal = _parse_seal(self._read(SEAL, MAX_SEAL_BYTES))
        if seal is None:
            raise DamagedBundle(self.path)
        keys = _derive_keys(passphrase, seal.salt, seal.n, seal.r, seal.p)
        if not hmac.compare_digest(keys.verifier, seal.verifier):
            raise WrongSyncPassphrase(self.path)
        self._passphrase_known = True
        if self.encrypted:
            self._zip.setpassword(passphrase.encode("utf-8"))
        data = self._read(MANIFEST, MAX_MANIFEST_BYTES)
        if not hmac.compare_digest(_manifest_mac(keys, data), seal.mac):
            raise ForgedBundle(self.path)
        manifest = parse_manifest(data, self.path)
        if manifest.format_version < FORMAT_VERSION:
            raise ForgedBundle(self.path)  # a sealed bundle is always of the sealed format
        return manifest

    def _unsealed_manifest(self, passphrase: str | None) -> Manifest:
        """A bundle from before the seal: only an encrypted one, with a warning."""
        if not self.encrypted:
            raise UnsealedBundle(self.path)
        self._zip.setpassword(passphrase.encode("utf-8"))
        manifest = parse_manifest(self._read(MANIFEST, MAX_MANIFEST_BYTES), self.path)
        if manifest.format_version != UNSEALED_VERSION:
            raise ForgedBundle(self.path)  # its seal was taken away
        self.warnings.append(translatable(
            "This bundle comes from an older Regulars and carries no seal: it was accepted because it is "
            "encrypted with the sync passphrase. Update Regulars on the other till."))
        return manifest

    def _check_file(self, entry: FileEntry) -> None:
        """The file's size within its limit, and its SHA-256 the manifest's, read as a stream."""
        with self._member(entry.name) as member:
            while member.read(READ_BYTES):
                pass
        if member.sha256() != entry.sha256:
            raise self._refuse_checksum(entry.name)

    def _refuse_checksum(self, name: str) -> BundleRefused:
        return BundleRefused(
            translatable("{path}: {name} is not the file that was exported (its checksum differs); "
                         "nothing was imported."),
            path=str(self.path), name=name,
        )

    def _read(self, name: str, limit: int) -> bytes:
        with self._member(name, limit) as member:
            return member.read()

    @contextmanager
    def _member(self, name: str, limit: int | None = None) -> Iterator[_LimitedReader]:
        """The entry opened as a stream capped at its size limit (refused at once if it declares more);
        faults while reading are damage (or, before the passphrase is known, a wrong passphrase)."""
        limit = self._limits[name] if limit is None else limit
        info = self._zip.getinfo(name)
        if info.file_size > limit:
            raise _refuse_too_large(self.path, name)
        try:
            with self._zip.open(info) as member:
                reader = _LimitedReader(member, limit, lambda: _refuse_too_large(self.path, name))
                yield reader
                if not reader.ended():
                    raise DamagedBundle(self.path)
        except RuntimeError as error:
            if "password" in str(error).lower() and not self._passphrase_known:
                raise WrongSyncPassphrase(self.path) from None
            raise DamagedBundle(self.path) from None
        except (pyzipper.BadZipFile, zlib.error, EOFError, ValueError, OSError):
            raise DamagedBundle(self.path) from None

    # --- reading rows -------------------------------------------------------------------------

    def batches(self, table: str, size: int = ROWS_PER_BATCH) -> Iterator[list[list[str]]]:
        """The table's rows (cells as exported), read again from the zip as a stream and parsed
        strictly, size at a time; BundleRefused if the file is malformed or, at its end, its checksum
        or row count is not the manifest's (the caller's transaction is then rolled back)."""
        entry = next(entry for entry in self.manifest.files if entry.table == table)
        batch: list[list[str]] = []
        count = 0
        with self._member(entry.name) as member:
            try:
                for row in read_csv_lines(member.lines(), name=entry.name, header=BY_NAME[table].header,
                                          accepts=BY_NAME[table].accepts_header):  # this version's, or one from before stamps
                    batch.append(row)
                    if len(batch) == size:
                        count += len(batch)
                        yield batch
                        batch = []
            except CsvRejected as error:
                raise BundleRefused(translatable("{path}: {problem} Nothing was imported."),
                                    path=str(self.path), problem=str(error)) from None
            if member.sha256() != entry.sha256:
                raise self._refuse_checksum(entry.name)
        count += len(batch)
        if count != entry.rows:
            raise BundleRefused(
                translatable("{path}: {name} holds {found} rows where the manifest says {rows}; "
                             "nothing was imported."),
                path=str(self.path), name=entry.name, found=count, rows=entry.rows,
            )
        if batch:
            yield batch

    def rows(self, table: str) -> Iterator[list[str]]:
        """The table's rows one by one (see batches)."""
        for batch in self.batches(table):
            yield from batch


class _LimitedReader:
    """A zip entry read as a stream, hashed as it goes, refused the moment it passes its limit."""

    def __init__(self, member, limit: int, too_large: Callable[[], BundleRefused]) -> None:
        self._member = member
        self._limit = limit
        self._too_large = too_large
        self._digest = hashlib.sha256()
        self.size = 0

    def _count(self, data: bytes) -> bytes:
        self.size += len(data)
        if self.size > self._limit:
            raise self._too_large()
        self._digest.update(data)
        return data

    def read(self, size: int = -1) -> bytes:
        return self._count(self._member.read(self._limit + 1 - self.size if size < 0 else size))

    def lines(self) -> Iterator[str]:
        """The entry's lines, each with its line break: read a megabyte at a time, cut at the last line
        break, decoded whole (a fault names its line); none longer than MAX_LINE_BYTES."""
        return itertools.chain.from_iterable(self._line_blocks())

    def _line_blocks(self) -> Iterator[list[str]]:
        done = 0  # lines handed out so far
        rest = b""
        while chunk := self.read(READ_BYTES):
            block = rest + chunk
            cut = block.rfind(b"\n") + 1
            rest = block[cut:]
            if len(rest) > MAX_LINE_BYTES:
                raise CsvRejected(translatable("{name}, line {line}: the line is longer than {max} bytes."),
                                  line=done + block.count(b"\n", 0, cut) + 1, name=self._member.name,
                                  max=MAX_LINE_BYTES)
            if cut:
                pieces = self._decoded(block[:cut], done).split("\n")
                pieces.pop()  # what follows the last line break: nothing
                done += len(pieces)
                yield [piece + "\n" for piece in pieces]
        if rest:
            yield [self._decoded(rest, done)]

    def _decoded(self, block: bytes, done: int) -> str:
        try:
            return block.decode("utf-8")
        except UnicodeDecodeError as error:
            raise CsvRejected(translatable("{name}, line {line}: not UTF-8 text (save the file as UTF-8)."),
                              line=done + block.count(b"\n", 0, error.start) + 1, name=self._member.name) from None

    def sha256(self) -> str:
        return self._digest.hexdigest()

    def ended(self) -> bool:
        """Whether the compressed stream, read to its end, said it ended there: a changed bit can make a
        deflate stream give all its bytes (and the right CRC) without its end mark."""
        decompressor = getattr(self._member, "_decompressor", None)  # None: a stored entry
        return getattr(decompressor, "eof", True)


def _size_limit(entry: FileEntry) -> int:
    """The most a file of entry.rows rows can hold: every cell at its longest, quoted, in 4-byte characters."""
    return min(MAX_FILE_BYTES, HEADER_BYTES + entry.rows * _ROW_BYTES[entry.table])


def _cell_bytes(column) -> int:
    if column.kind in ("text", "email", "phone"):
        return 8 * (column.max_length or 320) + 2  # 4 bytes a character, quotes doubled, the defusing apostrophes
    return 64  # uuids, times, numbers, codes


_ROW_BYTES = {spec.name: sum(_cell_bytes(column) + 1 for column in spec.columns) + 1 for spec in TABLES}


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()



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

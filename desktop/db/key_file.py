"""The key file beside a shop file: the shop's random key, wrapped, and nothing personal.

``shop.regulars.key`` is a small JSON document. It holds the shop file's 32-byte key
encrypted (AES-256-GCM) twice: under a key derived from the passphrase with Argon2id,
and, once the owner has printed one, under a key derived from the recovery key. Each
wrap carries its own salt, nonce and, for Argon2id, its cost, so the cost can be raised
on a later passphrase change. The format, version, wrap name and KDF settings are the
GCM associated data: editing any of them makes the wrap fail instead of weakening it.

A SHA-256 checksum over each wrap tells a damaged file (a flipped bit, a bad copy) from
a wrong passphrase; it is no defence against tampering, which GCM already refuses.

The file never holds the passphrase, the recovery key or the database key in the clear.
Writes are atomic (temporary file, fsync, rename, fsync of the folder) and 0600.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from desktop.db.keys import (
    ARGON2_DEFAULT,
    ARGON2_LIMITS,
    KEY_BYTES,
    SALT_BYTES,
    Argon2Params,
    RecoveryKey,
    passphrase_kek,
    recovery_kek,
)
from desktop.errors import KeyFileError, translatable
from desktop.output_files import sync_folder, write_private_file  # noqa: F401 - the one private writer

FORMAT = "Regulars key file"
VERSION = 1
KEY_FILE_SUFFIX = ".key"
PENDING_SUFFIX = ".key.new"  # a key rotation in progress (see desktop/db/key_changes.py)
NONCE_BYTES = 12
WRAPPED_BYTES = KEY_BYTES + 16  # the key and GCM's tag

PASSPHRASE_WRAP = "passphrase"
RECOVERY_WRAP = "recovery_key"
ARGON2ID = "argon2id"
HKDF_SHA256 = "hkdf-sha256"

# Where the key came from. "legacy-passphrase": a shop file from before key files, whose
# key is still what SQLCipher derives from its first passphrase (rotating makes it random).
ORIGIN_RANDOM = "random"
ORIGIN_LEGACY = "legacy-passphrase"
_ORIGINS = (ORIGIN_RANDOM, ORIGIN_LEGACY)

ABOUT = (
    "The shop file's key, locked under the passphrase and the recovery key. It holds no "
    "customer data. The shop file does not open without it: back up both together."
)


def key_file_path(shop_path: Path | str) -> Path:
    return Path(str(shop_path) + KEY_FILE_SUFFIX)


def pending_key_file_path(shop_path: Path | str) -> Path:
    return Path(str(shop_path) + PENDING_SUFFIX)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _canonical(value: dict[str, Any]) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode("utf-8")


class _Damaged(Exception):
    """Internal: a wrap's fields are missing, malformed or fail their checksum."""


@dataclass(frozen=True, repr=False)
class Wrap:
    """The shop's key encrypted under one secret, with what is needed to derive that secret's KEK."""

    name: str  # PASSPHRASE_WRAP or RECOVERY_WRAP
    kdf: str
    salt: bytes
    nonce: bytes
    wrapped_key: bytes
    argon2: Argon2Params | None = None

    def _settings(self) -> dict[str, Any]:
        """What the KEK is derived with: authenticated as GCM associated data."""
        settings: dict[str, Any] = {"kdf": self.kdf, "salt": _b64(self.salt)}
        if self.argon2 is not None:
            settings |= {
                "time_cost": self.argon2.time_cost,
                "memory_kib": self.argon2.memory_kib,
                "parallelism": self.argon2.parallelism,
            }
        return settings

    def _associated_data(self) -> bytes:
        return _canonical({"format": FORMAT, "version": VERSION, "wrap": self.name, **self._settings()})

    def to_json(self) -> dict[str, Any]:
        fields = self._settings() | {"nonce": _b64(self.nonce), "wrapped_key": _b64(self.wrapped_key)}
        return fields | {"checksum": hashlib.sha256(_canonical(fields)).hexdigest()}

    @classmethod
    def from_json(cls, name: str, data: Any) -> Wrap:
        if not isinstance(data, dict):
            raise _Damaged
        fields = {k: v for k, v in data.items() if k != "checksum"}
        if data.get("checksum") != hashlib.sha256(_canonical(fields)).hexdigest():
            raise _Damaged
        try:
            salt, nonce, wrapped = (base64.b64decode(data[k], validate=True) for k in ("salt", "nonce", "wrapped_key"))
            kdf = data["kdf"]
            argon2 = None
            if kdf == ARGON2ID:
                argon2 = Argon2Params(int(data["time_cost"]), int(data["memory_kib"]), int(data["parallelism"]))
        except (KeyError, TypeError, ValueError, binascii.Error) as exc:
            raise _Damaged from exc
        expected_kdf = ARGON2ID if name == PASSPHRASE_WRAP else HKDF_SHA256
        if kdf != expected_kdf or (len(salt), len(nonce), len(wrapped)) != (SALT_BYTES, NONCE_BYTES, WRAPPED_BYTES):
            raise _Damaged
        if argon2 is not None and not _sane(argon2):
            raise _Damaged
        return cls(name=name, kdf=kdf, salt=salt, nonce=nonce, wrapped_key=wrapped, argon2=argon2)

    @classmethod
    def seal(cls, name: str, database_key: bytes, kek_for, *, argon2: Argon2Params | None = None) -> Wrap:
        """Encrypts the database key under ``kek_for(salt)`` with a fresh salt and nonce."""
        salt, nonce = os.urandom(SALT_BYTES), os.urandom(NONCE_BYTES)
        kdf = ARGON2ID if argon2 is not None else HKDF_SHA256
        unsealed = cls(name=name, kdf=kdf, salt=salt, nonce=nonce, wrapped_key=b"", argon2=argon2)
        wrapped = AESGCM(kek_for(salt)).encrypt(nonce, database_key, unsealed._associated_data())
        return replace(unsealed, wrapped_key=wrapped)

    def open(self, kek: bytes) -> bytes | None:
        """The database key, or None when the KEK is not the one this was sealed with."""
        try:
            return AESGCM(kek).decrypt(self.nonce, self.wrapped_key, self._associated_data())
        except InvalidTag:
            return None

    def __repr__(self) -> str:
        return f"Wrap({self.name}, <hidden>)"


def _sane(params: Argon2Params) -> bool:
    limits = ARGON2_LIMITS
    return (
        1 <= params.time_cost <= limits.time_cost
        and 1 <= params.parallelism <= limits.parallelism
        and 8 * params.parallelism <= params.memory_kib <= limits.memory_kib
    )


def passphrase_wrap(database_key: bytes, passphrase: str, params: Argon2Params = ARGON2_DEFAULT) -> Wrap:
    return Wrap.seal(PASSPHRASE_WRAP, database_key, lambda salt: passphrase_kek(passphrase, salt, params), argon2=params)


def recovery_wrap(database_key: bytes, recovery_key: RecoveryKey) -> Wrap:
    return Wrap.seal(RECOVERY_WRAP, database_key, lambda salt: recovery_kek(recovery_key.secret, salt))


@dataclass(frozen=True, repr=False)
class KeyFile:
    """A key file's contents. A wrap that is None is absent, or damaged (named in ``damaged``)."""

    passphrase: Wrap | None
    recovery: Wrap | None = None
    key_origin: str = ORIGIN_RANDOM
    damaged: frozenset[str] = frozenset()
    path: Path | None = None  # where it was read from, for messages

    def unlock_with_passphrase(self, passphrase: str) -> bytes | None:
        """The database key, or None for a wrong passphrase; KeyFileError if the wrap is damaged."""
        wrap = self._wrap(PASSPHRASE_WRAP, self.passphrase)
        return wrap.open(passphrase_kek(passphrase, wrap.salt, wrap.argon2 or ARGON2_DEFAULT))

    def unlock_with_recovery_key(self, recovery_key: RecoveryKey) -> bytes | None:
        wrap = self._wrap(RECOVERY_WRAP, self.recovery)
        return wrap.open(recovery_kek(recovery_key.secret, wrap.salt))

    def _wrap(self, name: str, wrap: Wrap | None) -> Wrap:
        if wrap is not None:
            return wrap
        where = str(self.path or "")
        if name in self.damaged:
            if name == PASSPHRASE_WRAP:
                raise KeyFileError(
                    translatable(
                        "The key file {key_file} is damaged: the shop's key locked by the passphrase fails its "
                        "checksum. Unlock with the recovery key, or restore the key file from a backup."
                    ),
                    key_file=where,
                )
            raise KeyFileError(
                translatable(
                    "The key file {key_file} is damaged: the shop's key locked by the recovery key fails its "
                    "checksum. Unlock with the passphrase, or restore the key file from a backup."
                ),
                key_file=where,
            )
        if name == PASSPHRASE_WRAP:  # never written so; only a hand-edited file lacks it
            raise KeyFileError(translatable("The key file {key_file} has no passphrase."), key_file=where)
        raise KeyFileError(
            translatable(
                "This shop has no recovery key yet, so {key_file} cannot be unlocked with one. "
                "Unlock with the passphrase; `regulars recovery-key new` makes a recovery key."
            ),
            key_file=where,
        )

    def to_bytes(self) -> bytes:
        document = {
            "format": FORMAT,
            "version": VERSION,
            "about": ABOUT,
            "key_origin": self.key_origin,
            PASSPHRASE_WRAP: self.passphrase.to_json() if self.passphrase else None,
            RECOVERY_WRAP: self.recovery.to_json() if self.recovery else None,
        }
        return (json.dumps(document, indent=2) + "\n").encode("utf-8")

    def __repr__(self) -> str:
        return f"KeyFile(origin={self.key_origin}, recovery={self.recovery is not None}, <hidden>)"


def read_key_file(path: Path) -> KeyFile:
    """The key file at ``path``; KeyFileError naming it when missing, unreadable, foreign or too new."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise KeyFileError(translatable("There is no key file at {key_file}."), key_file=str(path)) from exc
    except OSError as exc:
        raise KeyFileError(
            translatable("Cannot read the key file {key_file}: {reason}"), key_file=str(path), reason=exc.strerror or ""
        ) from exc
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        document = None
    if not isinstance(document, dict) or document.get("format") != FORMAT or not isinstance(document.get("version"), int):
        raise KeyFileError(
            translatable(
                "{key_file} is damaged, or it is not a Regulars key file. Restore the shop file's key file "
                "from a backup (the backup of the shop file and of its key file belong together)."
            ),
            key_file=str(path),
        )
    if document["version"] > VERSION:
        raise KeyFileError(
            translatable("The key file {key_file} is from a newer version of Regulars. Update Regulars to open this shop."),
            key_file=str(path),
        )
    wraps: dict[str, Wrap | None] = {}
    damaged = set()
    for name in (PASSPHRASE_WRAP, RECOVERY_WRAP):
        try:
            wraps[name] = None if document.get(name) is None else Wrap.from_json(name, document[name])
        except _Damaged:
            wraps[name] = None
            damaged.add(name)
    origin = document.get("key_origin")
    return KeyFile(
        passphrase=wraps[PASSPHRASE_WRAP],
        recovery=wraps[RECOVERY_WRAP],
        key_origin=origin if origin in _ORIGINS else ORIGIN_RANDOM,
        damaged=frozenset(damaged),
        path=path,
    )


def write_key_file(path: Path, key_file: KeyFile) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private_file(path, key_file.to_bytes())


def move_into_place(source: Path, target: Path) -> None:
    """Renames atomically over ``target`` and makes the rename durable."""
    os.replace(source, target)
    sync_folder(target.parent)

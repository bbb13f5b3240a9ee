"""Key material: the shop file's random key, and the secrets that unlock it.

A shop file is encrypted (SQLCipher 4) under a random 32-byte key. That key is never
stored in the clear: the key file beside the shop file (desktop/db/key_file.py) holds it
wrapped under a key-encryption key (KEK) derived from the owner's passphrase, and again
under one derived from a printed recovery key. Changing the passphrase rewraps 32 bytes
instead of re-encrypting the whole book.

Shop files from before key files ("legacy") have, as their key, exactly what SQLCipher
derives from the passphrase itself: PBKDF2-HMAC-SHA512 (256,000 rounds) over the
passphrase and the 16-byte salt at the start of the file. They open that way once and
then get a key file wrapping that same key.

Nothing here puts a key, passphrase or recovery key in a repr or an exception message.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

LEGACY_KDF_ROUNDS = 256_000
SALT_BYTES = 16
KEY_BYTES = 32
SQLITE_PLAIN_HEADER = b"SQLite format 3\x00"

# Crockford's base 32: digits and capitals without I, L, O and U, so a key read aloud or
# copied from paper cannot be mistaken letter for letter.
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CROCKFORD_READS = {"O": "0", "I": "1", "L": "1"}
RECOVERY_BYTES = 20  # 160 bits: 32 characters, shown as 8 groups of 4
RECOVERY_CHARS = RECOVERY_BYTES * 8 // 5
RECOVERY_GROUP = 4
_RECOVERY_INFO = b"regulars recovery key wrap v1"


@dataclass(frozen=True, repr=False)
class RawKey:
    """The shop file's SQLCipher key, and the file salt it was created with."""

    key: bytes
    salt: bytes

    def pragma_value(self, *, with_salt: bool) -> str:
        """The blob literal for PRAGMA key; the salt is given only when creating a file."""
        hex_key = self.key.hex() + (self.salt.hex() if with_salt else "")
        return f"\"x'{hex_key}'\""

    def __repr__(self) -> str:  # keys never reach logs or crash output
        return "RawKey(<hidden>)"


def derive_legacy_key(passphrase: str, salt: bytes) -> RawKey:
    """The key SQLCipher 4 itself derives from a passphrase: how shop files were keyed before key files."""
    key = hashlib.pbkdf2_hmac("sha512", passphrase.encode("utf-8"), salt, LEGACY_KDF_ROUNDS, KEY_BYTES)
    return RawKey(key=key, salt=salt)


def new_salt() -> bytes:
    return os.urandom(SALT_BYTES)


def new_database_key() -> RawKey:
    """A fresh random key for a new (or re-encrypted) shop file, with a fresh file salt."""
    return RawKey(key=secrets.token_bytes(KEY_BYTES), salt=new_salt())


@dataclass(frozen=True)
class Argon2Params:
    """Argon2id cost, stored in each key file so it can be raised later without breaking old files."""

    time_cost: int
    memory_kib: int
    parallelism: int


# Measured on the reference machine (2-core AMD EPYC VM, argon2-cffi 25.1, 2026-11-24):
# t=4, 64 MiB, p=1 takes about 0.17 s, inside the 0.15-0.3 s budget for an unlock. The
# memory is held only while deriving, but it counts in the app's peak memory (target
# 300 MB): 128 MiB lifted the GUI's peak from ~190 to ~265 MB, so time buys the cost here
# rather than memory. Raise these as machines get faster: each key file keeps its own
# parameters, and takes the new defaults at its next passphrase change.
ARGON2_DEFAULT = Argon2Params(time_cost=4, memory_kib=64 * 1024, parallelism=1)
# What a key file may ask for: anything outside is damage, not a reason to allocate 40 GB.
ARGON2_LIMITS = Argon2Params(time_cost=64, memory_kib=4 * 1024 * 1024, parallelism=16)


def passphrase_kek(passphrase: str, salt: bytes, params: Argon2Params) -> bytes:
    """The key-encryption key for the passphrase wrap (Argon2id; deliberately slow)."""
    return hash_secret_raw(
        secret=passphrase.encode("utf-8"),
        salt=salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


def recovery_kek(recovery_secret: bytes, salt: bytes) -> bytes:
    """The key-encryption key for the recovery wrap.

    A recovery key is 160 random bits, so it needs no slow stretching: HKDF-SHA256 is enough.
    """
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=_RECOVERY_INFO).derive(recovery_secret)


@dataclass(frozen=True, repr=False)
class RecoveryKey:
    """A recovery key's secret bytes; ``text`` is how it is printed (XXXX-XXXX-...)."""

    secret: bytes

    @classmethod
    def new(cls) -> RecoveryKey:
        return cls(secrets.token_bytes(RECOVERY_BYTES))

    @property
    def text(self) -> str:
        number = int.from_bytes(self.secret, "big")
        chars = "".join(CROCKFORD[(number >> (5 * i)) & 31] for i in reversed(range(RECOVERY_CHARS)))
        return "-".join(chars[i : i + RECOVERY_GROUP] for i in range(0, RECOVERY_CHARS, RECOVERY_GROUP))

    @classmethod
    def parse(cls, text: str) -> RecoveryKey | None:
        """The key typed back in any case, with or without dashes and spaces; None if it cannot be one."""
        chars = "".join(ch for ch in (text or "").upper() if ch not in "- \t\r\n")
        chars = "".join(_CROCKFORD_READS.get(ch, ch) for ch in chars)
        if len(chars) != RECOVERY_CHARS or any(ch not in CROCKFORD for ch in chars):
            return None
        number = 0
        for ch in chars:
            number = number * 32 + CROCKFORD.index(ch)
        return cls(number.to_bytes(RECOVERY_BYTES, "big"))

    def __repr__(self) -> str:
        return "RecoveryKey(<hidden>)"

"""The shop file's key: derived from the passphrase once per process, never stored.

SQLCipher 4 derives its page key with PBKDF2-HMAC-SHA512 (256,000 rounds) over the
passphrase and the 16-byte salt at the start of the file. Doing that derivation here,
once, and handing SQLCipher the raw key means every later connection opens in well under
a millisecond, while the file stays openable with the passphrase by any SQLCipher 4 tool.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

KDF_ROUNDS = 256_000
SALT_BYTES = 16
KEY_BYTES = 32
SQLITE_PLAIN_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True, repr=False)
class RawKey:
    key: bytes
    salt: bytes

    def pragma_value(self, *, with_salt: bool) -> str:
        """The blob literal for PRAGMA key; the salt is given only when creating a file."""
        hex_key = self.key.hex() + (self.salt.hex() if with_salt else "")
        return f"\"x'{hex_key}'\""

    def __repr__(self) -> str:  # keys never reach logs or crash output
        return "RawKey(<hidden>)"


def derive_key(passphrase: str, salt: bytes) -> RawKey:
    key = hashlib.pbkdf2_hmac("sha512", passphrase.encode("utf-8"), salt, KDF_ROUNDS, KEY_BYTES)
    return RawKey(key=key, salt=salt)


def new_salt() -> bytes:
    return os.urandom(SALT_BYTES)

"""Credential stores for the tests: real keyring backends that never touch this computer's own store.

MemoryKeyring keeps passwords in this process (tests set it with keyring.set_keyring);
FileKeyring keeps them in the JSON file named by REGULARS_TEST_KEYRING_FILE, so that a
subprocess started with PYTHON_KEYRING_BACKEND=tests.memory_keyring.FileKeyring sees what the
test kept.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

KEYRING_FILE_ENV = "REGULARS_TEST_KEYRING_FILE"


class MemoryKeyring(KeyringBackend):
    priority = 5  # a protected store, as far as Regulars can tell

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def _load(self) -> dict[tuple[str, str], str]:
        return self.passwords

    def _save(self, passwords: dict[tuple[str, str], str]) -> None:
        self.passwords = passwords

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._save({**self._load(), (service, username): password})

    def delete_password(self, service: str, username: str) -> None:
        passwords = self._load()
        if passwords.pop((service, username), None) is None:
            raise PasswordDeleteError("no such password")
        self._save(passwords)


class FileKeyring(MemoryKeyring):
    def _path(self) -> Path:
        return Path(os.environ[KEYRING_FILE_ENV])

    def _load(self) -> dict[tuple[str, str], str]:
        if not self._path().exists():
            return {}
        return {tuple(key.split("\n", 1)): value for key, value in json.loads(self._path().read_text()).items()}

    def _save(self, passwords: dict[tuple[str, str], str]) -> None:
        self._path().write_text(json.dumps({"\n".join(key): value for key, value in passwords.items()}))

"""Shared fixtures: one real SQLCipher shop file per session, copied for each test.

Key derivation is deliberately slow, so the template is built once and copied (the shop
file with its key file, as a backup must).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desktop.db.engine import ShopDatabase, open_shop_file  # noqa: E402
from desktop.db.key_file import key_file_path, passphrase_wrap, read_key_file, write_key_file  # noqa: E402
from desktop.db.keys import Argon2Params  # noqa: E402
from desktop.db.unlock import unlock  # noqa: E402
from desktop.services.shop import ShopSettings, create_shop  # noqa: E402

PASSPHRASE = "correct horse battery"
REGION = "BR"
# Test shops derive their passphrase key at the lowest cost a key file accepts: the key file
# keeps its own cost, so each unlock takes a millisecond instead of 0.2 s. Tests about
# unlocking itself make their own shop files at the real cost.
CHEAP_ARGON2 = Argon2Params(time_cost=1, memory_kib=8, parallelism=1)


def make_unlock_cheap(path: Path, passphrase: str = PASSPHRASE) -> None:
    """Rewraps a closed shop file's key under the passphrase at CHEAP_ARGON2."""
    from dataclasses import replace

    unlocked = unlock(path, passphrase)
    key_file = read_key_file(key_file_path(path))
    write_key_file(key_file_path(path), replace(key_file, passphrase=passphrase_wrap(unlocked.key.key, passphrase, CHEAP_ARGON2)))


@pytest.fixture(autouse=True)
def credential_store(monkeypatch):
    """Every test keeps credentials (the scheduled backup's passphrase) in memory, never in this computer's
    own store; a subprocess gets keyring's null store (a test that needs more names tests.memory_keyring.FileKeyring)."""
    import keyring

    from tests.memory_keyring import MemoryKeyring

    before = keyring.get_keyring()
    store = MemoryKeyring()
    keyring.set_keyring(store)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    yield store
    keyring.set_keyring(before)


@pytest.fixture(scope="session")
def shop_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "shop.regulars"
    create_shop(path, PASSPHRASE, ShopSettings(name="Padaria Teste", region=REGION)).close()
    make_unlock_cheap(path)
    return path


def copy_shop(source: Path, path: Path) -> Path:
    """A closed shop file copied with its key file, as a backup must; path's folder is made."""
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, path)
    shutil.copy2(key_file_path(source), key_file_path(path))
    return path


@pytest.fixture
def shop_path(shop_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the empty template shop and its key file, closed, in this test's own folder."""
    return copy_shop(shop_template, tmp_path / "shop" / "shop.regulars")


@pytest.fixture
def shop(shop_path: Path) -> ShopDatabase:
    """The copied shop, open."""
    database = open_shop_file(shop_path, PASSPHRASE)
    yield database
    database.close()

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
from desktop.db.key_file import key_file_path  # noqa: E402
from desktop.services.shop import ShopSettings, create_shop  # noqa: E402

PASSPHRASE = "correct horse battery"
REGION = "BR"


@pytest.fixture(scope="session")
def shop_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "shop.regulars"
    create_shop(path, PASSPHRASE, ShopSettings(name="Padaria Teste", region=REGION)).close()
    return path


@pytest.fixture
def shop_path(shop_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the empty template shop and its key file, closed, in this test's own folder."""
    path = tmp_path / "shop" / "shop.regulars"
    path.parent.mkdir()
    shutil.copy2(shop_template, path)
    shutil.copy2(key_file_path(shop_template), key_file_path(path))
    return path


@pytest.fixture
def shop(shop_path: Path) -> ShopDatabase:
    """The copied shop, open."""
    database = open_shop_file(shop_path, PASSPHRASE)
    yield database
    database.close()

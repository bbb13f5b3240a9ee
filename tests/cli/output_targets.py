"""What the output-path tests share: every command that writes a file, and a shop with something in it to write."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from desktop.cli import PASSPHRASE_ENV, main
from desktop.db.key_file import key_file_path
from tests.conftest import PASSPHRASE

# Each command that writes one file, as typed before "--out FILE" (the shop holds customer 1 with
# reservation 1 and warranty 1, who agreed to emails).
WRITERS = {
    "print form": ("print", "form", "signup"),
    "print slip": ("print", "slip", "1"),
    "print certificate": ("print", "certificate", "1"),
    "print cards": ("print", "cards", "--all"),
    "export-marketing": ("export-marketing", "--channel", "email"),
    "export-contacts": ("export-contacts", "--all"),
    "export": ("export", "--full", "--plain"),
    "export (encrypted)": ("export", "--full"),
    "backup": ("backup",),
}
NEVER_REPLACES = {"backup"}  # a backup never writes over anything: it has no --force
# A sync export closes the shop's change number before it reads (so edits made while it runs go
# into the next bundle): a failed one leaves that counter moved on, and the book as it was.
CLOSES_A_CHANGE_NUMBER = {"export", "export (encrypted)"}
SYNC_PASSPHRASE = "a long sync passphrase"


def command(writer: str, out: Path | str, *, force: bool = False) -> list[str]:
    extra = ["--force"] if force and writer not in NEVER_REPLACES else []
    return [*WRITERS[writer], "--out", str(out), *extra]


def fingerprint(path: Path) -> dict[str, str]:
    """The shop file and its key file, byte for byte."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (path, key_file_path(path)) if p.exists()}


def listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Every entry of a folder (hidden ones too) with its size and mode."""
    return {p.name: (p.lstat().st_size, p.lstat().st_mode) for p in folder.iterdir()}


@pytest.fixture(scope="session")
def stocked_template(shop_template, tmp_path_factory) -> Path:
    """The template shop with a customer, her reservation and warranty, and her yes to emails."""
    path = tmp_path_factory.mktemp("stocked") / "shop.regulars"
    shutil.copy2(shop_template, path)
    shutil.copy2(key_file_path(shop_template), key_file_path(path))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(PASSPHRASE_ENV, PASSPHRASE)
        for args in (
            ("signup", "--first-name", "Ana", "--phone", "(11) 98765-4321", "--email", "ana@example.com",
             "--consent", "email"),
            ("reservations", "add", "--customer", "1", "--item", "Bolo", "--expected", "2099-12-24"),
            ("warranties", "add", "--customer", "1", "--product", "Moinho", "--serial", "MOI-123",
             "--purchased", "2024-03-15"),
        ):
            assert main(["--db", str(path), *args]) == 0
    return path


@pytest.fixture
def stocked(stocked_template, tmp_path, monkeypatch) -> Path:
    """A fresh copy of the stocked shop, in this test's own folder; the sync passphrase set."""
    monkeypatch.setenv("REGULARS_SYNC_PASSPHRASE", SYNC_PASSPHRASE)
    path = tmp_path / "shop" / "shop.regulars"
    path.parent.mkdir()
    shutil.copy2(stocked_template, path)
    shutil.copy2(key_file_path(stocked_template), key_file_path(path))
    return path

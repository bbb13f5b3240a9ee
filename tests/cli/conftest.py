"""The command line, run in this process as a shop owner would type it."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.cli import NEW_PASSPHRASE_ENV, PASSPHRASE_ENV, RECOVERY_KEY_ENV, main
from tests.cli.helpers import ok_json
from tests.conftest import PASSPHRASE, copy_shop

# One of each record a command can name, each numbered 1 (a customer with a loyalty card, a
# programme, a reservation, a warranty with a claim, a call to follow up).
RECORDS = (
    ("customers", "add", "--first-name", "Ana", "--last-name", "Conceição", "--phone", "(11) 98765-4321"),
    ("loyalty", "programs", "add", "--name", "Café", "--reward-at", "10", "--reward", "A coffee"),
    ("loyalty", "card", "1"),
    ("reservations", "add", "--customer", "1", "--item", "Bolo", "--expected", "2030-01-10"),
    ("warranties", "add", "--customer", "1", "--product", "Kettle", "--serial", "KT-100", "--purchased", "2026-01-10"),
    ("warranties", "claim", "1", "--problem", "Leaks"),
    ("calls", "log", "--reason", "Question", "--customer", "1", "--follow-up", "2030-01-10"),
)


@pytest.fixture
def cli(monkeypatch, capsys):
    """Runs main() with the passphrase in the environment; returns (exit status, stdout, stderr).

    No other key variables leak in from the developer's shell, and no traceback ever
    reaches stderr.
    """
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    monkeypatch.delenv(NEW_PASSPHRASE_ENV, raising=False)
    monkeypatch.delenv(RECOVERY_KEY_ENV, raising=False)

    def run(db: Path, *args: str) -> tuple[int, str, str]:
        status = main(["--db", str(db), *args])
        out, err = capsys.readouterr()
        assert "Traceback" not in err, err
        return status, out, err

    return run


@pytest.fixture
def ana(cli, shop_path) -> dict:
    """Ana Conceição, customer #1, with a phone (a module may bring its own Ana instead)."""
    return ok_json(cli, shop_path, "customers", "add", "--first-name", "Ana", "--last-name", "Conceição",
                   "--phone", "(11) 98765-4321", "--json")


@pytest.fixture(scope="session")
def records_template(shop_template, tmp_path_factory) -> Path:
    path = copy_shop(shop_template, tmp_path_factory.mktemp("records") / "shop.regulars")
    with pytest.MonkeyPatch.context() as env:
        env.setenv(PASSPHRASE_ENV, PASSPHRASE)
        env.delenv(RECOVERY_KEY_ENV, raising=False)
        for command in RECORDS:
            assert main(["--db", str(path), *command]) == 0, command
    return path


@pytest.fixture
def records_path(records_template, tmp_path) -> Path:
    """A fresh copy of a shop holding RECORDS, closed, in this test's own folder."""
    return copy_shop(records_template, tmp_path / "records" / "shop.regulars")

"""The command line, run in this process as a shop owner would type it."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.cli import NEW_PASSPHRASE_ENV, PASSPHRASE_ENV, RECOVERY_KEY_ENV, main
from tests.cli.helpers import ok_json
from tests.conftest import PASSPHRASE


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

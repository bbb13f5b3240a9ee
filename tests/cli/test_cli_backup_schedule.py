"""`backup-settings --schedule on|off`: the daily backup from the system's scheduler, with nobody at the till."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import keyring
import keyring.backends.null

from desktop.cli import NEW_PASSPHRASE_ENV, PASSPHRASE_ENV, PIN_ENV, RECOVERY_KEY_ENV, main
from desktop.services import backup_schedule
from desktop.services.staff import add_staff
from tests.backup_helpers import files_in
from tests.cli.helpers import made_recovery_key, shop_session
from tests.memory_keyring import KEYRING_FILE_ENV

REPOSITORY = str(Path(__file__).resolve().parents[2])  # the scheduled task imports tests.memory_keyring
from tests.schedule_helpers import scheduler_home


@pytest.fixture
def place(monkeypatch, tmp_path):
    return scheduler_home(monkeypatch, tmp_path, systemctl=True)


@pytest.fixture
def folder(cli, shop_path, tmp_path) -> Path:
    folder = tmp_path / "usb"
    folder.mkdir()
    assert cli(shop_path, "backup-settings", "--folder", str(folder))[0] == 0
    return folder


def test_schedule_on_registers_the_timer_and_the_task_then_backs_up_without_a_passphrase(
        cli, shop_path, folder, place, monkeypatch, capsys):
    status, out, err = cli(shop_path, "backup-settings", "--schedule", "on")
    assert (status, err) == (0, "")
    assert "even when Regulars is closed" in out and "kept in this computer's credential store" in out
    assert "Scheduled backup:  on" in out
    name = backup_schedule.entry_name(shop_path.resolve())
    assert (place.units() / f"{name}.timer").is_file()
    assert f"--user enable --now {name}.timer" in place.calls()

    monkeypatch.delenv(PASSPHRASE_ENV)  # what the scheduler runs: no passphrase given, no terminal
    assert main(["--db", str(shop_path), "backup", "--scheduled"]) == 0
    assert "Backed up 0 customers" in capsys.readouterr().out
    assert len(files_in(folder)) == 2


def test_schedule_off_removes_the_entry_and_the_kept_passphrase(cli, shop_path, folder, place):
    assert cli(shop_path, "backup-settings", "--schedule", "on")[0] == 0
    status, out, err = cli(shop_path, "backup-settings", "--schedule", "off", "--json")
    assert (status, err) == (0, "") and json.loads(out)["schedule"] == "off"
    assert list(place.units().iterdir()) == []
    assert backup_schedule.stored_passphrase(shop_path) is None


def test_schedule_on_without_a_folder_is_refused_and_names_the_option(cli, shop_path, place):
    status, out, err = cli(shop_path, "backup-settings", "--schedule", "on")
    assert (status, out) == (1, "") and err.startswith("regulars: --schedule: Choose the backup folder first")
    assert not place.units().exists()


def test_schedule_on_needs_the_passphrase_not_the_recovery_key(cli, shop_path, folder, place, monkeypatch):
    recovery_key = made_recovery_key(cli, shop_path)
    monkeypatch.setenv(RECOVERY_KEY_ENV, recovery_key)
    status, out, err = cli(shop_path, "backup-settings", "--schedule", "on")
    assert (status, out) == (1, "") and "needs the shop passphrase" in err
    assert not backup_schedule.is_on(shop_path)


def test_a_bad_schedule_value_is_a_usage_error(cli, shop_path, capsys):
    with pytest.raises(SystemExit) as exit_status:
        main(["--db", str(shop_path), "backup-settings", "--schedule", "daily"])
    assert exit_status.value.code == 2
    assert "--schedule" in capsys.readouterr().err


def test_after_a_passphrase_change_the_scheduled_run_says_to_turn_the_schedule_on_again(
        cli, shop_path, folder, place, monkeypatch, capsys):
    assert cli(shop_path, "backup-settings", "--schedule", "on")[0] == 0
    monkeypatch.setenv(NEW_PASSPHRASE_ENV, "a brand new passphrase 2026")
    assert cli(shop_path, "passphrase", "change")[0] == 0

    monkeypatch.delenv(PASSPHRASE_ENV)
    assert main(["--db", str(shop_path), "backup", "--scheduled"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "no longer opens the shop" in err and "--schedule on" in err
    assert files_in(folder) == []


def test_without_a_protected_credential_store_schedule_on_is_refused_and_says_what_to_do(
        cli, shop_path, folder, place):
    keyring.set_keyring(keyring.backends.null.Keyring())
    status, out, err = cli(shop_path, "backup-settings", "--schedule", "on")
    assert (status, out) == (1, "")
    assert err.startswith("regulars: --schedule: This computer has no protected credential store; keep Regulars open")
    assert "`regulars backup --scheduled` from a task that supplies REGULARS_PASSPHRASE itself" in err
    assert not place.units().exists()
    assert [path for path in place.home.rglob("*") if path.is_file()] == []


def test_the_scheduled_run_backs_up_a_shop_with_staff_accounts(cli, shop_path, folder, place, monkeypatch, capsys):
    with shop_session(shop_path, write=True) as session:
        add_staff(session, "Olga", "owner", "73915864")
    monkeypatch.setenv(PIN_ENV, "73915864")
    assert cli(shop_path, "--as", "Olga", "backup-settings", "--schedule", "on")[0] == 0

    monkeypatch.delenv(PASSPHRASE_ENV)
    monkeypatch.delenv(PIN_ENV)  # nobody at the till names themselves
    assert main(["--db", str(shop_path), "backup", "--scheduled"]) == 0
    assert "Backed up 0 customers" in capsys.readouterr().out
    assert len(files_in(folder)) == 2


def test_the_scheduled_task_reads_the_passphrase_from_the_credential_store_in_its_own_process(
        cli, shop_path, folder, place, monkeypatch, tmp_path):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.memory_keyring.FileKeyring")
    monkeypatch.setenv(KEYRING_FILE_ENV, str(tmp_path / "credential-store.json"))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [REPOSITORY, os.environ.get("PYTHONPATH")])))
    monkeypatch.delenv(PASSPHRASE_ENV)
    setting = subprocess.run([sys.executable, "-m", "desktop", "--db", str(shop_path), "backup-settings",
                              "--schedule", "on"], input=b"", capture_output=True, timeout=120,
                             env=dict(os.environ, **{PASSPHRASE_ENV: "correct horse battery"}))  # fmt: skip
    assert setting.returncode == 0, setting.stderr.decode()

    task = subprocess.run([sys.executable, "-m", "desktop", "--db", str(shop_path), "backup", "--scheduled"],
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=120)  # fmt: skip
    assert task.returncode == 0, task.stderr.decode()
    assert b"Backed up 0 customers" in task.stdout
    assert len(files_in(folder)) == 2


def test_a_scheduled_run_left_with_an_earlier_builds_plain_file_says_to_turn_the_schedule_off_and_on(
        cli, shop_path, folder, place, monkeypatch, capsys):
    legacy = backup_schedule.legacy_passphrase_path(shop_path)
    legacy.parent.mkdir(parents=True)
    legacy.write_text("correct horse battery", encoding="utf-8")
    monkeypatch.delenv(PASSPHRASE_ENV)
    assert main(["--db", str(shop_path), "backup", "--scheduled"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "no longer read from a plain file" in err and "--schedule on" in err
    assert files_in(folder) == []

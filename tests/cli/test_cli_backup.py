"""The command line for backups: backup, the daily --scheduled run, backup-settings and restore."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from desktop.cli import PASSPHRASE_ENV, RECOVERY_KEY_ENV
from desktop.cli import backups as backups_cli
from desktop.db.engine import open_shop_file
from desktop.db.key_file import key_file_path
from tests.backup_helpers import files_in, table_rows
from tests.cli.helpers import made_recovery_key
from tests.conftest import PASSPHRASE


@pytest.fixture
def filled(cli, shop_path) -> Path:
    for first, phone in (("Ana", "(11) 98765-4321"), ("Bruno", "(21) 99876-1234"), ("Γιώργος", "+30 691 234 5678")):
        assert cli(shop_path, "customers", "add", "--first-name", first, "--phone", phone)[0] == 0
    return shop_path


@pytest.fixture
def out_folder(tmp_path) -> Path:
    folder = tmp_path / "backups"
    folder.mkdir()
    return folder


def rows(path: Path) -> dict:
    """Every row; not when the last backup was, nor the audit entries that the live shop records
    after each backup (those before it are compared by ``audit_trail``)."""
    database = open_shop_file(path, PASSPHRASE)
    try:
        everything = table_rows(database, ignore=("last_backup_at",))
    finally:
        database.close()
    everything.pop("audit_entries")
    return everything


def audit_trail(path: Path) -> list[tuple]:
    """(action, entry hash) of every audit entry, oldest first."""
    database = open_shop_file(path, PASSPHRASE)
    try:
        with database.engine.connect() as conn:
            return list(conn.exec_driver_sql("SELECT action, entry_hash FROM audit_entries ORDER BY id").tuples())
    finally:
        database.close()


def assert_restored_trail(restored: Path, live: Path) -> None:
    """The restored trail is the live one as it was at the backup: a prefix, ending before "backed_up"."""
    old, now = audit_trail(restored), audit_trail(live)
    assert now[: len(old)] == old and now[len(old)][0] == "backed_up"


def answer(monkeypatch, text: str) -> None:
    """stdin is a terminal on which the owner types ``text``."""

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(backups_cli.sys, "stdin", Terminal(text))


def test_backup_and_restore_round_trip(cli, filled, out_folder, tmp_path):
    backup = out_folder / "monday.regulars"
    status, out, err = cli(filled, "backup", "--out", str(backup))
    assert (status, err) == (0, "")
    assert "Backed up 3 customers" in out and str(key_file_path(backup)) in out and "together" in out
    assert files_in(out_folder) == ["monday.regulars", "monday.regulars.key"]

    restored = tmp_path / "restored" / "shop.regulars"
    restored.parent.mkdir()
    status, out, err = cli(restored, "restore", str(backup))
    assert (status, err) == (0, "")
    assert "Restored 3 customers" in out
    assert rows(restored) == rows(filled)
    status, out, _ = cli(restored, "customers", "find", "ana")
    assert status == 0 and "Ana" in out


def test_backup_json(cli, filled, out_folder):
    status, out, _ = cli(filled, "backup", "--out", str(out_folder / "b.regulars"), "--json")
    report = json.loads(out)
    assert status == 0 and report["customers"] == 3 and report["key_file"].endswith("b.regulars.key")
    assert report["rows"]["customer_phones"] == 3


def test_ctrl_c_during_a_backup_leaves_nothing(cli, filled, out_folder, monkeypatch):
    def pressed(self, done, total):
        raise KeyboardInterrupt

    monkeypatch.setattr(backups_cli.TerminalProgress, "__call__", pressed)
    status, out, err = cli(filled, "backup", "--out", str(out_folder / "b.regulars"))
    assert (status, out) == (1, "")
    assert "cancelled" in err and "nothing was written" in err
    assert files_in(out_folder) == []


def test_progress_line_only_on_a_terminal(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    monkeypatch.setattr(backups_cli.sys, "stderr", screen)
    progress = backups_cli.TerminalProgress()
    for done in (0, 21, 42, 42, 100):
        progress(done, 100)
    progress.end()
    assert screen.getvalue() == (
        "\rBacking up… 0%\rBacking up… 21%\rBacking up… 42%\rBacking up… 100%, checking the copy…\n"
    )

    piped = io.StringIO()
    monkeypatch.setattr(backups_cli.sys, "stderr", piped)
    progress = backups_cli.TerminalProgress()
    progress(50, 100)
    progress.end()
    assert piped.getvalue() == ""


def test_backup_to_an_existing_file_is_refused(cli, filled, out_folder):
    (out_folder / "b.regulars").write_text("mine")
    status, out, err = cli(filled, "backup", "--out", str(out_folder / "b.regulars"))
    assert (status, out) == (1, "")
    assert "already exists" in err and str(out_folder / "b.regulars") in err
    assert (out_folder / "b.regulars").read_text() == "mine"


def test_backup_needs_out_or_scheduled(cli, filled):
    with pytest.raises(SystemExit) as usage:
        cli(filled, "backup")
    assert usage.value.code == 2


def test_backup_settings_show_change_and_refuse(cli, filled, out_folder):
    status, out, _ = cli(filled, "backup-settings")
    assert status == 0 and "(none" in out and "14" in out and "never" in out and "overdue" in out

    status, out, _ = cli(filled, "backup-settings", "--folder", str(out_folder), "--keep", "5", "--json")
    assert status == 0
    assert json.loads(out) | {"last_backup_at": None} == {
        "folder": str(out_folder), "keep": 5, "warn_days": 2, "last_backup_at": None, "last_export_at": None,
        "overdue": True, "schedule": "off",
    }
    status, out, err = cli(filled, "backup-settings", "--keep", "0", "--warn-days", "100")
    assert (status, out) == (1, "")
    assert "--keep:" in err and "--warn-days:" in err
    status, out, _ = cli(filled, "backup-settings", "--json")
    assert json.loads(out)["keep"] == 5 and json.loads(out)["warn_days"] == 2


def test_scheduled_backup_needs_a_folder_then_runs_once_a_day(cli, filled, out_folder):
    status, out, err = cli(filled, "backup", "--scheduled")
    assert (status, out) == (1, "") and "backup-settings --folder" in err

    assert cli(filled, "backup-settings", "--folder", str(out_folder))[0] == 0
    status, out, err = cli(filled, "backup", "--scheduled")
    assert (status, err) == (0, "") and "Backed up 3 customers" in out
    assert len(files_in(out_folder)) == 2
    status, out, err = cli(filled, "backup", "--scheduled")
    assert (status, err) == (0, "") and "Not due" in out and "last backup was at" in out
    assert len(files_in(out_folder)) == 2


@pytest.fixture
def backup(cli, filled, out_folder) -> Path:
    path = out_folder / "b.regulars"
    assert cli(filled, "backup", "--out", str(path))[0] == 0
    return path


@pytest.fixture
def other_shop(cli, tmp_path) -> Path:
    """A different shop at the restore target, with its own customer."""
    path = tmp_path / "target" / "shop.regulars"
    assert cli(path, "demo", "--customers", "0")[0] == 0
    assert cli(path, "customers", "add", "--first-name", "Zélia", "--phone", "(31) 98888-7777")[0] == 0
    return path


def test_restore_over_an_existing_shop_needs_replace(cli, backup, other_shop):
    before = files_in(other_shop.parent)
    status, out, err = cli(other_shop, "restore", str(backup))
    assert (status, out) == (1, "")
    assert "--replace" in err and str(other_shop) in err
    assert files_in(other_shop.parent) == before


def test_restore_replace_answered_no_changes_nothing(cli, backup, other_shop, monkeypatch):
    before = rows(other_shop)
    names = files_in(other_shop.parent)
    answer(monkeypatch, "n\n")
    status, out, err = cli(other_shop, "restore", str(backup), "--replace")
    assert status == 1 and "Nothing was changed" in err
    assert "Replace the shop file at" in out and ".before-restore-" in out
    assert files_in(other_shop.parent) == names and rows(other_shop) == before


def test_restore_replace_without_a_terminal_needs_yes(cli, backup, other_shop):
    before = files_in(other_shop.parent)
    status, _, err = cli(other_shop, "restore", str(backup), "--replace")
    assert status == 1 and "--yes" in err
    assert files_in(other_shop.parent) == before


def test_restore_replace_answered_yes_keeps_the_old_shop(cli, backup, filled, other_shop, monkeypatch):
    old = rows(other_shop)
    answer(monkeypatch, "y\n")
    status, out, err = cli(other_shop, "restore", str(backup), "--replace")
    assert (status, err) == (0, "")
    kept = [p for p in other_shop.parent.iterdir() if ".before-restore-" in p.name and not p.name.endswith(".key")]
    assert len(kept) == 1 and key_file_path(kept[0]).exists() and str(kept[0]) in out
    assert rows(kept[0]) == old
    assert rows(other_shop) == rows(filled)


def test_restore_replace_yes_does_not_ask(cli, backup, filled, other_shop):
    status, out, err = cli(other_shop, "restore", str(backup), "--replace", "--yes", "--json")
    assert (status, err) == (0, "")
    report = json.loads(out)
    assert report["customers"] == 3 and ".before-restore-" in report["kept"]
    assert rows(other_shop) == rows(filled)


@pytest.mark.parametrize("damage", ["truncate", "flip", "no-key-file", "not-a-file"])
def test_restore_a_bad_backup_exits_1_with_a_message(cli, backup, tmp_path, damage):
    if damage == "truncate":
        backup.write_bytes(backup.read_bytes()[:5000])
    elif damage == "flip":
        data = bytearray(backup.read_bytes())
        data[len(data) // 2] ^= 0x40
        backup.write_bytes(bytes(data))
    elif damage == "no-key-file":
        key_file_path(backup).unlink()
    else:
        backup = tmp_path / "nothing-here.regulars"
    target = tmp_path / "new" / "shop.regulars"
    target.parent.mkdir()
    status, out, err = cli(target, "restore", str(backup))
    assert (status, out) == (1, "")
    assert err.startswith("regulars: ") and str(backup) in err
    assert files_in(target.parent) == []


def test_restore_with_a_wrong_passphrase(cli, backup, tmp_path, monkeypatch):
    monkeypatch.setenv(PASSPHRASE_ENV, "not the passphrase")
    target = tmp_path / "restored.regulars"
    status, _, err = cli(target, "restore", str(backup))
    assert status == 1 and "passphrase is wrong" in err and str(backup) in err
    assert not target.exists()


def test_restore_with_the_recovery_key(cli, filled, out_folder, tmp_path, monkeypatch):
    recovery = made_recovery_key(cli, filled)
    backup = out_folder / "b.regulars"
    assert cli(filled, "backup", "--out", str(backup))[0] == 0
    monkeypatch.delenv(PASSPHRASE_ENV)
    monkeypatch.setenv(RECOVERY_KEY_ENV, recovery)
    target = tmp_path / "restored.regulars"
    status, out, err = cli(target, "restore", str(backup))
    assert (status, err) == (0, "")
    assert rows(target) == rows(filled)


def test_restore_replace_over_a_shop_whose_passphrase_changed_since_asks_for_its_own(cli, backup, other_shop,
                                                                                     monkeypatch):
    monkeypatch.setenv("REGULARS_NEW_PASSPHRASE", "a newer passphrase 2026")
    assert cli(other_shop, "passphrase", "change")[0] == 0
    before = files_in(other_shop.parent)
    status, out, err = cli(other_shop, "restore", str(backup), "--replace", "--yes")
    assert (status, out) == (1, "")
    assert f"The shop file being replaced, {other_shop}, does not open with that passphrase" in err
    assert "Nothing was changed" in err and files_in(other_shop.parent) == before

    answer(monkeypatch, "")
    monkeypatch.setattr(backups_cli.getpass, "getpass", lambda prompt="": "a newer passphrase 2026")
    status, out, err = cli(other_shop, "restore", str(backup), "--replace", "--yes")
    assert (status, err) == (0, "") and "Restored 3 customers" in out

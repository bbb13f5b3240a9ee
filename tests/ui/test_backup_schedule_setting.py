"""Shop settings -> Backups: "Run the daily backup even when Regulars is closed" registers the system's scheduler."""

from __future__ import annotations

from pathlib import Path

import keyring.backends.fail
import pytest

from desktop.services import backup_schedule
from desktop.ui.backup_settings import BackupSettingsPage
from tests.conftest import PASSPHRASE
from tests.schedule_helpers import scheduler_home


@pytest.fixture
def place(monkeypatch, tmp_path):
    return scheduler_home(monkeypatch, tmp_path, systemctl=True)


def open_page(qtbot, context) -> BackupSettingsPage:
    page = BackupSettingsPage(context)
    qtbot.addWidget(page)
    page.show()
    return page


def test_ticking_the_box_with_the_passphrase_schedules_the_backup_and_unticking_removes_it(
        qtbot, context, place, tmp_path: Path):
    folder = tmp_path / "usb"
    folder.mkdir()
    page = open_page(qtbot, context)
    assert not page.schedule.isChecked() and not page.schedule_passphrase.isVisible()
    page.folder.setText(str(folder))
    page.schedule.setChecked(True)
    assert page.schedule_passphrase.isVisible() and page.schedule_note.isVisible()
    assert "credential store" in page.schedule_note.text() and "never in a file" in page.schedule_note.text()
    assert "credential store" in page.schedule.text()
    page.schedule_passphrase.setText(PASSPHRASE)
    assert page.save()

    name = backup_schedule.entry_name(Path(context.database.path).resolve())
    assert (place.units() / f"{name}.timer").is_file()
    assert f"--user enable --now {name}.timer" in place.calls()
    assert backup_schedule.stored_passphrase(context.database.path) == PASSPHRASE
    assert page.schedule_passphrase.text() == "" and not page.schedule_passphrase.isVisible()

    again = open_page(qtbot, context)
    assert again.schedule.isChecked() and not again.schedule_passphrase.isVisible()
    again.schedule.setChecked(False)
    assert again.save()
    assert not backup_schedule.is_on(context.database.path)
    assert list(place.units().iterdir()) == []


def test_a_wrong_passphrase_is_named_under_its_field_and_nothing_is_scheduled(qtbot, context, place, tmp_path):
    folder = tmp_path / "usb"
    folder.mkdir()
    page = open_page(qtbot, context)
    page.folder.setText(str(folder))
    page.schedule.setChecked(True)
    page.schedule_passphrase.setText("not it")
    assert not page.save()
    assert "not the shop's passphrase" in page.errors.text_of("schedule")
    assert not backup_schedule.is_on(context.database.path) and not place.units().exists()


def test_without_a_folder_the_box_asks_for_one_first(qtbot, context, place):
    page = open_page(qtbot, context)
    page.schedule.setChecked(True)
    page.schedule_passphrase.setText(PASSPHRASE)
    assert not page.save()
    assert "Choose the backup folder first" in page.errors.text_of("schedule")
    assert not backup_schedule.is_on(context.database.path)


def test_without_a_protected_credential_store_the_box_says_so_and_nothing_is_scheduled(qtbot, context, place, tmp_path):
    keyring.set_keyring(keyring.backends.fail.Keyring())
    folder = tmp_path / "usb"
    folder.mkdir()
    page = open_page(qtbot, context)
    page.folder.setText(str(folder))
    page.schedule.setChecked(True)
    page.schedule_passphrase.setText(PASSPHRASE)
    assert not page.save()
    assert "no protected credential store" in page.errors.text_of("schedule")
    assert not place.units().exists()

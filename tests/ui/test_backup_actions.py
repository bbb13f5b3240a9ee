"""Backups from the window: Back up now (on a worker, cancellable), the daily backup, the status label, the settings page."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QPushButton

from desktop.db.engine import open_shop_file
from desktop.models.base import utc_now
from desktop.services.backups import (
    BackupSettings,
    backup_settings,
    update_backup_settings,
)
from desktop.services.shop import shop_settings
from desktop.ui import backup_actions as module
from desktop.ui.backup_actions import OVERDUE_STYLE, BackupActions
from desktop.ui.backup_settings import BackupSettingsPage
from tests.backup_helpers import files_in
from tests.conftest import PASSPHRASE


@pytest.fixture
def window(qtbot) -> QMainWindow:
    window = QMainWindow()
    qtbot.addWidget(window)
    return window


@pytest.fixture
def actions(context, window) -> BackupActions:
    actions = BackupActions(context, window)
    window.statusBar().addPermanentWidget(actions.status_label)
    yield actions
    actions.shutdown()


@pytest.fixture
def folder(tmp_path) -> Path:
    path = tmp_path / "backups"
    path.mkdir()
    return path


def set_last_backup(context, at) -> None:
    with context.database.writing() as session:
        shop_settings(session).last_backup_at = at


def test_back_up_now_writes_the_pair_and_updates_the_label(qtbot, actions, folder, monkeypatch, window):
    assert actions.status_label.text() == "No backup yet"
    assert actions.status_label.styleSheet() == OVERDUE_STYLE
    chosen = folder / "till-backup"  # typed without the extension
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(chosen), ""))
    with qtbot.waitSignal(actions.finished, timeout=20_000) as finished:
        actions.back_up_action.trigger()
    report = finished.args[0]
    assert report.path == folder / "till-backup.regulars"
    assert files_in(folder) == ["till-backup.regulars", "till-backup.regulars.key"]
    open_shop_file(report.path, PASSPHRASE).close()
    assert actions.status_label.text().startswith("Last backup: ")
    assert actions.status_label.styleSheet() == ""
    assert "till-backup.regulars" in window.statusBar().currentMessage()


def test_the_window_stays_responsive_and_cancel_leaves_nothing(qtbot, actions, folder, monkeypatch, window):
    """The backup waits inside its first step until the test lets it go, so Cancel lands mid-way."""
    release = threading.Event()
    real_back_up = module.back_up

    def held_back_up(database, out, *, progress, cancelled):
        def held(done, total):
            progress(done, total)
            release.wait(10)

        return real_back_up(database, out, progress=held, cancelled=cancelled)

    monkeypatch.setattr(module, "back_up", held_back_up)
    job = actions.back_up_to(folder / "b.regulars")
    qtbot.waitUntil(lambda: actions._progress is not None and actions._progress.value() >= 0)
    assert actions.busy()
    qtbot.wait(50)  # the event loop runs while the backup is held: the window is not blocked
    actions._progress.findChild(QPushButton).click()  # the dialog's Cancel button
    release.set()
    qtbot.waitUntil(lambda: not job.running(), timeout=10_000)
    qtbot.waitUntil(lambda: "cancelled" in window.statusBar().currentMessage())
    assert files_in(folder) == []
    assert actions.status_label.text() == "No backup yet"


def test_a_failed_backup_says_why(qtbot, actions, folder, monkeypatch):
    (folder / "b.regulars").write_text("mine")
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append(text))
    actions.back_up_to(folder / "b.regulars")
    qtbot.waitUntil(lambda: bool(warnings), timeout=10_000)
    assert "already exists" in warnings[0] and str(folder / "b.regulars") in warnings[0]
    assert files_in(folder) == ["b.regulars"]


@pytest.mark.parametrize(
    ("age", "text", "style"),
    [
        (None, "No backup yet", OVERDUE_STYLE),
        (timedelta(days=5, hours=3), "No backup for 5 days", OVERDUE_STYLE),
        (timedelta(days=2, hours=1), "No backup for 2 days", OVERDUE_STYLE),
        (timedelta(hours=30), None, ""),  # within the two days the shop allows
    ],
)
def test_overdue_label(actions, context, age, text, style):
    set_last_backup(context, utc_now() - age if age is not None else None)
    actions.refresh_status()
    if text is None:
        assert actions.status_label.text().startswith("Last backup: ")
    else:
        assert actions.status_label.text() == text
    assert actions.status_label.styleSheet() == style
    assert "Last export: never" in actions.status_label.toolTip()


def test_one_day_is_singular(actions, context):
    with context.database.writing() as session:
        shop_settings(session).backup_warn_days = 1
    set_last_backup(context, utc_now() - timedelta(days=1, hours=2))
    actions.refresh_status()
    assert actions.status_label.text() == "No backup for 1 day"


def test_the_daily_backup_runs_when_due_and_is_silent(qtbot, actions, context, folder, window):
    assert actions.check_schedule() is None  # no folder: nothing to do
    with context.database.writing() as session:
        update_backup_settings(session, BackupSettings(folder=str(folder)))
    with qtbot.waitSignal(actions.finished, timeout=20_000):
        assert actions.check_schedule() is not None
    assert len(files_in(folder)) == 2
    assert actions.status_label.text().startswith("Last backup: ")
    assert window.statusBar().currentMessage() == ""
    assert actions.check_schedule() is None  # done for today


def test_a_failing_daily_backup_shows_in_the_label(qtbot, actions, context, folder):
    with context.database.writing() as session:
        update_backup_settings(session, BackupSettings(folder=str(folder)))
    folder.rmdir()  # the USB stick was taken out
    actions.check_schedule()
    qtbot.waitUntil(lambda: actions.status_label.text() == "Automatic backup failed", timeout=10_000)
    assert actions.status_label.styleSheet() == OVERDUE_STYLE
    assert str(folder) in actions.status_label.toolTip()


def test_start_looks_at_the_schedule_and_then_hourly(qtbot, actions, context, folder):
    with context.database.writing() as session:
        update_backup_settings(session, BackupSettings(folder=str(folder)))
    with qtbot.waitSignal(actions.finished, timeout=20_000):
        actions.start()
    assert actions._timer.isActive() and actions._timer.interval() == 60 * 60 * 1000


# The settings page


def test_settings_page_loads_and_saves(qtbot, context, folder):
    page = BackupSettingsPage(context)
    qtbot.addWidget(page)
    assert (page.folder.text(), page.keep.value(), page.warn_days.value()) == ("", 14, 2)
    page.folder.setText(str(folder))
    page.keep.setValue(7)
    page.warn_days.setValue(3)
    with qtbot.waitSignal(page.saved):
        assert page.save()
    with context.database.reading() as session:
        assert backup_settings(session) == BackupSettings(folder=str(folder), keep=7, warn_days=3)


def test_settings_page_shows_the_field_error_and_writes_nothing(qtbot, context, tmp_path):
    page = BackupSettingsPage(context)
    qtbot.addWidget(page)
    page.folder.setText(str(tmp_path / "missing"))
    assert not page.save()
    assert "There is no folder" in page.errors.text_of("folder")
    with context.database.reading() as session:
        assert backup_settings(session).folder == ""



# In the main window and the shop settings


def test_main_window_offers_back_up_now_and_shows_the_label(qtbot, context):
    from PySide6.QtWidgets import QLabel

    from desktop.ui.main_window import MainWindow

    window = MainWindow(context)
    qtbot.addWidget(window)
    customers_menu = window.menuBar().actions()[0].menu()
    texts = [action.text() for action in customers_menu.actions()]
    assert texts[texts.index("Change passphrase…") + 1] == "Back up now…"
    label = window.statusBar().findChild(QLabel, "backup_status")
    assert label is window.backups.status_label and label.text() == "No backup yet"
    window.backups.shutdown()


def test_shop_settings_has_a_backups_tab(qtbot, context, folder, tmp_path):
    from desktop.ui.shop_settings_dialog import ShopSettingsDialog

    dialog = ShopSettingsDialog(context)
    qtbot.addWidget(dialog)
    tabs = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert "Backups" in tabs
    dialog.backups.folder.setText(str(tmp_path / "missing"))
    dialog.save()
    assert dialog.tabs.currentWidget() is dialog.backups and dialog.result() == 0
    dialog.backups.folder.setText(str(folder))
    with qtbot.waitSignal(dialog.saved):
        dialog.save()
    with context.database.reading() as session:
        assert backup_settings(session).folder == str(folder)

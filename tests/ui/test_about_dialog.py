"""Help -> About names the version, this shop's files and backups, and the licences of what ships; the app has its icon."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from desktop import __version__
from desktop.services.backups import BackupSettings, update_backup_settings
from desktop.ui.about_dialog import AboutDialog
from desktop.ui.app import make_application
from desktop.ui.main_window import MainWindow


def test_help_about_shows_the_version_the_shop_files_and_the_licences(qtbot, context, tmp_path: Path):
    backups = tmp_path / "usb-stick"
    backups.mkdir()
    with context.database.writing() as session:
        update_backup_settings(session, BackupSettings(folder=str(backups)))
    window = MainWindow(context)
    qtbot.addWidget(window)
    help_menu = next(action.menu() for action in window.menuBar().actions() if action.text() == "&Help")
    assert window.about_action in help_menu.actions()

    window.about_action.trigger()
    dialog = window.findChild(AboutDialog)
    assert dialog is not None and dialog.isVisible()
    assert f"Regulars {__version__}" in dialog.version.text()
    places = dialog.places.text()
    assert str(context.database.path) in places
    assert f"{context.database.path}.key" in places
    assert str(backups) in places
    licences = dialog.licences.text()
    for component, licence in (("PySide6", "LGPL-3.0"), ("SQLCipher", "BSD-3-Clause"), ("ReportLab", "BSD-3-Clause"),
                               ("DejaVu fonts", "Bitstream Vera")):
        assert component in licences and licence in licences
    assert not dialog.windowIcon().isNull()


def test_about_says_where_to_set_a_backup_folder_when_there_is_none(qtbot, context):
    dialog = AboutDialog(context)
    qtbot.addWidget(dialog)
    assert "Shop settings → Backups" in dialog.places.text()


def test_the_application_has_the_regulars_icon(qtbot):
    app = make_application()
    assert app is QApplication.instance()
    assert not app.windowIcon().isNull()
    assert app.windowIcon().availableSizes()

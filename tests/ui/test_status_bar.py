"""The status bar: shortened in the middle with the whole text in a tooltip; the backup warning only for who can back up."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from desktop.ui.main_window import MainWindow
from tests.ui.staff_helpers import add_team, sign_in_as


def _window(qtbot, context, width=640) -> MainWindow:
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.resize(width, 500)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_a_long_message_loses_its_middle_and_keeps_the_whole_in_the_tooltip(qtbot, context):
    window = _window(qtbot, context)
    path = "/home/till/Documents/" + "very-long-folder-name/" * 8 + "loyalty-cards.pdf"
    message = f"3 card(s) saved to {path}"
    window.statusBar().showMessage(message)
    qtbot.waitUntil(lambda: window.statusBar().shown_message() != "")  # laid out again, the path stepped aside
    shown = window.statusBar().shown_message()
    assert "…" in shown and shown.startswith("3 card(s) saved to") and shown.endswith("cards.pdf")
    assert window.statusBar().toolTip() == message


def test_the_shop_file_label_loses_its_middle_not_its_end(qtbot, context):
    window = _window(qtbot, context, width=500)
    label = window.statusBar().findChild(QLabel, "shop_file")
    window.grab()
    shown = label.shown_text()
    assert "…" in shown and shown.endswith(label.full_text()[-6:])
    assert label.toolTip() == label.full_text()


def test_no_backup_yet_is_shown_to_who_can_back_up_only(qtbot, context):
    add_team(context)
    window = _window(qtbot, context, width=1100)
    sign_in_as(qtbot, window, "Caio")  # a cashier cannot back up
    assert not window.backups.status_label.isVisible()
    window.switch_staff()
    sign_in_as(qtbot, window, "Olga")
    assert window.backups.status_label.isVisible()
    assert window.backups.status_label.text() == "No backup yet"

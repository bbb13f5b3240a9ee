"""The main window's Forms menu, F8 and the follow-ups under the lookup list."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu, QToolBar

from desktop.ui.call_dialog import CallDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.shop_settings_dialog import ShopSettingsDialog
from desktop.ui.signup_dialog import SignUpDialog
from tests.ui.helpers import shown_main_window


def _window(qtbot, context) -> MainWindow:
    return shown_main_window(qtbot, context)


def test_forms_menu_and_toolbar(qtbot, context):
    window = _window(qtbot, context)
    forms = window.menuBar().findChild(QMenu, "forms_menu")
    assert forms is not None and forms.title() == "&Forms"
    assert [a.text() for a in forms.actions()][:2] == ["Mailing-list sign-up…", "Log a phone call…"]
    assert window.sign_up_action.shortcut().toString() == "Ctrl+Shift+N"
    assert window.log_call_action.shortcut().toString() == "F8"
    assert window.shop_settings_action in window.menuBar().actions()[0].menu().actions()
    toolbar = window.findChild(QToolBar, "main_toolbar")
    assert window.log_call_action in toolbar.actions()


def test_follow_ups_panel_sits_under_the_lookup(qtbot, context):
    window = _window(qtbot, context)
    assert window.follow_ups.isVisible()
    assert window.follow_ups.title.text() == "Follow-ups (0)"
    assert window.follow_ups.geometry().top() >= window.lookup.geometry().bottom()


def test_f8_logs_a_call_and_the_follow_up_shows_at_once(qtbot, context):
    window = _window(qtbot, context)
    qtbot.keyClick(window.lookup.search, Qt.Key.Key_F8)
    dialog = window.findChild(CallDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.is_new_caller()  # nobody searched for: no caller assumed from the recent list
    qtbot.keyClicks(dialog.phone, "31991234567")
    dialog.caller_name.setText("Marta Reis")
    dialog.follow_up.setChecked(True)
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    assert window.follow_ups.title.text() == "Follow-ups (1)"
    assert window.card.name.text() == "Marta Reis"  # the new customer is on the card
    assert window.lookup.model.rowCount() == 4


def test_f8_with_a_searched_customer_logs_their_call(qtbot, context):
    window = _window(qtbot, context)
    qtbot.keyClicks(window.lookup.search, "fernanda")
    dialog = window.log_call()
    assert dialog.caller.text() == "Caller: Fernanda Lima"
    dialog.reject()


def test_sign_up_puts_the_new_customer_on_the_card(qtbot, context):
    window = _window(qtbot, context)
    dialog = window.sign_up()
    assert isinstance(dialog, SignUpDialog)
    dialog.fields["first_name"].setText("Inês")
    dialog.fields["email"].setText("ines@example.pt")
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    assert window.card.name.text() == "Inês"
    assert window.lookup.model.rowCount() == 4


def test_shop_settings_opens_from_the_window(qtbot, context):
    window = _window(qtbot, context)
    dialog = window.shop_settings()
    assert isinstance(dialog, ShopSettingsDialog) and dialog.isVisible()
    dialog.paper_size.setCurrentIndex(dialog.paper_size.findData("Letter"))
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    assert context.paper_size == "Letter"

"""Every form at the till behaves alike: Ctrl+Enter saves, Escape cancels, a fixed field loses its error."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from tests.ui.helpers import shown_main_window

FORMS = ["new_customer", "sign_up", "log_call", "new_reservation", "new_warranty", "shop_settings",
         "change_passphrase"]


def _open(qtbot, window, name):
    dialog = getattr(window, name)()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None and QApplication.focusWidget().window() is dialog)
    return dialog


def _errors_shown(dialog) -> bool:
    return any(label.objectName().startswith("error_") and label.isVisible() for label in dialog.findChildren(QLabel))


@pytest.mark.parametrize("name", FORMS)
def test_ctrl_enter_saves_every_form(qtbot, context, name):
    window = shown_main_window(qtbot, context)
    dialog = _open(qtbot, window, name)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert not dialog.isVisible() or _errors_shown(dialog)  # saved, or told why it could not be


@pytest.mark.parametrize("name", [*FORMS, "show_records", "show_audit", "show_staff"])
def test_escape_cancels_every_form(qtbot, context, name):
    window = shown_main_window(qtbot, context)
    dialog = _open(qtbot, window, name)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def _shown_errors(dialog) -> set[str]:
    return {label.objectName().removeprefix("error_") for label in dialog.findChildren(QLabel)
            if label.objectName().startswith("error_") and not label.isHidden()}


def test_a_sign_up_error_goes_as_soon_as_it_is_fixed(qtbot, context):
    window = shown_main_window(qtbot, context)
    dialog = _open(qtbot, window, "sign_up")
    dialog.consents["email"].setChecked(True)
    dialog.save_button.click()
    assert {"first_name", "phone", "consent_email"} <= _shown_errors(dialog)
    qtbot.keyClicks(dialog.fields["first_name"], "Ines")
    assert "first_name" not in _shown_errors(dialog)
    qtbot.keyClicks(dialog.fields["phone"], "(11) 98765-1111")  # a phone does not answer the email consent
    assert "consent_email" in _shown_errors(dialog) and "phone" not in _shown_errors(dialog)
    qtbot.keyClicks(dialog.fields["email"], "ines@example.pt")
    assert _shown_errors(dialog) == set()

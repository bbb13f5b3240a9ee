"""At the counter: the customer served or saved stays highlighted, and every till key works from the search box."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.ui.customer_form import CustomerForm
from desktop.ui.main_window import MainWindow
from tests.ui.helpers import shown_main_window


def _window(qtbot, context) -> MainWindow:
    window = shown_main_window(qtbot, context)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.lookup.search)
    return window


def test_ctrl_e_edits_from_the_search_box(qtbot, context):
    window = _window(qtbot, context)
    qtbot.keyClicks(window.lookup.search, "fernanda")
    qtbot.keyClick(window.lookup.search, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    form = window.findChild(CustomerForm)
    assert form is not None and form.isVisible()
    form.reject()


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs an X server (Xvfb) to use X11's key bindings")
def test_ctrl_e_edits_from_the_search_box_under_x11():
    """The offscreen platform binds keys as Windows does; on X11 a line edit takes Ctrl+E as "end of line",
    which is what a cashier on Linux met. The same test, run there."""
    here = Path(__file__)
    environment = {**os.environ, "QT_QPA_PLATFORM": "xcb"}
    run = subprocess.run(
        ["xvfb-run", "-a", sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         f"{here}::test_ctrl_e_edits_from_the_search_box"],
        cwd=here.parents[2], env=environment, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]


def test_the_caller_stays_highlighted_after_logging_a_call(qtbot, context):
    window = _window(qtbot, context)
    qtbot.keyClicks(window.lookup.search, "fernanda")
    fernanda = window.lookup.current_match().id
    dialog = window.log_call()
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    assert window.lookup.current_match().id == fernanda
    assert window.lookup.summary.text().startswith("Found: 1.")


def test_a_new_customer_is_highlighted_with_a_true_count(qtbot, context):
    window = _window(qtbot, context)
    qtbot.keyClicks(window.lookup.search, "(31) 99123-4567")
    form = window.new_customer()
    form.fields["first_name"].setText("Paulo")
    with qtbot.waitSignal(form.saved):
        form.save_button.click()
    assert window.lookup.current_match().full_name == "Paulo"
    assert window.lookup.summary.text().startswith("Found: 1.")


def test_a_sign_up_nobody_searched_for_is_highlighted(qtbot, context):
    window = _window(qtbot, context)
    qtbot.keyClicks(window.lookup.search, "fernanda")
    dialog = window.sign_up()
    dialog.fields["first_name"].setText("Inês")
    dialog.fields["email"].setText("ines@example.pt")
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    assert window.lookup.current_match().full_name == "Inês"  # the box now shows what finds her
    assert window.lookup.search.text() == "ines@example.pt"
    assert window.lookup.summary.text().startswith("Found: 1.")
    assert window.card.name.text() == "Inês"


def test_the_highlight_survives_a_sync_import(qtbot, context):
    window = _window(qtbot, context)
    window.lookup.table.selectRow(2)
    chosen = window.lookup.current_match().id
    window._after_sync(None)  # what an import's end does to the window
    assert window.lookup.current_match().id == chosen
    assert window.card.name.text() == window.lookup.current_match().full_name


def test_keys_with_nobody_highlighted_say_why(qtbot, context):
    window = _window(qtbot, context)
    qtbot.keyClicks(window.lookup.search, "nobody by this name")
    for key in (Qt.Key.Key_F4, Qt.Key.Key_F6):
        window.statusBar().clearMessage()
        qtbot.keyClick(window.lookup.search, key)
        assert "No customer is highlighted" in window.statusBar().currentMessage()
    window.statusBar().clearMessage()
    qtbot.keyClick(window.lookup.search, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert "No customer is highlighted" in window.statusBar().currentMessage()

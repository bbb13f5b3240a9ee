from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.ui.customer_form import CustomerForm
from desktop.ui.main_window import MainWindow


def test_search_box_has_focus_on_open_and_on_f2(qtbot, context):
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.lookup.search)
    window.card.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_F2)
    assert QApplication.focusWidget() is window.lookup.search


def test_highlighted_customer_shows_on_the_card(qtbot, context):
    window = MainWindow(context)
    qtbot.addWidget(window)
    qtbot.keyClicks(window.lookup.search, "fernanda")
    assert window.card.name.text() == "Fernanda Lima"
    assert window.card.values["phones"].text() == "(21) 99876-1234"
    assert window.card.values["notes"].text() == "Prefers sourdough"


def test_new_customer_from_an_unknown_phone(qtbot, context):
    window = MainWindow(context)
    qtbot.addWidget(window)
    qtbot.keyClicks(window.lookup.search, "(31) 99123-4567")
    assert window.lookup.model.rowCount() == 0
    form = window.new_customer()
    assert form.fields["phone"].text() == "(31) 99123-4567"
    form.fields["first_name"].setText("Paulo")
    with qtbot.waitSignal(form.saved):
        form.save_button.click()
    assert window.lookup.model.rowCount() == 1
    assert window.card.name.text() == "Paulo"


def test_serving_a_customer_moves_them_to_the_top_of_recent(qtbot, context):
    window = MainWindow(context)
    qtbot.addWidget(window)
    oldest = window.lookup.model.match_at(window.lookup.model.rowCount() - 1)
    window.lookup.table.selectRow(window.lookup.model.rowCount() - 1)
    qtbot.keyClick(window.lookup.search, Qt.Key.Key_Return)
    assert window.card.name.text() == oldest.full_name
    window.lookup.search.clear()
    window.lookup.set_query("")
    assert window.lookup.model.match_at(0).id == oldest.id


def test_ctrl_e_edits_the_highlighted_customer(qtbot, context):
    window = MainWindow(context)
    qtbot.addWidget(window)
    qtbot.keyClicks(window.lookup.search, "fernanda")
    window.edit_action.trigger()
    form = window.findChild(CustomerForm)
    assert form is not None and form.fields["first_name"].text() == "Fernanda"
    form.reject()

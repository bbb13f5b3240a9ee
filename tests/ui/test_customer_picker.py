from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.ui.customer_picker import CustomerPicker
from tests.ui.helpers import id_of


def _picker(qtbot, context) -> CustomerPicker:
    picker = CustomerPicker(context)
    qtbot.addWidget(picker)
    picker.show()
    qtbot.waitExposed(picker)
    return picker


def test_typing_a_name_offers_matches_and_choosing_one_sets_the_customer(qtbot, context):
    picker = _picker(qtbot, context)
    qtbot.keyClicks(picker.edit, "fern")
    assert [m.full_name for m in picker.matches()] == ["Fernanda Lima"]
    popup = picker.completer.popup()
    qtbot.waitUntil(popup.isVisible)
    popup.setCurrentIndex(picker.completer.completionModel().index(0, 0))
    with qtbot.waitSignal(picker.customerChanged) as changed:
        qtbot.keyClick(popup, Qt.Key.Key_Return)
    fernanda = id_of(context, "fernanda")
    assert changed.args == [fernanda]
    assert picker.customer_id() == fernanda
    assert picker.edit.text() == "Fernanda Lima · (21) 99876-1234"


def test_a_phone_ending_finds_the_customer_and_enter_takes_the_first(qtbot, context):
    picker = _picker(qtbot, context)
    qtbot.keyClicks(picker.edit, "98765-4321")
    assert [m.full_name for m in picker.matches()] == ["João da Silva"]
    picker.completer.popup().hide()
    qtbot.keyClick(picker.edit, Qt.Key.Key_Return)
    assert picker.customer_id() == id_of(context, "joao")


def test_typing_over_a_chosen_customer_clears_the_choice(qtbot, context):
    picker = _picker(qtbot, context)
    picker.set_customer(id_of(context, "fernanda"))
    assert picker.edit.text().startswith("Fernanda Lima")
    with qtbot.waitSignal(picker.customerChanged) as changed:
        qtbot.keyClicks(picker.edit, "x")
    assert changed.args == [0]
    assert picker.customer_id() == 0
    picker.set_customer(None)
    assert picker.edit.text() == ""


def test_new_customer_starts_from_what_was_typed_and_is_chosen_when_saved(qtbot, context):
    picker = _picker(qtbot, context)
    qtbot.keyClicks(picker.edit, "Paulo Souza")
    assert picker.matches() == []
    form = picker.new_customer()
    assert form.fields["first_name"].text() == "Paulo"
    assert form.fields["last_name"].text() == "Souza"
    form.fields["phone"].setText("(31) 99123-4567")
    with qtbot.waitSignal(picker.customerChanged) as changed:
        form.save_button.click()
    assert changed.args == [id_of(context, "Paulo Souza")]
    assert picker.edit.text() == "Paulo Souza · (31) 99123-4567"

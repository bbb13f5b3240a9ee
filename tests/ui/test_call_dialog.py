from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.models import Customer, PhoneCall
from desktop.services.customers import get_customer
from desktop.services.lookup import find_customers
from desktop.ui.call_dialog import CallDialog
from tests.ui.helpers import count_rows


def _call(context, call_id: int) -> PhoneCall:
    with context.database.reading() as session:
        return session.get(PhoneCall, call_id)


def _dialog(qtbot, context, customer_id=None) -> CallDialog:
    dialog = CallDialog(context, customer_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()  # shortcuts (Ctrl+Enter) reach the active window only
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    return dialog


def test_phone_has_focus_and_a_known_number_shows_the_caller(qtbot, context):
    dialog = _dialog(qtbot, context)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.phone)
    assert dialog.is_new_caller()  # nobody yet: the new-caller fields show
    qtbot.keyClicks(dialog.phone, "11987654321")
    assert dialog.phone.text() == "(11) 98765-4321"
    assert dialog.caller.text() == "Caller: João da Silva"
    assert not dialog.is_new_caller()
    assert not dialog.caller_name.isVisible()


def test_a_new_caller_with_a_name_becomes_a_customer(qtbot, context):
    customers = count_rows(context, Customer)
    dialog = _dialog(qtbot, context)
    qtbot.keyClicks(dialog.phone, "31991234567")
    assert dialog.is_new_caller() and dialog.caller_name.isVisible()
    dialog.caller_name.setText("Marta Reis")
    dialog.heard_from.setCurrentIndex(dialog.heard_from.findData("A friend or family member"))
    dialog.reason.setCurrentIndex(dialog.reason.findData("Order"))
    dialog.notes.setPlainText("Wants two cakes for Saturday")
    with qtbot.waitSignal(dialog.saved) as saved:
        qtbot.keyClick(dialog.notes, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Enter saves
    assert count_rows(context, Customer) == customers + 1
    call = _call(context, saved.args[0])
    assert (call.reason, call.notes, call.follow_up_on) == ("Order", "Wants two cakes for Saturday", None)
    assert call.customer_id == dialog.customer_id
    with context.database.reading() as session:
        marta = get_customer(session, call.customer_id)
        assert (marta.first_name, marta.last_name, marta.heard_from) == ("Marta", "Reis", "A friend or family member")


def test_heard_from_takes_free_text(qtbot, context):
    dialog = _dialog(qtbot, context)
    qtbot.keyClicks(dialog.phone, "31991234567")
    dialog.caller_name.setText("Sofia")
    dialog.heard_from.setEditText("Saw the van")
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    with context.database.reading() as session:
        assert get_customer(session, dialog.customer_id).heard_from == "Saw the van"


def test_reason_is_a_fixed_list_and_a_bad_phone_is_refused_under_phone(qtbot, context):
    calls = count_rows(context, PhoneCall)
    dialog = _dialog(qtbot, context)
    assert not dialog.reason.isEditable()
    assert dialog.reason.labels() == ["Question", "Complaint", "Order", "Other"]
    qtbot.keyClicks(dialog.phone, "12")
    with qtbot.assertNotEmitted(dialog.saved):
        dialog.save_button.click()
    assert "not a valid phone number" in dialog.errors.text_of("phone").lower()
    assert QApplication.focusWidget() is dialog.phone
    assert count_rows(context, PhoneCall) == calls


def test_enter_moves_on_instead_of_saving(qtbot, context):
    dialog = _dialog(qtbot, context)
    qtbot.keyClicks(dialog.phone, "11987654321")
    with qtbot.assertNotEmitted(dialog.saved):
        qtbot.keyClick(dialog.phone, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert QApplication.focusWidget() is dialog.reason  # the known caller's name fields are skipped


def test_a_name_without_a_number_is_refused_under_phone(qtbot, context):
    calls = count_rows(context, PhoneCall)
    dialog = _dialog(qtbot, context)
    dialog.caller_name.setText("Nobody")
    dialog.save_button.click()
    assert "number" in dialog.errors.text_of("phone").lower()
    assert count_rows(context, PhoneCall) == calls


def test_opened_for_a_customer_skips_the_lookup(qtbot, context):
    with context.database.reading() as session:
        fernanda = find_customers(session, "fernanda", "BR")[0]
    dialog = _dialog(qtbot, context, fernanda.id)
    assert dialog.caller.text() == "Caller: Fernanda Lima"
    assert dialog.phone.text() == "(21) 99876-1234"
    assert dialog.change_caller.isVisible()
    qtbot.keyClicks(dialog.phone, "9")  # a different number typed: still Fernanda's call
    assert dialog.caller.text() == "Caller: Fernanda Lima"
    dialog.phone.setText("(21) 99876-1234")
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.save_button.click()
    assert _call(context, saved.args[0]).customer_id == fernanda.id


def test_different_caller_goes_back_to_the_lookup(qtbot, context):
    with context.database.reading() as session:
        fernanda = find_customers(session, "fernanda", "BR")[0]
    dialog = _dialog(qtbot, context, fernanda.id)
    dialog.change_caller.click()
    assert dialog.phone.text() == "" and dialog.is_new_caller()
    qtbot.keyClicks(dialog.phone, "11987654321")
    assert dialog.caller.text() == "Caller: João da Silva"
    assert not dialog.change_caller.isVisible()


def test_follow_up_date_only_when_ticked(qtbot, context):
    dialog = _dialog(qtbot, context)
    assert not dialog.follow_up.isChecked() and not dialog.follow_up_on.isEnabled()
    assert dialog.follow_up_on.date().toPython() == date.today() + timedelta(days=1)
    dialog.follow_up.setChecked(True)
    assert dialog.follow_up_on.isEnabled()
    qtbot.keyClicks(dialog.phone, "11987654321")
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.save_button.click()
    assert _call(context, saved.args[0]).follow_up_on == date.today() + timedelta(days=1)


def test_escape_cancels_without_writing(qtbot, context):
    calls = count_rows(context, PhoneCall)
    dialog = _dialog(qtbot, context)
    qtbot.keyClicks(dialog.phone, "11987654321")
    qtbot.keyClick(dialog.phone, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and dialog.result() == 0
    assert count_rows(context, PhoneCall) == calls

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QFileDialog

from desktop.models import Reservation
from desktop.services.reservations import reservation_list, reservation_summary
from desktop.ui.document_output import Document, DocumentOutput
from desktop.ui.reservation_dialog import ReservationDialog
from tests.pdf_reading import flat_text
from tests.ui.helpers import count_rows, id_of


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _dialog(qtbot, context, customer_id=None) -> ReservationDialog:
    dialog = ReservationDialog(context, customer_id)
    qtbot.addWidget(dialog)
    return dialog


def test_defaults_are_one_of_a_week_from_today_without_deposit(qtbot, context):
    dialog = _dialog(qtbot, context)
    assert dialog.quantity.value() == 1
    assert dialog.expected.date().toPython() == date.today() + timedelta(days=7)
    assert dialog.deposit.text() == ""
    assert dialog.picker.customer_id() == 0


def test_saving_shows_the_reference_and_lands_in_the_due_list(qtbot, context):
    fernanda = id_of(context, "fernanda")
    dialog = _dialog(qtbot, context, fernanda)
    assert dialog.picker.edit.text().startswith("Fernanda Lima")
    qtbot.keyClicks(dialog.item, "Birthday cake")
    dialog.quantity.setValue(2)
    qtbot.keyClicks(dialog.deposit, "20,50")
    dialog.expected.setDate(_qdate(date.today() + timedelta(days=3)))
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.save_button.click()
    with context.database.reading() as session:
        summary = reservation_summary(session, saved.args[0])
        due = reservation_list(session, "due_this_week")
    assert (summary.customer_id, summary.item, summary.quantity, summary.deposit_cents) == (fernanda, "Birthday cake",
                                                                                          2, 2050)
    assert summary.status == "open"
    assert [r.id for r in due] == [summary.id]
    assert dialog.pages.currentIndex() == 1
    assert dialog.reference.text() == summary.reference_display
    assert "Fernanda Lima" in dialog.done_title.text()


def test_bad_deposit_missing_item_and_past_date_are_shown_under_their_fields(qtbot, context):
    dialog = _dialog(qtbot, context, id_of(context, "fernanda"))
    qtbot.keyClicks(dialog.deposit, "twenty")
    dialog.expected.setDate(_qdate(date.today() - timedelta(days=1)))
    dialog.save_button.click()
    assert "12,50" in dialog.errors.text_of("deposit")  # "Write the amount as digits, for example 12,50."
    assert "reserved" in dialog.errors.text_of("item")
    assert "passed" in dialog.errors.text_of("expected_on")
    assert not dialog.errors.text_of("customer")
    assert dialog.pages.currentIndex() == 0
    assert count_rows(context, Reservation) == 0


def test_no_customer_is_an_error_under_the_picker(qtbot, context):
    dialog = _dialog(qtbot, context)
    dialog.item.setText("Panettone")
    dialog.save_button.click()
    assert "customer" in dialog.errors.text_of("customer").lower()
    assert count_rows(context, Reservation) == 0


def test_a_new_customer_from_the_picker_gets_the_reservation(qtbot, context):
    dialog = _dialog(qtbot, context)
    qtbot.keyClicks(dialog.picker.edit, "Paulo")
    form = dialog.picker.new_customer()
    form.fields["phone"].setText("(31) 99123-4567")
    form.save_button.click()
    dialog.item.setText("Sourdough loaf")
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.save_button.click()
    with context.database.reading() as session:
        assert reservation_summary(session, saved.args[0]).customer_name == "Paulo"


def test_the_slip_is_offered_after_saving(qtbot, context, monkeypatch, tmp_path):
    dialog = _dialog(qtbot, context, id_of(context, "joao"))
    dialog.item.setText("Bolo de fubá")
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    previewed: list[Document] = []
    monkeypatch.setattr(DocumentOutput, "preview", lambda self, document: previewed.append(document))
    dialog.print_button.click()
    text = flat_text(previewed[0].pdf)
    assert dialog.reference.text() in text
    assert "Bolo de fubá" in text

    target = tmp_path / "slip.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), ""))
    dialog.save_pdf_button.click()
    assert target.read_bytes().startswith(b"%PDF")
    dialog.close_button.click()
    assert dialog.result() == ReservationDialog.DialogCode.Accepted

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QMenu, QMessageBox

from desktop.services.phone_calls import CallLog, log_call
from desktop.services.reservations import (
    NewReservation,
    add_reservation,
    change_status,
    reservation_summary,
)
from desktop.services.warranties import NewWarranty, add_warranty, warranty_summary
from desktop.ui.document_output import Document, DocumentOutput
from desktop.ui.main_window import MainWindow
from desktop.ui.records_window import RecordsWindow
from desktop.ui.reservation_table_model import OVERDUE, ReservationTableModel
from tests.pdf_reading import flat_text
from tests.ui.helpers import id_of

TODAY = date.today()


def _reserve(context, customer_id, item, days_ahead, *, status=None, created_days_ago=0) -> int:
    with context.database.writing() as session:
        created = TODAY - timedelta(days=created_days_ago)
        reservation = add_reservation(
            session, NewReservation(customer_id, item, 1, "10,00", TODAY + timedelta(days=days_ahead)), today=created
        )
        if status:
            change_status(session, reservation.id, status)
        return reservation.id


def _window(qtbot, context) -> RecordsWindow:
    window = RecordsWindow(context)
    qtbot.addWidget(window)
    return window


def _rows(tab) -> list[str]:
    return [tab.model.row_at(row).item for row in range(tab.model.rowCount())]


def _select(tab, item: str) -> None:
    tab.table.selectRow(_rows(tab).index(item))


def test_each_list_shows_its_reservations_and_overdue_rows_are_dark_red(qtbot, context):
    fernanda = id_of(context, "fernanda")
    _reserve(context, fernanda, "Cake", 3)
    _reserve(context, fernanda, "Panettone", 20)
    _reserve(context, fernanda, "Croissants", 1, status="ready")
    _reserve(context, fernanda, "Baguette", -2, created_days_ago=5)
    tab = _window(qtbot, context).reservations
    assert tab.list_choice.currentText() == "Due this week"
    assert _rows(tab) == ["Cake"]
    tab.set_list("ready")
    assert tab.list_choice.currentText() == "Ready, not collected"
    assert _rows(tab) == ["Croissants"]
    tab.list_choice.setCurrentIndex(tab.list_choice.findData("overdue"))
    assert _rows(tab) == ["Baguette"]
    status = tab.model.index(0, ReservationTableModel.STATUS)
    assert status.data() == "Open (overdue)"
    assert status.data(Qt.ItemDataRole.ForegroundRole).color() == OVERDUE
    tab.set_list("open")
    assert _rows(tab) == ["Baguette", "Cake", "Panettone"]
    cake = tab.model.index(1, 0)
    assert cake.data(Qt.ItemDataRole.ForegroundRole) is None
    assert tab.model.index(1, ReservationTableModel.DEPOSIT).data() == "R$ 10,00"
    assert tab.model.index(1, ReservationTableModel.PHONE).data() == "(21) 99876-1234"


def test_status_buttons_follow_the_allowed_moves(qtbot, context):
    reservation_id = _reserve(context, id_of(context, "joao"), "Cake", 2)
    tab = _window(qtbot, context).reservations
    buttons = tab.status_buttons
    assert [b.isEnabled() for b in buttons.values()] == [True, False, True]  # ready, collected, cancel

    buttons["ready"].click()
    with context.database.reading() as session:
        assert reservation_summary(session, reservation_id).status == "ready"
    assert _rows(tab) == []  # no longer waiting in this week's list
    assert not any(b.isEnabled() for b in buttons.values())
    assert "is now: Ready" in tab.message.text()

    tab.set_list("ready")
    assert _rows(tab) == ["Cake"]
    assert [b.isEnabled() for b in buttons.values()] == [False, True, True]
    buttons["collected"].click()
    with context.database.reading() as session:
        assert reservation_summary(session, reservation_id).status == "collected"
    assert _rows(tab) == []


def test_cancelling_asks_first(qtbot, context):
    reservation_id = _reserve(context, id_of(context, "joao"), "Cake", 2)
    tab = _window(qtbot, context).reservations
    box = tab.confirm_cancel()
    assert "Cake" in box.text()
    box.button(QMessageBox.StandardButton.No).click()
    with context.database.reading() as session:
        assert reservation_summary(session, reservation_id).status == "open"
    tab.confirm_cancel().button(QMessageBox.StandardButton.Yes).click()
    with context.database.reading() as session:
        assert reservation_summary(session, reservation_id).status == "cancelled"
    assert _rows(tab) == []


def test_the_reservation_model_pages_and_obeys_qt_model_rules(qtbot, qtmodeltester, context):
    fernanda = id_of(context, "fernanda")
    with context.database.writing() as session:
        for number in range(130):
            add_reservation(session, NewReservation(fernanda, f"Loaf {number}", 1, "", TODAY + timedelta(days=10)))
    model = ReservationTableModel(context, "open")
    model.refresh()
    assert model.rowCount() == 100 and model.canFetchMore()
    qtmodeltester.check(model)
    model.fetchMore()
    assert model.rowCount() == 130 and not model.canFetchMore()
    qtmodeltester.check(model)


def test_print_slip_and_new_reservation_from_the_list(qtbot, context, monkeypatch, tmp_path):
    _reserve(context, id_of(context, "fernanda"), "Cake", 2)
    tab = _window(qtbot, context).reservations
    previewed: list[Document] = []
    monkeypatch.setattr(DocumentOutput, "preview", lambda self, document: previewed.append(document))
    tab.print_button.click()
    assert "Cake" in flat_text(previewed[0].pdf)

    dialog = tab.new_reservation()
    dialog.picker.set_customer(id_of(context, "joao"))
    dialog.item.setText("Pudding")
    dialog.expected.setDate(QDate.currentDate().addDays(10))
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.save_button.click()
    assert tab.model.which == "open"  # ten days ahead is not "due this week": the list changes to show it
    assert tab.current().id == saved.args[0]


def _warranty(context, customer_id, product, serial, bought, months=12) -> int:
    with context.database.writing() as session:
        return add_warranty(session, NewWarranty(customer_id, product, serial, bought, months)).id


def test_find_by_serial_and_expiring_soon(qtbot, qtmodeltester, context):
    joao = id_of(context, "joao")
    _warranty(context, joao, "Kettle", "KT-555-01", TODAY - timedelta(days=350))  # ends in about two weeks
    _warranty(context, joao, "Toaster", "TS-9", TODAY - timedelta(days=10))
    tab = _window(qtbot, context).warranties
    assert [tab.model.row_at(r).product for r in range(tab.model.rowCount())] == ["Kettle"]
    qtmodeltester.check(tab.model)
    assert "30 days: 1" in tab.heading.text()
    tab.days.setValue(400)
    assert tab.model.rowCount() == 2
    qtbot.keyClicks(tab.serial, "ts 9")
    assert [tab.model.row_at(r).product for r in range(tab.model.rowCount())] == ["Toaster"]
    assert tab.model.index(0, 2).data() == "João da Silva"
    tab.days.setValue(30)  # back to the expiring list
    assert tab.serial.text() == ""
    assert tab.model.rowCount() == 1


def test_a_claim_is_logged_then_its_outcome_recorded(qtbot, context):
    warranty_id = _warranty(context, id_of(context, "fernanda"), "Blender", "BL-777", TODAY - timedelta(days=40))
    tab = _window(qtbot, context).warranties
    tab.find_serial("BL777")
    assert tab.current().id == warranty_id
    assert not tab.outcome_button.isEnabled()

    dialog = tab.log_claim()
    dialog.save_button.click()
    assert "problem" in dialog.errors.text_of("problem").lower()  # "Describe the problem."
    dialog.problem.setPlainText("Motor stops after a minute")
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    assert tab.model.index(0, 5).data() == "1 (1 waiting)"
    assert tab.outcome_button.isEnabled()

    outcome = tab.record_outcome()
    outcome.save_button.click()
    assert outcome.errors.text_of("outcome")
    outcome.outcome.setPlainText("Motor replaced")
    with qtbot.waitSignal(outcome.saved):
        outcome.save_button.click()
    with context.database.reading() as session:
        [claim] = warranty_summary(session, warranty_id).claims
    assert (claim.problem, claim.outcome, claim.claimed_on) == ("Motor stops after a minute", "Motor replaced", TODAY)
    assert tab.model.index(0, 5).data() == "1"
    assert not tab.outcome_button.isEnabled()


def test_a_claim_dated_before_the_purchase_is_refused_under_the_date(qtbot, context):
    _warranty(context, id_of(context, "fernanda"), "Blender", "BL-777", TODAY - timedelta(days=5))
    tab = _window(qtbot, context).warranties
    tab.find_serial("BL-777")
    dialog = tab.log_claim()
    dialog.claimed_on.setDate(dialog.claimed_on.date().addDays(-30))
    dialog.problem.setPlainText("Broken")
    dialog.save_button.click()
    assert "purchase" in dialog.errors.text_of("claimed_on")
    with context.database.reading() as session:
        assert warranty_summary(session, tab.current().id).claims == []


def test_calls_tab_lists_recent_calls(qtbot, qtmodeltester, context):
    with context.database.writing() as session:
        log_call(session, CallLog(reason="Order", phone="(21) 99876-1234", notes="Wants a\nbig cake",
                                  follow_up_on=TODAY + timedelta(days=1)), "BR")
    window = _window(qtbot, context)
    window.show_tab("calls")
    model = window.calls.model
    assert model.rowCount() == 1
    qtmodeltester.check(model)
    row = [model.index(0, column).data() for column in range(model.columnCount())]
    assert row[1:5] == ["Fernanda Lima", "(21) 99876-1234", "Order", "Wants a big cake"]
    assert row[5] == (TODAY + timedelta(days=1)).strftime("%d/%m/%Y")
    assert row[0].startswith(TODAY.strftime("%d/%m/%Y")) or row[0].startswith(  # the local day: near midnight
        (TODAY + timedelta(days=1)).strftime("%d/%m/%Y")) or row[0].startswith((TODAY - timedelta(days=1)).strftime("%d/%m/%Y"))


def test_main_window_opens_the_forms(qtbot, context):
    window = MainWindow(context)
    qtbot.addWidget(window)
    qtbot.keyClicks(window.lookup.search, "fernanda")
    fernanda = window.lookup.current_match().id
    dialog = window.new_reservation()
    assert dialog.picker.customer_id() == fernanda
    dialog.item.setText("Cake")
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    assert "Cake" in window.card.values["reservations"].text()
    dialog.close_button.click()
    warranty = window.new_warranty()
    assert warranty.picker.customer_id() == fernanda
    warranty.reject()
    records = window.show_records()
    assert window.show_records() is records
    records.show_tab("warranties")
    assert records.tabs.currentWidget() is records.warranties
    texts = [a.text() for a in window.menuBar().findChild(QMenu, "forms_menu").actions()]
    assert {"New reservation…", "New warranty card…", "Reservations, warranties and calls…",
            "Print blank form"} <= set(texts)
    assert window.reservation_action.shortcut().toString() == "F9"
    assert window.warranty_action.shortcut().toString() == "F10"
    assert window.records_action.shortcut().toString() == "Ctrl+R"
    records.close()

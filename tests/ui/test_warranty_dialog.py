from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate

from desktop.models import Warranty
from desktop.services.warranties import NewWarranty, add_warranty, find_by_serial
from desktop.ui.document_output import Document, DocumentOutput
from desktop.ui.warranty_dialog import WarrantyDialog
from tests.pdf_reading import flat_text
from tests.ui.helpers import count_rows, id_of


def _dialog(qtbot, context, customer_id=None) -> WarrantyDialog:
    dialog = WarrantyDialog(context, customer_id)
    qtbot.addWidget(dialog)
    return dialog


def test_covered_until_follows_the_purchase_date_and_months(qtbot, context):
    dialog = _dialog(qtbot, context)
    assert dialog.purchased.date().toPython() == date.today()
    assert dialog.months.value() == 12
    dialog.purchased.setDate(QDate(2025, 3, 15))
    assert dialog.covered.text() == "Covered until 14/03/2026"
    dialog.months.setValue(24)
    assert dialog.covered.text() == "Covered until 14/03/2027"
    dialog.months.setValue(1)
    assert dialog.covered.text() == "Covered until 14/04/2025"


def test_saving_registers_the_card_and_offers_the_certificate(qtbot, context, monkeypatch, tmp_path):
    fernanda = id_of(context, "fernanda")
    dialog = _dialog(qtbot, context, fernanda)
    qtbot.keyClicks(dialog.product, "Coffee grinder KG79")
    qtbot.keyClicks(dialog.serial, "ab-12 345")
    dialog.purchased.setDate(QDate(2025, 3, 15))
    dialog.months.setValue(24)
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.save_button.click()
    with context.database.reading() as session:
        [card] = find_by_serial(session, "AB12345")
    assert (card.id, card.customer_id, card.months, card.expires_on) == (saved.args[0], fernanda, 24, date(2027, 3, 14))
    assert dialog.pages.currentIndex() == 1
    assert "14/03/2027" in dialog.done_title.text()

    previewed: list[Document] = []
    monkeypatch.setattr(DocumentOutput, "preview", lambda self, document: previewed.append(document))
    dialog.print_button.click()
    text = flat_text(previewed[0].pdf)
    assert "Coffee grinder KG79" in text and "Fernanda Lima" in text


def test_a_serial_already_registered_for_the_product_is_shown_under_the_serial(qtbot, context):
    joao = id_of(context, "joao")
    with context.database.writing() as session:
        add_warranty(session, NewWarranty(joao, "Blender B1", "SN-0001", date(2025, 1, 10), 12))
    dialog = _dialog(qtbot, context, id_of(context, "fernanda"))
    dialog.product.setText("blender b1")
    dialog.serial.setText("sn 0001")
    dialog.save_button.click()
    assert "already registered" in dialog.errors.text_of("serial_number")
    assert not dialog.errors.text_of("product")
    assert count_rows(context, Warranty) == 1


def test_missing_product_serial_and_a_future_purchase_are_refused(qtbot, context):
    dialog = _dialog(qtbot, context)
    dialog.purchased.setDate(QDate.currentDate().addDays(3))
    dialog.save_button.click()
    assert dialog.errors.text_of("customer")
    assert "product" in dialog.errors.text_of("product")
    assert "serial" in dialog.errors.text_of("serial_number")
    assert "future" in dialog.errors.text_of("purchase_date")
    assert count_rows(context, Warranty) == 0

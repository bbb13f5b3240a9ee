"""Registering a product sold with a warranty, then handing over the certificate."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)
from sqlalchemy.orm import Session

from desktop.context import ShopContext
from desktop.services.dates import format_date
from desktop.services.warranties import (
    MAX_MONTHS,
    NewWarranty,
    WarrantySummary,
    add_warranty,
    expiry,
    warranty_summary,
)
from desktop.ui.customer_picker import CustomerPicker
from desktop.ui.date_fields import date_edit
from desktop.ui.document_output import Document, DocumentOutput
from desktop.ui.document_ready_page import DocumentReadyPage
from desktop.ui.form_parts import (
    form_page,
    left_aligned,
    page_stack,
    save_cancel_buttons,
    text_box,
    write_form,
)
from desktop.ui.messages import FieldErrors
from desktop.ui.record_documents import warranty_certificate

DEFAULT_MONTHS = 12


class WarrantyDialog(QDialog):
    """Emits saved(warranty_id) once the card is written; then offers the certificate."""

    saved = Signal(int)

    def __init__(self, context: ShopContext, customer_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._warranty_id = 0
        self.output = DocumentOutput(self)
        self.errors = FieldErrors()
        self.setWindowTitle(self.tr("New warranty card"))
        self.setMinimumWidth(500)

        self.picker = CustomerPicker(context)
        self.picker.set_customer(customer_id)
        self.product = QLineEdit()
        self.product.setObjectName("product")
        self.product.setPlaceholderText(self.tr("Brand and model, e.g. Philips HD7462 coffee maker"))
        self.serial = QLineEdit()
        self.serial.setObjectName("serial_number")
        self.serial.setPlaceholderText(self.tr("As printed on the product or its box"))
        self.purchased = date_edit(context.region, date.today())
        self.purchased.setObjectName("purchase_date")
        self.months = QSpinBox()
        self.months.setObjectName("months")
        self.months.setRange(1, MAX_MONTHS)
        self.months.setValue(DEFAULT_MONTHS)
        self.months.setSuffix(self.tr(" months"))
        self.months.setMinimumWidth(140)
        self.covered = QLabel()
        self.covered.setObjectName("covered_until")
        self.covered.setTextFormat(Qt.TextFormat.PlainText)
        self.notes = text_box("notes")
        self._fields: dict[str, QWidget] = {
            "customer": self.picker, "product": self.product, "serial_number": self.serial,
            "purchase_date": self.purchased, "months": self.months, "notes": self.notes,
        }
        self.purchased.dateChanged.connect(self._show_cover)
        self.months.valueChanged.connect(self._show_cover)

        length = QWidget()
        length_row = QHBoxLayout(length)
        length_row.setContentsMargins(0, 0, 0, 0)
        length_row.addWidget(self.months)
        length_row.addSpacing(12)
        length_row.addWidget(self.covered, 1)

        form = QFormLayout()
        self.errors.add_row(form, "customer", self.tr("Customer"), self.picker)
        self.errors.add_row(form, "product", self.tr("Product"), self.product)
        self.errors.add_row(form, "serial_number", self.tr("Serial number"), self.serial)
        self.errors.add_row(form, "purchase_date", self.tr("Bought on"), left_aligned(self.purchased))
        self.errors.add_row(form, "months", self.tr("Warranty"), length)
        self.errors.add_row(form, "notes", self.tr("Notes"), self.notes)
        self.form_error = self.errors.label_for("form", self)
        buttons, self.save_button = save_cancel_buttons(self, self.save)

        self.done_page = DocumentReadyPage(
            self.output, self.certificate, name="certificate",
            hint=self.tr("Give the customer the certificate: the serial number finds the card again "
                         "from the search box, even without a receipt."),
            print_text=self.tr("Print certificate…"), save_text=self.tr("Save certificate as PDF…"),
            title_scale=1.2,
        )
        self.done_page.close_button.clicked.connect(self.accept)
        self.done_title = self.done_page.title
        self.print_button = self.done_page.print_button
        self.save_pdf_button = self.done_page.save_pdf_button
        self.close_button = self.done_page.close_button

        self.pages = page_stack(self, form_page(form, self.form_error, buttons), self.done_page)
        self._show_cover()
        (self.product if customer_id else self.picker).setFocus()

    def _show_cover(self) -> None:
        until = expiry(self.purchased.date().toPython(), self.months.value())
        self.covered.setText(self.tr("Covered until %1").replace("%1", format_date(until, self._context.region)))

    def warranty_id(self) -> int:
        return self._warranty_id

    def details(self) -> NewWarranty:
        return NewWarranty(
            customer_id=self.picker.customer_id() or None,
            product=self.product.text(),
            serial_number=self.serial.text(),
            purchase_date=self.purchased.date().toPython(),
            months=self.months.value(),
            notes=self.notes.toPlainText(),
        )

    def _write(self, session: Session) -> WarrantySummary:
        warranty = add_warranty(session, self.details(), staff="")
        return warranty_summary(session, warranty.id)

    def save(self) -> None:
        summary = write_form(self, self._context.database, self.errors, self.form_error, self._write, self._fields)
        if summary is None:
            return
        self._warranty_id = summary.id
        self.pages.setCurrentWidget(self.done_page)
        self.setWindowTitle(self.tr("Warranty card #%1").replace("%1", str(summary.id)))
        self.done_page.show_saved(
            self.tr("%1, serial %2, for %3: covered until %4.")
            .replace("%1", summary.product)
            .replace("%2", summary.serial_number)
            .replace("%3", summary.customer_name)
            .replace("%4", format_date(summary.expires_on, self._context.region))
        )
        self.saved.emit(summary.id)

    def certificate(self) -> Document | None:
        if not self._warranty_id:
            return None
        return warranty_certificate(self.output, self._context, self._warranty_id)

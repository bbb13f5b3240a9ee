"""Registering a product sold with a warranty, then handing over the certificate."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.context import ShopContext
from desktop.errors import InvalidInput, RegularsError
from desktop.services import documents
from desktop.services.dates import format_date
from desktop.services.warranties import (
    MAX_MONTHS,
    NewWarranty,
    add_warranty,
    expiry,
    warranty_summary,
)
from desktop.ui.customer_picker import CustomerPicker
from desktop.ui.date_fields import date_edit
from desktop.ui.document_output import Document, DocumentOutput
from desktop.ui.messages import FieldErrors, error_text, translate

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
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("notes")
        self.notes.setFixedHeight(64)
        self.notes.setTabChangesFocus(True)
        self.purchased.dateChanged.connect(self._show_cover)
        self.months.valueChanged.connect(self._show_cover)

        length = QWidget()
        length_row = QHBoxLayout(length)
        length_row.setContentsMargins(0, 0, 0, 0)
        length_row.addWidget(self.months)
        length_row.addSpacing(12)
        length_row.addWidget(self.covered, 1)
        bought = QWidget()
        bought_row = QHBoxLayout(bought)
        bought_row.setContentsMargins(0, 0, 0, 0)
        bought_row.addWidget(self.purchased)
        bought_row.addStretch(1)

        form = QFormLayout()
        self.errors.add_row(form, "customer", self.tr("Customer"), self.picker)
        self.errors.add_row(form, "product", self.tr("Product"), self.product)
        self.errors.add_row(form, "serial_number", self.tr("Serial number"), self.serial)
        self.errors.add_row(form, "purchase_date", self.tr("Bought on"), bought)
        self.errors.add_row(form, "months", self.tr("Warranty"), length)
        self.errors.add_row(form, "notes", self.tr("Notes"), self.notes)
        self.form_error = self.errors.label_for("form", self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        entry = QWidget()
        entry_layout = QVBoxLayout(entry)
        entry_layout.setContentsMargins(0, 0, 0, 0)
        entry_layout.addLayout(form)
        entry_layout.addWidget(self.form_error)
        entry_layout.addStretch(1)
        entry_layout.addWidget(buttons)

        self.pages = QStackedWidget()
        self.pages.addWidget(entry)
        self.pages.addWidget(self._done_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        self._show_cover()
        (self.product if customer_id else self.picker).setFocus()

    def _show_cover(self) -> None:
        until = expiry(self.purchased.date().toPython(), self.months.value())
        self.covered.setText(self.tr("Covered until %1").replace("%1", format_date(until, self._context.region)))

    def _done_page(self) -> QWidget:
        page = QWidget()
        self.done_title = QLabel()
        self.done_title.setObjectName("done_title")
        self.done_title.setTextFormat(Qt.TextFormat.PlainText)
        self.done_title.setWordWrap(True)
        font = self.done_title.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.done_title.setFont(font)
        hint = QLabel(self.tr("Give the customer the certificate: the serial number finds the card again "
                              "from the search box, even without a receipt."))
        hint.setWordWrap(True)
        self.print_button = QPushButton(self.tr("Print certificate…"))
        self.print_button.setObjectName("print_certificate")
        self.print_button.clicked.connect(self.print_certificate)
        self.save_pdf_button = QPushButton(self.tr("Save certificate as PDF…"))
        self.save_pdf_button.setObjectName("save_certificate")
        self.save_pdf_button.setAutoDefault(False)
        self.save_pdf_button.clicked.connect(self.save_certificate)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setObjectName("close")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addWidget(self.print_button)
        row.addWidget(self.save_pdf_button)
        row.addStretch(1)
        row.addWidget(self.close_button)
        column = QVBoxLayout(page)
        column.addWidget(self.done_title)
        column.addSpacing(8)
        column.addWidget(hint)
        column.addStretch(1)
        column.addLayout(row)
        return page

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

    def save(self) -> None:
        self.errors.clear()
        try:
            with self._context.database.writing() as session:
                warranty = add_warranty(session, self.details(), staff="")
                summary = warranty_summary(session, warranty.id)
        except InvalidInput as problems:
            if self.errors.show(problems):
                self.form_error.setText(error_text(problems))
                self.form_error.show()
            self._focus(next(iter(problems.problems)))
            self.adjustSize()  # room for the error lines
            return
        except RegularsError as error:
            self.form_error.setText(error_text(error))
            self.form_error.show()
            return
        self._warranty_id = summary.id
        self.done_title.setText(
            self.tr("%1, serial %2, for %3: covered until %4.")
            .replace("%1", summary.product)
            .replace("%2", summary.serial_number)
            .replace("%3", summary.customer_name)
            .replace("%4", format_date(summary.expires_on, self._context.region))
        )
        self.pages.setCurrentIndex(1)
        self.setWindowTitle(self.tr("Warranty card #%1").replace("%1", str(summary.id)))
        self.print_button.setDefault(True)
        self.print_button.setFocus()
        self.saved.emit(summary.id)

    def _focus(self, field: str) -> None:
        target = {
            "customer": self.picker, "product": self.product, "serial_number": self.serial,
            "purchase_date": self.purchased, "months": self.months, "notes": self.notes,
        }.get(field)
        if target is not None:
            target.setFocus()

    def certificate(self) -> Document | None:
        if not self._warranty_id:
            return None
        warranty_id = self._warranty_id
        return self.output.make(
            self._context,
            lambda session, out: documents.print_warranty_certificate(session, warranty_id, out, translate=translate),
            self.tr("Warranty certificate #%1").replace("%1", str(warranty_id)),
            f"warranty-{warranty_id}.pdf",
        )

    def print_certificate(self) -> None:
        document = self.certificate()
        if document is not None:
            self.output.preview(document)

    def save_certificate(self) -> None:
        document = self.certificate()
        if document is not None:
            self.output.save_pdf(document)

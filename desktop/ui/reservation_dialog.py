"""Putting an item aside for a customer, then handing them the slip with its reference code."""

from __future__ import annotations

from datetime import date, timedelta

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
from desktop.services.reservations import (
    MAX_QUANTITY,
    NewReservation,
    add_reservation,
    reservation_summary,
)
from desktop.ui.customer_picker import CustomerPicker
from desktop.ui.date_fields import date_edit
from desktop.ui.document_output import Document, DocumentOutput
from desktop.ui.messages import FieldErrors, error_text, translate

DEFAULT_DAYS_AHEAD = 7


class ReservationDialog(QDialog):
    """Emits saved(reservation_id) once the reservation is written; then offers the slip."""

    saved = Signal(int)

    def __init__(self, context: ShopContext, customer_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._reservation_id = 0
        self._reference = ""
        self.output = DocumentOutput(self)
        self.errors = FieldErrors()
        self.setWindowTitle(self.tr("New reservation"))
        self.setMinimumWidth(500)

        self.picker = CustomerPicker(context)
        self.picker.set_customer(customer_id)
        self.item = QLineEdit()
        self.item.setObjectName("item")
        self.item.setPlaceholderText(self.tr("e.g. Birthday cake, chocolate, 2 kg"))
        self.quantity = QSpinBox()
        self.quantity.setObjectName("quantity")
        self.quantity.setRange(1, MAX_QUANTITY)
        self.deposit = QLineEdit()
        self.deposit.setObjectName("deposit")
        self.deposit.setPlaceholderText(self.tr("Amount paid now, e.g. 20,00 — blank for none"))
        self.expected = date_edit(context.region, date.today() + timedelta(days=DEFAULT_DAYS_AHEAD))
        self.expected.setObjectName("expected_on")
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("notes")
        self.notes.setFixedHeight(64)
        self.notes.setTabChangesFocus(True)

        form = QFormLayout()
        self.errors.add_row(form, "customer", self.tr("Customer"), self.picker)
        self.errors.add_row(form, "item", self.tr("Item"), self.item)
        self.errors.add_row(form, "quantity", self.tr("Quantity"), self._narrow(self.quantity))
        self.errors.add_row(form, "deposit", self.tr("Deposit"), self.deposit)
        self.errors.add_row(form, "expected_on", self.tr("Ready on"), self._narrow(self.expected))
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
        (self.item if customer_id else self.picker).setFocus()

    @staticmethod
    def _narrow(widget: QWidget) -> QWidget:
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(widget)
        row.addStretch(1)
        return holder

    def _done_page(self) -> QWidget:
        page = QWidget()
        self.done_title = QLabel()
        self.done_title.setObjectName("done_title")
        self.done_title.setTextFormat(Qt.TextFormat.PlainText)
        self.done_title.setWordWrap(True)
        self.reference = QLabel()
        self.reference.setObjectName("reference")
        self.reference.setTextFormat(Qt.TextFormat.PlainText)
        self.reference.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.reference.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.reference.font()
        font.setPointSizeF(font.pointSizeF() * 2.2)
        font.setBold(True)
        self.reference.setFont(font)
        hint = QLabel(self.tr("Give the customer the slip: the code on it finds the reservation from the search box."))
        hint.setWordWrap(True)
        self.print_button = QPushButton(self.tr("Print slip…"))
        self.print_button.setObjectName("print_slip")
        self.print_button.clicked.connect(self.print_slip)
        self.save_pdf_button = QPushButton(self.tr("Save slip as PDF…"))
        self.save_pdf_button.setObjectName("save_slip")
        self.save_pdf_button.setAutoDefault(False)
        self.save_pdf_button.clicked.connect(self.save_slip)
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
        column.addWidget(self.reference)
        column.addSpacing(8)
        column.addWidget(hint)
        column.addStretch(1)
        column.addLayout(row)
        return page

    def reservation_id(self) -> int:
        return self._reservation_id

    def details(self) -> NewReservation:
        return NewReservation(
            customer_id=self.picker.customer_id() or None,
            item=self.item.text(),
            quantity=self.quantity.value(),
            deposit=self.deposit.text(),
            expected_on=self.expected.date().toPython(),
            notes=self.notes.toPlainText(),
        )

    def save(self) -> None:
        self.errors.clear()
        try:
            with self._context.database.writing() as session:
                reservation = add_reservation(session, self.details(), staff="")
                summary = reservation_summary(session, reservation.id)
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
        self._reservation_id = summary.id
        self._reference = summary.reference
        self.done_title.setText(
            self.tr("Reserved for %1: %2 × %3, ready on %4.")
            .replace("%1", summary.customer_name)
            .replace("%2", str(summary.quantity))
            .replace("%3", summary.item)
            .replace("%4", format_date(summary.expected_on, self._context.region))
        )
        self.reference.setText(summary.reference_display)
        self.pages.setCurrentIndex(1)
        self.setWindowTitle(self.tr("Reservation %1").replace("%1", summary.reference_display))
        self.print_button.setDefault(True)
        self.print_button.setFocus()
        self.saved.emit(summary.id)

    def _focus(self, field: str) -> None:
        target = {
            "customer": self.picker, "item": self.item, "quantity": self.quantity, "deposit": self.deposit,
            "expected_on": self.expected, "notes": self.notes,
        }.get(field)
        if target is not None:
            target.setFocus()

    def slip(self) -> Document | None:
        """The slip as a PDF, made by the same service the command line uses."""
        if not self._reservation_id:
            return None
        reservation_id = self._reservation_id
        return self.output.make(
            self._context,
            lambda session, out: documents.print_reservation_slip(session, reservation_id, out, translate=translate),
            self.tr("Reservation slip %1").replace("%1", self.reference.text()),
            f"reservation-{self._reference}.pdf",
        )

    def print_slip(self) -> None:
        document = self.slip()
        if document is not None:
            self.output.preview(document)

    def save_slip(self) -> None:
        document = self.slip()
        if document is not None:
            self.output.save_pdf(document)

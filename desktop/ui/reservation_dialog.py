"""Putting an item aside for a customer, then handing them the slip with its reference code."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)
from sqlalchemy.orm import Session

from desktop.context import ShopContext
from desktop.services.dates import format_date
from desktop.services.reservations import (
    MAX_QUANTITY,
    NewReservation,
    ReservationSummary,
    add_reservation,
    reservation_summary,
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
from desktop.ui.record_documents import reservation_slip

DEFAULT_DAYS_AHEAD = 7


class ReservationDialog(QDialog):
    """Emits saved(reservation_id) once the reservation is written; then offers the slip."""

    saved = Signal(int)

    def __init__(self, context: ShopContext, customer_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._saved: ReservationSummary | None = None
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
        self.notes = text_box("notes")
        self._fields: dict[str, QWidget] = {
            "customer": self.picker, "item": self.item, "quantity": self.quantity, "deposit": self.deposit,
            "expected_on": self.expected, "notes": self.notes,
        }

        form = QFormLayout()
        self.errors.add_row(form, "customer", self.tr("Customer"), self.picker)
        self.errors.add_row(form, "item", self.tr("Item"), self.item)
        self.errors.add_row(form, "quantity", self.tr("Quantity"), left_aligned(self.quantity))
        self.errors.add_row(form, "deposit", self.tr("Deposit"), self.deposit)
        self.errors.add_row(form, "expected_on", self.tr("Ready on"), left_aligned(self.expected))
        self.errors.add_row(form, "notes", self.tr("Notes"), self.notes)
        self.form_error = self.errors.label_for("form", self)
        buttons, self.save_button = save_cancel_buttons(self, self.save)

        self.done_page = DocumentReadyPage(
            self.output, self.slip, name="slip",
            hint=self.tr("Give the customer the slip: the code on it finds the reservation from the search box."),
            print_text=self.tr("Print slip…"), save_text=self.tr("Save slip as PDF…"), with_code=True,
        )
        self.done_page.close_button.clicked.connect(self.accept)
        self.done_title = self.done_page.title
        self.reference = self.done_page.code
        self.print_button = self.done_page.print_button
        self.save_pdf_button = self.done_page.save_pdf_button
        self.close_button = self.done_page.close_button

        self.pages = page_stack(self, form_page(form, self.form_error, buttons), self.done_page)
        (self.item if customer_id else self.picker).setFocus()

    def reservation_id(self) -> int:
        return self._saved.id if self._saved is not None else 0

    def details(self) -> NewReservation:
        return NewReservation(
            customer_id=self.picker.customer_id() or None,
            item=self.item.text(),
            quantity=self.quantity.value(),
            deposit=self.deposit.text(),
            expected_on=self.expected.date().toPython(),
            notes=self.notes.toPlainText(),
        )

    def _write(self, session: Session) -> ReservationSummary:
        reservation = add_reservation(session, self.details(), staff="")
        return reservation_summary(session, reservation.id)

    def save(self) -> None:
        summary = write_form(self, self._context.database, self.errors, self.form_error, self._write, self._fields)
        if summary is None:
            return
        self._saved = summary
        self.pages.setCurrentWidget(self.done_page)
        self.setWindowTitle(self.tr("Reservation %1").replace("%1", summary.reference_display))
        self.done_page.show_saved(
            self.tr("Reserved for %1: %2 × %3, ready on %4.")
            .replace("%1", summary.customer_name)
            .replace("%2", str(summary.quantity))
            .replace("%3", summary.item)
            .replace("%4", format_date(summary.expected_on, self._context.region)),
            summary.reference_display,
        )
        self.saved.emit(summary.id)

    def slip(self) -> Document | None:
        """The slip as a PDF, made by the same service the command line uses."""
        if self._saved is None:
            return None
        return reservation_slip(self.output, self._context, self._saved)

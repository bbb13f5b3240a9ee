"""Adding or changing a customer. A name and one contact first; the rest can wait."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.context import ShopContext
from desktop.errors import DuplicateCustomer, InvalidInput, RegularsError
from desktop.services import customers as customer_service
from desktop.services.customers import PAYMENT_METHODS, CustomerDetails
from desktop.services.dates import format_date
from desktop.services.phones import display_phone, format_as_you_type
from desktop.ui.date_fields import date_hint, typed_date
from desktop.ui.form_parts import save_cancel_buttons
from desktop.ui.messages import FieldErrors, error_text

_LINE_FIELDS = (
    "first_name", "last_name", "phone", "phone_2", "email", "company", "address_line1",
    "address_line2", "city", "state", "postal_code", "country", "birthday", "heard_from",
)


class CustomerForm(QDialog):
    """Emits saved(customer_id) once the customer is written."""

    saved = Signal(int)

    def __init__(self, context: ShopContext, customer_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._customer_id = customer_id
        self._touched: set[str] = set()
        self.errors = FieldErrors()
        self.fields: dict[str, QLineEdit] = {}
        self.setWindowTitle(self.tr("New customer") if customer_id is None else self.tr("Customer"))
        self.setMinimumWidth(480)

        basics = QFormLayout()
        self._add_line(basics, "first_name", self.tr("First name"))
        self._add_line(basics, "last_name", self.tr("Last name"))
        self._add_line(basics, "phone", self.tr("Phone"), self.tr("Any format, e.g. (11) 98765-4321"))
        self._add_line(basics, "email", self.tr("Email"))
        self.fields["phone"].textEdited.connect(lambda text: self._format_phone("phone", text))

        self.more = QCheckBox(self.tr("More details (can be added on a later visit)"))
        self.more.setObjectName("more_details")
        self.more.setChecked(customer_id is not None)
        more_form = QFormLayout()
        self._add_line(more_form, "phone_2", self.tr("Second phone"))
        self.fields["phone_2"].textEdited.connect(lambda text: self._format_phone("phone_2", text))
        self._add_line(more_form, "company", self.tr("Company"))
        self._add_line(more_form, "address_line1", self.tr("Address"))
        self._add_line(more_form, "address_line2", self.tr("Address (line 2)"))
        self._add_line(more_form, "city", self.tr("City"))
        self._add_line(more_form, "state", self.tr("State / district"))
        self._add_line(more_form, "postal_code", self.tr("Postal code"))
        self._add_line(more_form, "country", self.tr("Country"), self.tr("Two letters, e.g. BR"))
        self._add_line(more_form, "birthday", self.tr("Birthday"), date_hint(context.region))
        self.payment = QComboBox()
        self.payment.setObjectName("preferred_payment")
        for code, label in self._payment_labels().items():
            self.payment.addItem(label, code)
        self._add_row(more_form, "preferred_payment", self.tr("Prefers to pay by"), self.payment)
        self._add_line(more_form, "heard_from", self.tr("Heard of us from"))
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("notes")
        self.notes.setFixedHeight(70)
        self._add_row(more_form, "notes", self.tr("Notes (never card numbers)"), self.notes)
        self._more_body = QWidget()
        self._more_body.setLayout(more_form)
        self._more_body.setVisible(self.more.isChecked())
        self.more.toggled.connect(self._more_body.setVisible)
        self.more.toggled.connect(lambda _on: self.adjustSize())

        buttons, self.save_button = save_cancel_buttons(self, self.save)

        layout = QVBoxLayout(self)
        layout.addLayout(basics)
        layout.addWidget(self.more)
        layout.addWidget(self._more_body)
        self.form_error = self.errors.label_for("form", self)
        layout.addWidget(self.form_error)
        layout.addWidget(buttons)

        if customer_id is not None:
            self._load(customer_id)

    def _payment_labels(self) -> dict[str, str]:
        labels = {
            "": self.tr("—"),
            "cash": self.tr("Cash"),
            "card": self.tr("Card"),
            "pix": self.tr("Pix"),
            "mb_way": self.tr("MB WAY"),
            "bank_transfer": self.tr("Bank transfer"),
            "voucher": self.tr("Voucher"),
            "other": self.tr("Other"),
        }
        return {code: labels[code] for code in ("", *PAYMENT_METHODS)}

    def _add_row(self, form: QFormLayout, field: str, label: str, widget: QWidget) -> None:
        self.errors.add_row(form, field, label, widget)

    def _add_line(self, form: QFormLayout, field: str, label: str, placeholder: str = "") -> None:
        edit = QLineEdit()
        edit.setObjectName(field)
        edit.setPlaceholderText(placeholder)
        edit.editingFinished.connect(lambda: self._check_field(field))
        self.fields[field] = edit
        self._add_row(form, field, label, edit)

    def _format_phone(self, field: str, text: str) -> None:
        edit = self.fields[field]
        if edit.cursorPosition() == len(text):  # only while typing at the end
            shown = format_as_you_type(text, self._context.region)
            if shown != text:
                edit.setText(shown)

    def prefill(self, **values: str) -> None:
        for field, value in values.items():
            self.fields[field].setText(value)

    def details(self) -> CustomerDetails:
        text = {name: edit.text() for name, edit in self.fields.items()}
        return CustomerDetails(
            first_name=text["first_name"],
            last_name=text["last_name"],
            phones=[text["phone"], text["phone_2"]],
            email=text["email"],
            company=text["company"],
            address_line1=text["address_line1"],
            address_line2=text["address_line2"],
            city=text["city"],
            state=text["state"],
            postal_code=text["postal_code"],
            country=text["country"],
            preferred_payment=self.payment.currentData() or "",
            birthday=typed_date(text["birthday"], self._context.region) or text["birthday"] or None,
            notes=self.notes.toPlainText(),
            heard_from=text["heard_from"],
        )

    def _check_field(self, field: str) -> None:
        """Inline check of the fields touched so far, through the same rules the save uses."""
        self._touched.add(field)
        self.errors.clear(list(self._touched))
        try:
            customer_service.check_details(self.details(), self._context.region)
        except InvalidInput as problems:
            self.errors.show(problems, only=self._touched)
            self.adjustSize()

    def _load(self, customer_id: int) -> None:
        with self._context.database.reading() as session:
            details = CustomerDetails.of(customer_service.get_customer(session, customer_id))
        phones = details.phones + ["", ""]
        values = {name: getattr(details, name, "") for name in _LINE_FIELDS if hasattr(details, name)}
        values["phone"] = display_phone(phones[0], self._context.region) if phones[0] else ""
        values["phone_2"] = display_phone(phones[1], self._context.region) if phones[1] else ""
        values["birthday"] = format_date(details.birthday, self._context.region) if details.birthday else ""
        for name, value in values.items():
            self.fields[name].setText(str(value or ""))
        self.payment.setCurrentIndex(max(0, self.payment.findData(details.preferred_payment)))
        self.notes.setPlainText(details.notes)

    def save(self, allow_duplicate: bool = False) -> None:
        self.errors.clear()
        try:
            with self._context.database.writing() as session:
                if self._customer_id is None:
                    customer = customer_service.add_customer(
                        session, self.details(), self._context.region, allow_duplicate=allow_duplicate
                    )
                else:
                    customer = customer_service.update_customer(
                        session, self._customer_id, self.details(), self._context.region,
                        allow_duplicate=allow_duplicate,
                    )
                customer_id = customer.id
        except InvalidInput as problems:
            unplaced = self.errors.show(problems)
            if any(f not in ("first_name", "last_name", "phone", "email") for f in problems.problems):
                self.more.setChecked(True)
            if unplaced:
                self.form_error.setText(error_text(problems))
                self.form_error.show()
            first = next(iter(problems.problems))
            target = self.fields.get(first) or {"notes": self.notes, "preferred_payment": self.payment}.get(first)
            if target is not None:
                target.setFocus()
            self.adjustSize()  # room for the wrapped error lines
            return
        except DuplicateCustomer as duplicate:
            self._offer_duplicate(duplicate)
            return
        except RegularsError as error:
            self.form_error.setText(error_text(error))
            self.form_error.show()
            return
        self._customer_id = customer_id
        self.saved.emit(customer_id)
        self.accept()

    def _offer_duplicate(self, duplicate: DuplicateCustomer) -> None:
        self.errors.show(
            InvalidInput({duplicate.field: duplicate.problem}), only={duplicate.field}
        )
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Already a customer"))
        box.setText(error_text(duplicate))
        box.setInformativeText(
            self.tr("Open that customer instead, or add a new one sharing it (a family phone, say)?")
        )
        open_existing = box.addButton(self.tr("Open existing"), QMessageBox.ButtonRole.AcceptRole)
        add_anyway = box.addButton(self.tr("Add anyway"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(open_existing)
        box.exec()
        if box.clickedButton() is open_existing:
            self.saved.emit(duplicate.existing[0].id)
            self.accept()
        elif box.clickedButton() is add_anyway:
            self.save(allow_duplicate=True)

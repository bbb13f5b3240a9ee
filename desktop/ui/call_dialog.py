"""Writing a phone call down while the caller is still on the line: number first, Ctrl+Enter saves."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.context import ShopContext
from desktop.errors import InvalidInput, RegularsError
from desktop.services.choices import CALL_REASON, HEARD_FROM, choice_labels
from desktop.services.customers import get_customer
from desktop.services.phone_calls import CallLog, callers_with_phone, log_call
from desktop.services.phones import display_phone, format_as_you_type
from desktop.ui.choice_combo import ChoiceCombo
from desktop.ui.date_fields import date_edit
from desktop.ui.form_parts import left_aligned, save_cancel_buttons
from desktop.ui.messages import FieldErrors, show_error


class _NotesEdit(QPlainTextEdit):
    """A few lines high to start with; it takes whatever room the dialog has beyond that."""

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), 100)


class CallDialog(QDialog):
    """Emits saved(call_id). customer_id holds the caller's customer, if any, once saved."""

    saved = Signal(int)

    def __init__(self, context: ShopContext, customer_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._fixed_customer: int | None = None
        self.customer_id: int | None = None
        self.errors = FieldErrors()
        self.setWindowTitle(self.tr("Phone call"))
        self.setMinimumWidth(500)

        self.phone = QLineEdit()
        self.phone.setObjectName("phone")
        self.phone.setPlaceholderText(self.tr("The caller's number, any format"))
        big = self.phone.font()
        big.setPointSizeF(big.pointSizeF() * 1.4)
        self.phone.setFont(big)
        self.phone.setMinimumHeight(36)
        self.phone.textEdited.connect(self._phone_edited)

        # Who is calling: a known customer's name, or rows for a new caller's name and answer.
        self.caller = QLabel()
        self.caller.setObjectName("caller")
        self.caller.setTextFormat(Qt.TextFormat.PlainText)
        self.caller.setWordWrap(True)
        caller_font = self.caller.font()
        caller_font.setPointSizeF(caller_font.pointSizeF() * 1.3)
        caller_font.setBold(True)
        self.caller.setFont(caller_font)
        self.change_caller = QPushButton(self.tr("Different caller"))
        self.change_caller.setObjectName("change_caller")
        self.change_caller.setAutoDefault(False)
        self.change_caller.clicked.connect(self.clear_customer)
        self._known_row = QWidget()
        known_layout = QHBoxLayout(self._known_row)
        known_layout.setContentsMargins(0, 4, 0, 4)
        known_layout.addWidget(self.caller, 1)
        known_layout.addWidget(self.change_caller)

        self.caller_name = QLineEdit()
        self.caller_name.setObjectName("caller_name")
        self.caller_name.setPlaceholderText(self.tr("Leave empty to log the number only"))
        with context.database.reading() as session:
            heard_labels = choice_labels(session, HEARD_FROM)
            reason_labels = choice_labels(session, CALL_REASON)
        self.heard_from = ChoiceCombo(heard_labels, editable=True)
        self.heard_from.setObjectName("heard_from")
        self.heard_from.lineEdit().setPlaceholderText(self.tr("Choose or type"))

        self.reason = ChoiceCombo(reason_labels, editable=False)
        self.reason.setObjectName("reason")
        self.notes = _NotesEdit()
        self.notes.setObjectName("notes")
        self.notes.setTabChangesFocus(True)
        self.notes.setPlaceholderText(self.tr("What the caller wants (never card numbers)"))
        self.notes.setMinimumHeight(80)  # and it takes any room the caller rows leave
        self.follow_up = QCheckBox(self.tr("Follow up on"))
        self.follow_up.setObjectName("follow_up")
        self.follow_up_on = date_edit(context.region, date.today() + timedelta(days=1))
        self.follow_up_on.setObjectName("follow_up_on")
        self.follow_up_on.setEnabled(False)
        self.follow_up.toggled.connect(self.follow_up_on.setEnabled)
        follow_row = left_aligned(self.follow_up, self.follow_up_on)

        self._form = form = QFormLayout()
        self.errors.add_row(form, "phone", self.tr("Phone"), self.phone)
        phone_label = form.labelForField(form.itemAt(0, QFormLayout.ItemRole.FieldRole).widget())
        phone_label.setFont(big)
        form.addRow(self._known_row)
        self.errors.add_row(form, "caller_name", self.tr("New caller — name (optional)"), self.caller_name)
        self.errors.add_row(form, "heard_from", self.tr("How did you hear about us?"), self.heard_from)
        self.errors.add_row(form, "reason", self.tr("Reason"), self.reason)
        self.errors.add_row(form, "notes", self.tr("Notes"), self.notes)
        self.errors.add_row(form, "follow_up_on", "", follow_row)
        self._new_caller_rows = (2, 3)
        # The label column keeps one width, so the fields do not jump sideways when the
        # new-caller rows come and go while the number is typed.
        labels = [form.itemAt(row, QFormLayout.ItemRole.LabelRole) for row in range(form.rowCount())]
        labels = [item.widget() for item in labels if item is not None and item.widget() is not None]
        widest = max(label.sizeHint().width() for label in labels)
        for label in labels:
            label.setMinimumWidth(widest)

        buttons, self.save_button = save_cancel_buttons(self, self.save)
        self.save_button.setText(self.tr("Save (Ctrl+Enter)"))

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        self.form_error = self.errors.label_for("form", self)
        layout.addWidget(self.form_error)
        layout.addWidget(buttons)

        self.setTabOrder(self.phone, self.caller_name)
        self.setTabOrder(self.caller_name, self.heard_from)
        self.setTabOrder(self.heard_from, self.reason)
        self.setTabOrder(self.reason, self.notes)
        self.setTabOrder(self.notes, self.follow_up)
        self.setTabOrder(self.follow_up, self.follow_up_on)

        if customer_id is not None:
            self._show_customer(customer_id)
        else:
            self._show_caller(None)
        (self.reason if self._fixed_customer is not None else self.phone).setFocus()

    # Who is calling

    def _show_customer(self, customer_id: int) -> None:
        """Opened for a customer: show them and keep their number, with no lookup."""
        try:
            with self._context.database.reading() as session:
                customer = get_customer(session, customer_id)
                phone = customer.phones[0].e164 if customer.phones else ""
                self._fixed_customer = customer.id
                self._show_caller(customer.full_name)
        except RegularsError as error:
            show_error(self.form_error, error)
            return
        self.phone.setText(display_phone(phone, self._context.region) if phone else "")

    def clear_customer(self) -> None:
        """Not that customer after all: back to finding the caller by number."""
        self._fixed_customer = None
        self.phone.clear()
        self._show_caller(None)
        self.phone.setFocus()

    def _show_caller(self, name: str | None) -> None:
        """A known caller's name, or (name None) the rows for a new caller."""
        if name is not None:
            self.caller.setText(self.tr("Caller: %1").replace("%1", name))
            self.change_caller.setVisible(self._fixed_customer is not None)
        self._form.setRowVisible(self._known_row, name is not None)
        for row in self._new_caller_rows:
            self._form.setRowVisible(row, name is None)

    def _phone_edited(self, text: str) -> None:
        if self.phone.cursorPosition() == len(text):  # only while typing at the end
            shown = format_as_you_type(text, self._context.region)
            if shown != text:
                self.phone.setText(shown)
        if self._fixed_customer is not None:
            return
        try:
            with self._context.database.reading() as session:
                known = callers_with_phone(session, self.phone.text(), self._context.region)
                name = get_customer(session, known[0]).full_name if known else None
        except RegularsError:
            name = None  # not found while typing: the caller is taken as new, and Save says more
        self._show_caller(name)

    def is_new_caller(self) -> bool:
        return self.caller_name.isVisibleTo(self)

    # Saving

    def call_log(self) -> CallLog:
        new_caller = self.is_new_caller()
        follow_up: date | None = None
        if self.follow_up.isChecked():
            follow_up = self.follow_up_on.date().toPython()
        return CallLog(
            reason=self.reason.chosen_label(),
            phone=self.phone.text(),
            customer_id=self._fixed_customer,
            caller_name=self.caller_name.text() if new_caller else "",
            heard_from=self.heard_from.chosen_label() if new_caller else "",
            notes=self.notes.toPlainText(),
            follow_up_on=follow_up,
        )

    def save(self) -> None:
        self.errors.clear()
        try:
            with self._context.database.writing() as session:
                call = log_call(session, self.call_log(), self._context.region, staff="")
                call_id, customer_id = call.id, call.customer_id
        except InvalidInput as problems:
            if self.errors.show(problems):
                show_error(self.form_error, problems)
            target = {"phone": self.phone, "caller_name": self.caller_name, "heard_from": self.heard_from,
                      "reason": self.reason, "notes": self.notes, "follow_up_on": self.follow_up_on}
            widget = target.get(next(iter(problems.problems)))
            if widget is not None:
                widget.setFocus()
            return
        except RegularsError as error:
            show_error(self.form_error, error)
            return
        self.customer_id = customer_id
        self.saved.emit(call_id)
        self.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter moves on to the next field (a half-typed call is never saved by accident)."""
        plain = not (event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and plain:
            self.focusNextChild()
            return
        super().keyPressEvent(event)

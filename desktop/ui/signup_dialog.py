"""Mailing-list sign-up at the counter: a name, one contact, and a tick per channel (none by default)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.context import ShopContext
from desktop.errors import DuplicateCustomer, InvalidInput, RegularsError
from desktop.services.choices import HEARD_FROM, choice_labels
from desktop.services.phones import format_as_you_type
from desktop.services.privacy_notice import current_notice
from desktop.services.signup import SignUp, check_sign_up, sign_up, sign_up_existing
from desktop.ui.choice_combo import ChoiceCombo
from desktop.ui.form_parts import save_cancel_buttons
from desktop.ui.messages import FieldErrors, error_text, show_error

_MORE = ("address_line1", "postal_code", "city", "heard_from")


class SignUpDialog(QDialog):
    """Emits saved(customer_id): the new customer, or the existing one the sign-up updated."""

    saved = Signal(int)

    def __init__(self, context: ShopContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.errors = FieldErrors()
        self.fields: dict[str, QLineEdit] = {}
        self.setWindowTitle(self.tr("Mailing-list sign-up"))

        # One form, so every label lines up; "More details" shows or hides the rows after it.
        self._form = form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._add_line(form, "first_name", self.tr("First name"))
        self._add_line(form, "last_name", self.tr("Last name"))
        self._add_line(form, "phone", self.tr("Phone"), self.tr("Any format, e.g. (11) 98765-4321"))
        self._add_line(form, "email", self.tr("Email"), self.tr("e.g. ana@example.com"))
        self.fields["phone"].textEdited.connect(self._format_phone)
        self.more = QCheckBox(self.tr("More details"))
        self.more.setObjectName("more_details")
        form.addRow("", self.more)
        first_more_row = form.rowCount()
        self._add_line(form, "address_line1", self.tr("Address"))
        self._add_line(form, "postal_code", self.tr("Postal code"))
        self._add_line(form, "city", self.tr("City"))
        with context.database.reading() as session:
            heard_labels = choice_labels(session, HEARD_FROM)
        self.heard_from = ChoiceCombo(heard_labels, editable=True)
        self.heard_from.setObjectName("heard_from")
        self.heard_from.lineEdit().setPlaceholderText(self.tr("Choose or type"))
        self.errors.add_row(form, "heard_from", self.tr("How did you hear about us?"), self.heard_from)
        self._more_rows = range(first_more_row, form.rowCount())
        self.more.toggled.connect(self._show_more)
        self._show_more(False)

        self.consents: dict[str, QCheckBox] = {}
        offers = QGroupBox(self.tr("Offers and news"))
        offers_layout = QVBoxLayout(offers)
        for channel, text in (
            ("email", self.tr("Send me offers by email")),
            ("sms", self.tr("Send me offers by SMS")),
            ("post", self.tr("Send me offers by post")),
        ):
            box = QCheckBox(text)
            box.setObjectName(f"consent_{channel}")
            box.setChecked(False)  # never pre-ticked: an unticked box is a no
            self.consents[channel] = box
            offers_layout.addWidget(box)
            offers_layout.addWidget(self.errors.label_for(f"consent_{channel}", offers))

        self.notice_version = 0
        notice_text = ""
        try:
            with context.database.reading() as session:
                notice = current_notice(session)
                self.notice_version, notice_text = notice.version, notice.text
        except RegularsError as error:
            notice_text = error_text(error)
        self.notice_label = QLabel(self.tr("Privacy notice, version %1").replace("%1", str(self.notice_version)))
        self.notice_label.setObjectName("notice_label")
        self.read_notice = QPushButton(self.tr("Read the notice"))
        self.read_notice.setObjectName("read_notice")
        self.read_notice.setCheckable(True)
        self.read_notice.setAutoDefault(False)
        self.notice = QPlainTextEdit(notice_text)
        self.notice.setObjectName("notice")
        self.notice.setReadOnly(True)
        self.notice.setMinimumWidth(380)  # beside the form: the dialog widens rather than grows taller
        self.notice.setVisible(False)
        self.read_notice.toggled.connect(self._toggle_notice)
        notice_row = QHBoxLayout()
        notice_row.addWidget(self.notice_label, 1)
        notice_row.addWidget(self.read_notice)
        offers_layout.addLayout(notice_row)
        offers_layout.addWidget(self.errors.label_for("notice_version", offers))
        optional = QLabel(self.tr("A customer who prefers not to join can still be served: leave the boxes unticked."))
        optional.setObjectName("optional_hint")
        optional.setWordWrap(True)
        offers_layout.addWidget(optional)

        buttons, self.save_button = save_cancel_buttons(self, self.save)
        self.save_button.setDefault(True)  # Enter in any field saves

        entry_column = QWidget()
        entry_column.setMinimumWidth(500)
        entry = QVBoxLayout(entry_column)
        entry.setContentsMargins(0, 0, 0, 0)
        entry.addLayout(form)
        entry.addWidget(offers)
        entry.addStretch(1)
        columns = QHBoxLayout()
        columns.addWidget(entry_column)
        columns.addWidget(self.notice, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        self.form_error = self.errors.label_for("form", self)
        layout.addWidget(self.form_error)
        layout.addWidget(buttons)
        self.fields["first_name"].setFocus()
        for edit in self.fields.values():
            edit.textChanged.connect(self._recheck)
        for box in self.consents.values():
            box.toggled.connect(self._recheck)

    def _recheck(self) -> None:
        """Once errors are showing, each goes as soon as what it was about is fixed (a phone typed in
        answers "a phone or an email" under both); no new error appears before the next save."""
        if not self.errors.any_shown():
            return
        try:
            with self._context.database.reading() as session:
                check_sign_up(session, self.form(), self._context.region, self.notice_version, "signup")
        except InvalidInput as problems:
            self.errors.keep_only(set(problems.problems))
            return
        self.errors.keep_only(set())

    def _add_line(self, form: QFormLayout, field: str, label: str, placeholder: str = "") -> None:
        edit = QLineEdit()
        edit.setObjectName(field)
        edit.setPlaceholderText(placeholder)
        self.fields[field] = edit
        self.errors.add_row(form, field, label, edit)

    def _format_phone(self, text: str) -> None:
        edit = self.fields["phone"]
        if edit.cursorPosition() == len(text):  # only while typing at the end
            shown = format_as_you_type(text, self._context.region)
            if shown != text:
                edit.setText(shown)

    def _show_more(self, shown: bool) -> None:
        for row in self._more_rows:
            self._form.setRowVisible(row, shown)
        self._fit()

    def _toggle_notice(self, shown: bool) -> None:
        self.notice.setVisible(shown)
        self.read_notice.setText(self.tr("Hide the notice") if shown else self.tr("Read the notice"))
        self._fit()

    def _fit(self) -> None:
        """Grows or shrinks to what is shown (rows opened, notice read, errors added)."""
        layout = self.layout()
        if layout is not None:
            layout.activate()
            self.adjustSize()
            # Wrapped error lines need the height for the width actually given, which
            # adjustSize alone does not ask the form for.
            needed = layout.totalHeightForWidth(self.width())
            if needed > self.height():
                self.resize(self.width(), needed)

    def form(self) -> SignUp:
        text = {name: edit.text() for name, edit in self.fields.items()}
        return SignUp(
            heard_from=self.heard_from.chosen_label(),
            consents={channel: True for channel, box in self.consents.items() if box.isChecked()},
            **text,
        )

    def save(self) -> None:
        self._write(None)

    def _write(self, existing_id: int | None) -> None:
        self.errors.clear()
        self.form_error.hide()
        try:
            with self._context.database.writing() as session:
                if existing_id is None:
                    customer = sign_up(session, self.form(), self._context.region,
                                       notice_version=self.notice_version, staff="", source="signup")
                else:
                    customer = sign_up_existing(session, existing_id, self.form(), self._context.region,
                                                notice_version=self.notice_version, staff="", source="signup")
                customer_id = customer.id
        except InvalidInput as problems:
            self._show_problems(problems)
            return
        except DuplicateCustomer as duplicate:
            if self._update_existing(duplicate):
                self._write(duplicate.existing[0].id)
            return
        except RegularsError as error:
            show_error(self.form_error, error)
            return
        self.saved.emit(customer_id)
        self.accept()

    def _show_problems(self, problems: InvalidInput) -> None:
        unplaced = self.errors.show(problems)
        if any(field in _MORE for field in problems.problems):
            self.more.setChecked(True)
        if unplaced:
            show_error(self.form_error, problems)
        first = next(iter(problems.problems))
        target = self.fields.get(first) or self.consents.get(first.removeprefix("consent_"))
        if first == "heard_from":
            target = self.heard_from
        if target is not None:
            target.setFocus()
        self._fit()  # room for the wrapped error lines

    def _update_existing(self, duplicate: DuplicateCustomer) -> bool:
        """Asks whether the sign-up is for the customer who already has that phone or email."""
        name = duplicate.existing[0].full_name
        if duplicate.field == "email":
            text = self.tr("This email already belongs to %1.")
        else:
            text = self.tr("This phone number already belongs to %1.")
        answer = QMessageBox.question(
            self,
            self.tr("Already a customer"),
            text.replace("%1", name) + "\n\n" + self.tr("Update that customer with this sign-up?"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        if answer != QMessageBox.StandardButton.Yes:
            self.fields[duplicate.field if duplicate.field in self.fields else "phone"].setFocus()
            return False
        return True


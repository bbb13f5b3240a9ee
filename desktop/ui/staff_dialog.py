"""The owner's list of who works the till: add someone, change a role, set a new PIN, turn an account off."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from PySide6.QtCore import QLocale, QRegularExpression, Qt, QTime, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from desktop.context import ShopContext
from desktop.errors import InvalidInput, RegularsError
from desktop.models import ROLES
from desktop.models.base import utc_now
from desktop.services.staff import MAX_PIN, StaffSummary, add_staff, change_staff, list_staff
from desktop.ui.messages import FieldErrors, error_text
from desktop.ui.role_names import role_label

STAFF_ID = Qt.ItemDataRole.UserRole


def _pin_field(name: str, validator: QRegularExpressionValidator) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setValidator(validator)
    edit.setMaxLength(MAX_PIN)
    return edit


def _role_choice(name: str) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    for role in ROLES:
        combo.addItem(role_label(role), role)
    return combo


def _button(text: str, name: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAutoDefault(False)
    return button


class StaffDialog(QDialog):
    """Emits changed(staff_uuid) after each account added or changed; every change goes through the staff service."""

    changed = Signal(str)
    NAME, ROLE, ACTIVE, LOCKED = range(4)

    def __init__(self, context: ShopContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._staff: list[StaffSummary] = []
        self.setWindowTitle(self.tr("Staff"))
        self.setMinimumWidth(640)
        digits = QRegularExpressionValidator(QRegularExpression(f"[0-9]{{0,{MAX_PIN}}}"), self)

        self.table = QTableWidget(0, 4)
        self.table.setObjectName("staff")
        self.table.setHorizontalHeaderLabels([self.tr("Name"), self.tr("Role"), self.tr("Account"), self.tr("Locked")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(self.NAME, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._show_selected)

        # Adding someone
        self.add_errors = FieldErrors()
        self.new_name = QLineEdit()
        self.new_name.setObjectName("new_name")
        self.new_role = _role_choice("new_role")
        self.new_pin = _pin_field("new_pin", digits)
        self.new_pin_again = _pin_field("new_pin_again", digits)
        self.add_button = _button(self.tr("Add"), "add_staff")
        self.add_button.clicked.connect(self.add)
        add_form = QFormLayout()
        self.add_errors.add_row(add_form, "name", self.tr("Name"), self.new_name)
        self.add_errors.add_row(add_form, "role", self.tr("Role"), self.new_role)
        self.add_errors.add_row(add_form, "pin", self.tr("PIN"), self.new_pin)
        self.add_errors.add_row(add_form, "pin_again", self.tr("PIN again"), self.new_pin_again)
        add_form.addRow("", self.add_button)
        adding = QGroupBox(self.tr("Add a staff member"))
        adding.setLayout(add_form)

        # Changing the one selected
        self.change_errors = FieldErrors()
        self.role = _role_choice("role")
        self.role_button = _button(self.tr("Change role"), "change_role")
        self.role_button.clicked.connect(self.change_role)
        self.pin = _pin_field("pin", digits)
        self.pin_again = _pin_field("pin_again", digits)
        self.pin_button = _button(self.tr("Set new PIN"), "set_pin")
        self.pin_button.clicked.connect(self.set_pin)
        self.active_button = _button(self.tr("Turn off"), "toggle_active")
        self.active_button.clicked.connect(self.toggle_active)
        role_row = QWidget()
        role_layout = QHBoxLayout(role_row)
        role_layout.setContentsMargins(0, 0, 0, 0)
        role_layout.addWidget(self.role, 1)
        role_layout.addWidget(self.role_button)
        change_form = QFormLayout()
        self.change_errors.add_row(change_form, "role", self.tr("Role"), role_row)
        self.change_errors.add_row(change_form, "pin", self.tr("New PIN"), self.pin)
        self.change_errors.add_row(change_form, "pin_again", self.tr("New PIN again"), self.pin_again)
        change_form.addRow("", self.pin_button)
        self.change_errors.add_row(change_form, "active", self.tr("Account"), self.active_button)
        self.changing = QGroupBox()
        self.changing.setLayout(change_form)

        hint = QLabel(
            self.tr("A PIN says who is working; it does not open the shop file. Five wrong PINs in a row lock "
                    "that account for a while; a new PIN unlocks it.")
        )
        hint.setWordWrap(True)
        self.form_error = QLabel()
        self.form_error.setObjectName("form_error")
        self.form_error.setStyleSheet("color: #b00020;")
        self.form_error.setWordWrap(True)
        self.form_error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        forms = QHBoxLayout()
        forms.addWidget(adding, 1)
        forms.addWidget(self.changing, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(forms)
        layout.addWidget(hint)
        layout.addWidget(self.form_error)
        layout.addWidget(buttons)
        self.reload()
        self._suggest_role()

    def reload(self, select_id: int | None = None) -> None:
        """Everyone, turned-off accounts included; the same person stays selected."""
        keep = select_id if select_id is not None else self.selected_id()
        try:
            with self._context.database.reading() as session:
                self._staff = list_staff(session, include_inactive=True)
        except RegularsError as error:
            self._say(error_text(error))
            self._staff = []
        now = utc_now()
        self.table.setRowCount(len(self._staff))
        for row, member in enumerate(self._staff):
            locked = member.locked_until is not None and member.locked_until > now
            cells = (
                member.name,
                role_label(member.role),
                self.tr("On") if member.active else self.tr("Turned off"),
                self.tr("until %1").replace("%1", _local_time(member.locked_until)) if locked else "",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(STAFF_ID, member.id)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        rows = [row for row, member in enumerate(self._staff) if member.id == keep]
        if rows:
            self.table.selectRow(rows[0])
        else:
            self.table.clearSelection()
        self._show_selected()

    def selected_id(self) -> int | None:
        member = self.selected()
        return member.id if member is not None else None

    def selected(self) -> StaffSummary | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self._staff[rows[0].row()] if rows and rows[0].row() < len(self._staff) else None

    def select(self, name: str) -> None:
        for row, member in enumerate(self._staff):
            if member.name == name:
                self.table.selectRow(row)

    def _show_selected(self) -> None:
        member = self.selected()
        self.change_errors.clear()
        self.changing.setEnabled(member is not None)
        self.changing.setTitle(
            self.tr("Change %1").replace("%1", member.name) if member else self.tr("Select someone to change")
        )
        if member is not None:
            self.role.setCurrentIndex(max(0, self.role.findData(member.role)))
            self.active_button.setText(self.tr("Turn off") if member.active else self.tr("Turn back on"))
        self.pin.clear()
        self.pin_again.clear()

    # Changes, each through the staff service

    def add(self) -> None:
        self.add_errors.clear()
        if self.new_pin.text() != self.new_pin_again.text():
            self.add_errors.say("pin_again", self.tr("The two PINs differ."))
            return
        name, role, pin = self.new_name.text(), self.new_role.currentData(), self.new_pin.text()
        added = self._run(lambda session: add_staff(session, name, role, pin), self.add_errors)
        if added is not None:
            for field in (self.new_name, self.new_pin, self.new_pin_again):
                field.clear()
            self._suggest_role()
            self.new_name.setFocus()

    def _suggest_role(self) -> None:
        """The first account must be the owner's; most after it are cashiers'."""
        self.new_role.setCurrentIndex(self.new_role.findData("cashier" if self._staff else "owner"))

    def change_role(self) -> None:
        member = self.selected()
        if member is not None:
            role = self.role.currentData()
            self._run(lambda session: change_staff(session, member.id, role=role), self.change_errors)

    def set_pin(self) -> None:
        member = self.selected()
        if member is None:
            return
        self.change_errors.clear()
        if self.pin.text() != self.pin_again.text():
            self.change_errors.say("pin_again", self.tr("The two PINs differ."))
            return
        pin = self.pin.text()
        self._run(lambda session: change_staff(session, member.id, pin=pin), self.change_errors)

    def toggle_active(self) -> None:
        member = self.selected()
        if member is not None:
            active = not member.active
            self._run(lambda session: change_staff(session, member.id, active=active), self.change_errors)

    def _run(self, change: Callable[[Session], StaffSummary], errors: FieldErrors) -> StaffSummary | None:
        errors.clear()
        self.form_error.hide()
        try:
            with self._context.database.writing() as session:
                summary = change(session)
        except InvalidInput as problems:
            if errors.show(problems):  # a problem with no field here: on the dialog's own line
                self._say(error_text(problems))
            return None
        except RegularsError as error:  # not allowed, or the person is gone
            self._say(error_text(error))
            return None
        self.reload(select_id=summary.id)
        self.changed.emit(summary.uuid)
        return summary

    def _say(self, text: str) -> None:
        self.form_error.setText(text)
        self.form_error.show()


def _local_time(moment: datetime) -> str:
    """A stored (naive UTC) time as the clock on the wall shows it."""
    local = moment.replace(tzinfo=timezone.utc).astimezone()
    return QLocale().toString(QTime(local.hour, local.minute), QLocale.FormatType.ShortFormat)

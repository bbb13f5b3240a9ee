"""The amount spent, asked when a card counts it: a bad amount keeps the prompt open with its error."""

from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QDialog, QFormLayout, QLineEdit, QVBoxLayout, QWidget
from sqlalchemy.orm import Session

from desktop.db.engine import ShopDatabase
from desktop.services import loyalty
from desktop.ui.form_parts import save_cancel_buttons, write_form
from desktop.ui.messages import FieldErrors


class AmountDialog(QDialog):
    """Asks for the purchase and stamps with it; balance holds the new balance once accepted."""

    def __init__(self, database: ShopDatabase, program: str,
                 earn: Callable[[Session, str], loyalty.Balance], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("amount_dialog")
        self.setWindowTitle(program)
        self._database = database
        self._earn = earn
        self.balance: loyalty.Balance | None = None
        self.errors = FieldErrors()
        self.amount = QLineEdit()
        self.amount.setObjectName("purchase")
        form = QFormLayout()
        self.errors.add_row(form, "purchase", self.tr("Amount spent (e.g. 12,50)"), self.amount)
        self.form_error = self.errors.label_for("form", self)
        buttons, self.save_button = save_cancel_buttons(self, self.save)
        self.save_button.setText(self.tr("Stamp"))
        self.save_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.form_error)
        layout.addWidget(buttons)
        self.amount.setFocus()

    def save(self) -> None:
        balance = write_form(self, self._database, self.errors, self.form_error,
                             lambda session: self._earn(session, self.amount.text()), {"purchase": self.amount})
        if balance is not None:
            self.balance = balance
            self.accept()
        else:
            self.amount.selectAll()

"""Changing the shop's passphrase: the key is rewrapped, the book is not re-encrypted."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import InvalidInput, RegularsError
from desktop.services.shop import change_shop_passphrase
from desktop.ui.form_parts import save_shortcuts
from desktop.ui.messages import FieldErrors


class PassphraseDialog(QDialog):
    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self.errors = FieldErrors()
        self.setWindowTitle(self.tr("Change passphrase"))
        self.setMinimumWidth(420)
        self.fields: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for field, label in (
            ("current", self.tr("Current passphrase")),
            ("passphrase", self.tr("New passphrase")),
            ("passphrase_again", self.tr("New passphrase again")),
        ):
            edit = QLineEdit()
            edit.setObjectName(field)
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            self.fields[field] = edit
            self.errors.add_row(form, field, label, edit)
        note = QLabel(self.tr("The recovery key you keep in the safe stays valid."))
        note.setWordWrap(True)
        note.setTextFormat(Qt.TextFormat.PlainText)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Change passphrase"))
        buttons.accepted.connect(self.change)
        save_shortcuts(self, self.change)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def change(self) -> None:
        self.errors.clear()
        try:
            change_shop_passphrase(
                self.path,
                self.fields["current"].text(),
                self.fields["passphrase"].text(),
                self.fields["passphrase_again"].text(),
            )
        except InvalidInput as problems:
            self.errors.show(problems)
            self.adjustSize()
            return
        except RegularsError as problem:  # the current passphrase is wrong, or the key file is unreadable
            self.errors.show(InvalidInput({"current": problem.problem}))
            self.fields["current"].selectAll()
            self.fields["current"].setFocus()
            self.adjustSize()
            return
        self.accept()

"""A new recovery key, shown once and confirmed by typing its last four characters back.

The window's counterpart of the command line's hand-over (desktop/cli/shop_file.py): the key
is put to use only after the owner confirmed it, so a window closed or a process killed before
then never leaves a recovery key in the key file that nobody saw.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from desktop.db.keys import RecoveryKey


class RecoveryKeyDialog(QDialog):
    def __init__(self, recovery_key: RecoveryKey, key_file_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recovery_key_dialog")
        self.setWindowTitle(self.tr("Your recovery key"))
        self._last_group = recovery_key.text.rsplit("-", 1)[1]
        intro = QLabel(self.tr("Write this recovery key down or print it, and keep it in a safe:"))
        intro.setWordWrap(True)
        self.key = QLabel(recovery_key.text)
        self.key.setObjectName("recovery_key")
        self.key.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        details = QLabel(
            self.tr(
                "If the passphrase is ever forgotten, this key unlocks the shop so a new passphrase can be set "
                "(regulars --recovery-key passphrase change). It is shown only now. Back up the shop file "
                "together with its key file, %1."
            ).replace("%1", key_file_name)
        )
        details.setWordWrap(True)
        self.confirmation = QLineEdit()
        self.confirmation.setObjectName("recovery_key_confirmation")
        self.confirmation.setMaxLength(len(self._last_group))
        self.confirmation.setPlaceholderText(self.tr("Its last four characters"))
        self.confirmation.textChanged.connect(self._confirmation_changed)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.confirm_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.confirm_button.setText(self.tr("I have written it down"))
        self.confirm_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.key)
        layout.addWidget(details)
        layout.addWidget(QLabel(self.tr("Type its last four characters to confirm you have it:")))
        layout.addWidget(self.confirmation)
        layout.addWidget(self.buttons)

    def confirmed(self) -> bool:
        return self.confirmation.text().strip().upper() == self._last_group

    def _confirmation_changed(self) -> None:
        self.confirm_button.setEnabled(self.confirmed())

    def accept(self) -> None:
        if self.confirmed():
            super().accept()

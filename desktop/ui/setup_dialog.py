"""The first run: name the shop, say where it is, and choose the passphrase."""

from __future__ import annotations

from pathlib import Path

import phonenumbers
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.db.engine import ShopDatabase
from desktop.db.keys import RecoveryKey
from desktop.errors import InvalidInput, RegularsError
from desktop.services.shop import (
    PAPER_SIZES,
    ShopSettings,
    check_new_passphrase,
    check_settings,
    create_shop,
    default_currency,
    default_paper_size,
)
from desktop.ui.form_parts import save_shortcuts
from desktop.ui.messages import FieldErrors, error_text
from desktop.ui.recovery_key_dialog import RecoveryKeyDialog


def _region_name(code: str) -> str:
    territory = QLocale.codeToTerritory(code)
    name = QLocale.territoryToString(territory) if territory != QLocale.Country.AnyTerritory else ""
    return f"{name} ({code})" if name else code


class SetupDialog(QDialog):
    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self.database: ShopDatabase | None = None
        self.recovery_key = ""
        self.errors = FieldErrors()
        self.setWindowTitle(self.tr("Set up your shop"))
        self.setMinimumWidth(460)

        intro = QLabel(
            self.tr(
                "Regulars keeps your customer book in one encrypted file on this computer. "
                "Choose a passphrase you will remember: without it the file cannot be opened, "
                "and it is never stored."
            )
        )
        intro.setWordWrap(True)

        self.shop_name = QLineEdit()
        self.shop_name.setObjectName("shop_name")
        self.region = QComboBox()
        self.region.setObjectName("region")
        regions = sorted(phonenumbers.SUPPORTED_REGIONS, key=_region_name)
        for code in regions:
            self.region.addItem(_region_name(code), code)
        home = QLocale().name().partition("_")[2] or "BR"
        self.region.setCurrentIndex(max(0, self.region.findData(home)))
        self.currency = QLineEdit()
        self.currency.setObjectName("currency")
        self.currency.setMaxLength(3)
        self.paper = QComboBox()
        self.paper.setObjectName("paper_size")
        self.paper.addItems(list(PAPER_SIZES))
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("passphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_again = QLineEdit()
        self.passphrase_again.setObjectName("passphrase_again")
        self.passphrase_again.setEchoMode(QLineEdit.EchoMode.Password)
        self.region.currentIndexChanged.connect(self._region_changed)
        self._region_changed()

        form = QFormLayout()
        for field, label, widget in (
            ("shop_name", self.tr("Shop name"), self.shop_name),
            ("region", self.tr("Country or region"), self.region),
            ("currency", self.tr("Currency"), self.currency),
            ("paper_size", self.tr("Paper size"), self.paper),
            ("passphrase", self.tr("Passphrase"), self.passphrase),
            ("passphrase_again", self.tr("Passphrase again"), self.passphrase_again),
        ):
            self.errors.add_row(form, field, label, widget)
        self.form_error = self.errors.label_for("form", self)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Create shop"))
        buttons.accepted.connect(self.create)
        save_shortcuts(self, self.create)
        buttons.rejected.connect(self.reject)
        location = QLabel(self.tr("Shop file: %1").replace("%1", str(self.path)))
        location.setTextFormat(Qt.TextFormat.PlainText)
        location.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(location)
        layout.addWidget(self.form_error)
        layout.addWidget(buttons)

    def _region_changed(self) -> None:
        code = self.region.currentData() or ""
        self.currency.setText(default_currency(code))
        self.paper.setCurrentText(default_paper_size(code))

    def create(self) -> None:
        """Checks the form, has the owner confirm a new recovery key, and only then creates the shop with it."""
        self.errors.clear()
        self.form_error.hide()
        settings = ShopSettings(
            name=self.shop_name.text(),
            region=self.region.currentData() or "",
            currency=self.currency.text(),
            paper_size=self.paper.currentText(),
        )
        try:
            settings = check_settings(settings)
            check_new_passphrase(self.passphrase.text(), self.passphrase_again.text())
            recovery_key = RecoveryKey.new()
            if not self._recovery_key_confirmed(recovery_key):
                self._say(self.tr("No shop was created: write the recovery key down and confirm it first."))
                return
            self.database = create_shop(self.path, self.passphrase.text(), settings, recovery_key)
        except InvalidInput as problems:
            self.errors.show(problems)
            self.adjustSize()
            return
        except RegularsError as error:
            self._say(error_text(error))
            return
        self.recovery_key = recovery_key.text
        self.accept()

    def _say(self, text: str) -> None:
        self.form_error.setText(text)
        self.form_error.show()
        self.adjustSize()

    def _recovery_key_confirmed(self, recovery_key: RecoveryKey) -> bool:
        """Shown once, before it is written: with it, a forgotten passphrase can be replaced."""
        dialog = RecoveryKeyDialog(recovery_key, self.path.name + ".key", self)
        return dialog.exec() == QDialog.DialogCode.Accepted

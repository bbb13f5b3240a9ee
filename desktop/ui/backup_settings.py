"""The "Backups" page of the shop settings: where the daily backup goes, how many are kept, when to warn."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.context import ShopContext
from desktop.errors import InvalidInput
from desktop.services.backups import (
    KEEP_RANGE,
    WARN_DAYS_RANGE,
    BackupSettings,
    backup_settings,
    update_backup_settings,
)
from desktop.ui.messages import FieldErrors


class BackupSettingsPage(QWidget):
    """load() fills the fields from the shop; save() writes them, or shows each field's problem and returns False."""

    saved = Signal()

    def __init__(self, context: ShopContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.errors = FieldErrors()

        self.folder = QLineEdit()
        self.folder.setObjectName("backup_folder")
        self.folder.setPlaceholderText(self.tr("No automatic backups"))
        self.folder.setClearButtonEnabled(True)
        self.choose_button = QPushButton(self.tr("Choose…"))
        self.choose_button.setObjectName("choose_backup_folder")
        self.choose_button.setAutoDefault(False)
        self.choose_button.clicked.connect(self._pick_folder)
        folder_row = QWidget()
        folder_layout = QHBoxLayout(folder_row)
        folder_layout.setContentsMargins(0, 0, 0, 0)
        folder_layout.addWidget(self.folder, 1)
        folder_layout.addWidget(self.choose_button)

        self.keep = QSpinBox()
        self.keep.setObjectName("backup_keep")
        self.keep.setRange(*KEEP_RANGE)
        self.keep.setSuffix(self.tr(" backups"))
        self.warn_days = QSpinBox()
        self.warn_days.setObjectName("backup_warn_days")
        self.warn_days.setRange(*WARN_DAYS_RANGE)
        self.warn_days.setSuffix(self.tr(" days"))

        form = QFormLayout()
        self.errors.add_row(form, "folder", self.tr("Daily backup folder"), folder_row)
        self.errors.add_row(form, "keep", self.tr("Keep the newest"), self.keep)
        self.errors.add_row(form, "warn_days", self.tr("Warn after"), self.warn_days)
        hint = QLabel(
            self.tr(
                "While Regulars is open, a backup of the shop and its key file is written to this folder once a "
                "day; older ones beyond the number kept are deleted. Choose a USB stick or another disk: a backup "
                "on the shop's own disk is lost with it. A backup opens with the shop's passphrase or recovery key. "
                "The window warns when no backup was made for the number of days above."
            )
        )
        hint.setWordWrap(True)
        hint.setObjectName("backup_hint")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addStretch(1)
        self.load()

    def load(self) -> None:
        with self._context.database.reading() as session:
            settings = backup_settings(session)
        self.folder.setText(settings.folder)
        self.keep.setValue(settings.keep)
        self.warn_days.setValue(settings.warn_days)
        self.errors.clear()

    def settings(self) -> BackupSettings:
        return BackupSettings(folder=self.folder.text(), keep=self.keep.value(), warn_days=self.warn_days.value())

    def save(self) -> bool:
        self.errors.clear()
        try:
            with self._context.database.writing() as session:
                saved = update_backup_settings(session, self.settings())
        except InvalidInput as problems:
            self.errors.show(problems)
            return False
        self.folder.setText(saved.folder)
        self.saved.emit()
        return True

    def _pick_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Folder for the daily backups"), self.folder.text())
        if folder:
            self.folder.setText(folder)

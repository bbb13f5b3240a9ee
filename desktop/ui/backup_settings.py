"""The "Backups" page of the shop settings: where the daily backup goes, how many are kept, when to warn,
and whether the system's scheduler runs it while Regulars is closed."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
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
from desktop.errors import InvalidInput, Problem, WrongPassphrase, translatable
from desktop.services import backup_schedule
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
        layout.addLayout(self._schedule_rows())
        layout.addStretch(1)
        self.load()

    def _schedule_rows(self) -> QFormLayout:
        self.schedule = QCheckBox(self.tr("Run the daily backup even when Regulars is closed (the passphrase is kept in the system's credential store)"))
        self.schedule.setObjectName("backup_schedule")
        self.schedule.toggled.connect(self._show_passphrase_row)
        self.schedule_passphrase = QLineEdit()
        self.schedule_passphrase.setObjectName("backup_schedule_passphrase")
        self.schedule_passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.schedule_note = QLabel(
            self.tr(
                "The system's scheduler then starts the backup every hour it is due. Nobody is there to type the "
                "passphrase, so it is kept in this computer's credential store (Windows Credential Manager, macOS "
                "Keychain or the desktop's keyring), never in a file: whoever can sign in to this user account "
                "can then open the shop. Type the passphrase to turn it on."
            )
        )
        self.schedule_note.setWordWrap(True)
        self.schedule_note.setObjectName("backup_schedule_note")
        self.schedule_status = QLabel()
        self.schedule_status.setObjectName("backup_schedule_status")
        self.schedule_status.setWordWrap(True)
        self.schedule_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        rows = QFormLayout()
        rows.addRow(self.schedule)
        rows.addRow(self.schedule_note)
        self.errors.add_row(rows, "schedule", self.tr("Shop passphrase"), self.schedule_passphrase)
        self._passphrase_row = rows.rowCount() - 1
        self._schedule_form = rows
        rows.addRow(self.schedule_status)
        return rows

    def _show_passphrase_row(self) -> None:
        turning_on = self.schedule.isChecked() and not self._scheduled()
        self._schedule_form.setRowVisible(self._passphrase_row, turning_on)
        self.schedule_note.setVisible(turning_on)

    def _scheduled(self) -> bool:
        return backup_schedule.is_on(self._context.database.path)

    def load(self) -> None:
        with self._context.database.reading() as session:
            settings = backup_settings(session)
        self.folder.setText(settings.folder)
        self.keep.setValue(settings.keep)
        self.warn_days.setValue(settings.warn_days)
        self.schedule.setChecked(self._scheduled())
        self.schedule_passphrase.clear()
        self._show_passphrase_row()
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
        if not self._save_schedule():
            return False
        self.saved.emit()
        return True

    def _save_schedule(self) -> bool:
        """Turns the scheduled backup on or off when the box changed; False (the problem shown) if it could not."""
        wanted, database = self.schedule.isChecked(), self._context.database
        if wanted == self._scheduled():
            return True
        try:
            if wanted:
                result = backup_schedule.turn_on(database, self.schedule_passphrase.text())
            else:
                result = backup_schedule.turn_off(database)
        except WrongPassphrase:
            self.errors.show(InvalidInput({"schedule": Problem(translatable(
                "That is not the shop's passphrase: the scheduled backup could not open the shop with it."))}))
            return False
        except InvalidInput as problem:
            self.errors.show(problem)
            return False
        self.schedule_passphrase.clear()
        self._show_passphrase_row()
        self.schedule_status.setText(
            self.tr("The system's scheduler did not answer; to finish, run:\n%1").replace("%1", result.manual)
            if result.manual else ""
        )
        return True

    def _pick_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Folder for the daily backups"), self.folder.text())
        if folder:
            self.folder.setText(folder)

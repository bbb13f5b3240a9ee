"""Backups from the window: "Back up now…", the daily automatic backup, and the "Last backup" status.

The copy runs on a worker thread (desktop.db.backup copies while the till keeps working);
the worker only emits signals, which Qt delivers on the window's thread, so no widget is
ever touched from the worker.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QObject,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QWidget,
)

from desktop.context import ShopContext
from desktop.db.backup import BackupCancelled, BackupReport
from desktop.errors import RegularsError
from desktop.models.base import utc_now
from desktop.services.backups import (
    BackupStatus,
    back_up,
    backup_status,
    is_due,
    scheduled_backup,
    shop_slug,
)
from desktop.ui.background_job import BackgroundJob
from desktop.ui.date_fields import stored_moment_text
from desktop.ui.messages import error_text

CHECK_EVERY_MS = 60 * 60 * 1000  # the daily backup is looked at hourly
OVERDUE_STYLE = "color: #8b0000; font-weight: bold;"
JOIN_ON_QUIT_S = 30


class BackupJob(BackgroundJob):
    """One backup; progressed counts pages, succeeded carries the BackupReport (None when a scheduled one was not due)."""

    thread_name = "regulars-backup"


class BackupActions(QObject):
    """The "Back up now…" action, the status-bar label, and the automatic daily backup."""

    finished = Signal(object)  # a BackupReport, after any backup that was written
    statusChanged = Signal()

    def __init__(self, context: ShopContext, parent: QWidget) -> None:
        super().__init__(parent)
        self._context = context
        self._parent = parent
        self._job: BackupJob | None = None
        self._progress: QProgressDialog | None = None
        self._scheduled_problem: str = ""
        self.last_error: str = ""

        self.back_up_action = QAction(self.tr("Back up now…"), parent)
        self.back_up_action.setObjectName("back_up_now")
        self.back_up_action.triggered.connect(self.back_up_now)
        self.status_label = QLabel(parent)
        self.status_label.setObjectName("backup_status")
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_EVERY_MS)
        self._timer.timeout.connect(self.check_schedule)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        self.refresh_status()

    def start(self) -> None:
        """The automatic backup: looked at once the window is up, then hourly."""
        QTimer.singleShot(0, self.check_schedule)
        self._timer.start()

    def busy(self) -> bool:
        return self._job is not None and self._job.running()

    # Back up now

    def back_up_now(self) -> None:
        if self.busy():
            self._show_message(self.tr("A backup is already being written; try again when it is done."))
            return
        suggested = f"{shop_slug(self._context.shop_name)}-{datetime.now():%Y%m%d-%H%M}.regulars"
        path, _filter = QFileDialog.getSaveFileName(
            self._parent,
            self.tr("Back up the shop"),
            str(Path.home() / suggested),
            self.tr("Regulars backups (*.regulars)"),
            options=QFileDialog.Option.DontConfirmOverwrite,  # a backup never overwrites: it says so instead
        )
        if not path:
            return
        out = Path(path)
        if not out.suffix:
            out = out.with_suffix(".regulars")
        self.back_up_to(out)

    def back_up_to(self, out: Path) -> BackupJob:
        """Starts the backup to ``out`` (and its key file) with a progress dialog that can cancel it."""
        database = self._context.database
        self.last_error = ""
        job = BackupJob(lambda progress, cancelled: back_up(database, out, progress=progress, cancelled=cancelled))
        dialog = QProgressDialog(
            self.tr("Backing up to %1…\nThe till keeps working meanwhile.").replace("%1", out.name),
            self.tr("Cancel"),
            0,
            100,
            self._parent,
        )
        dialog.setObjectName("backup_progress")
        dialog.setWindowTitle(self.tr("Backup"))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(400)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setValue(0)
        dialog.canceled.connect(job.cancel)
        job.progressed.connect(lambda done, total: self._show_progress(dialog, done, total))
        job.succeeded.connect(lambda report: self._after_manual(dialog, report))
        job.failed.connect(lambda error: self._after_manual_failure(dialog, error))
        self._progress = dialog
        self._start(job)
        return job

    def _show_progress(self, dialog: QProgressDialog, done: int, total: int) -> None:
        if done < total:
            dialog.setValue(100 * done // total)
        elif dialog.maximum() != 0:  # copied: the checks read the whole copy again, for a while on a big book
            dialog.setLabelText(self.tr("Checking the backup…"))
            dialog.setRange(0, 0)

    def _after_manual(self, dialog: QProgressDialog, report: BackupReport) -> None:
        self._close_progress(dialog)
        self._scheduled_problem = ""
        self.refresh_status()
        if report.key_file is not None:
            text = self.tr("Backed up to %1, with its key file %2: keep the two together.")
            text = text.replace("%1", str(report.path)).replace("%2", report.key_file.name)
        else:
            text = self.tr("Backed up to %1.").replace("%1", str(report.path))
        self._show_message(text)
        self.finished.emit(report)

    def _after_manual_failure(self, dialog: QProgressDialog, error: BaseException) -> None:
        self._close_progress(dialog)
        if isinstance(error, BackupCancelled):
            self._show_message(self.tr("Backup cancelled; nothing was written."))
            return
        self.last_error = self._describe(error)
        QMessageBox.warning(self._parent, self.tr("Backup failed"), self.last_error)

    def _close_progress(self, dialog: QProgressDialog) -> None:
        dialog.canceled.disconnect()
        dialog.reset()
        dialog.close()
        dialog.deleteLater()
        if self._progress is dialog:
            self._progress = None

    # The automatic daily backup

    def check_schedule(self, now: datetime | None = None) -> BackupJob | None:
        """Starts the automatic backup on a worker when it is due; silent unless it fails."""
        self.refresh_status()
        now = now or utc_now()
        if self.busy() or not is_due(self._status(now), now):
            return None
        database = self._context.database
        job = BackupJob(lambda _progress, cancelled: scheduled_backup(database, now, cancelled=cancelled))
        job.succeeded.connect(self._after_scheduled)
        job.failed.connect(self._after_scheduled_failure)
        self._start(job)
        return job

    def _after_scheduled(self, report: BackupReport | None) -> None:
        self._scheduled_problem = ""
        self.refresh_status()
        if report is not None:
            self.finished.emit(report)

    def _after_scheduled_failure(self, error: BaseException) -> None:
        if isinstance(error, BackupCancelled):  # the app is closing
            return
        self._scheduled_problem = self._describe(error)
        self.refresh_status()

    # The status label

    def _status(self, now: datetime) -> BackupStatus:
        with self._context.database.reading() as session:
            return backup_status(session, now)

    def refresh_status(self) -> None:
        status = self._status(utc_now())
        if self._scheduled_problem:
            text, overdue = self.tr("Automatic backup failed"), True
        elif status.last_backup_at is None:
            text, overdue = self.tr("No backup yet"), True
        elif status.overdue:
            days = status.days_without or 0
            text = self.tr("No backup for 1 day") if days == 1 else self.tr("No backup for %n days", "", days)
            overdue = True
        else:
            text, overdue = self.tr("Last backup: %1").replace("%1", self._when(status.last_backup_at)), False
        self.status_label.setText(text)
        self.status_label.setStyleSheet(OVERDUE_STYLE if overdue else "")
        self.status_label.setToolTip(self._details(status))
        self.statusChanged.emit()

    def _details(self, status: BackupStatus) -> str:
        lines = []
        if self._scheduled_problem:
            lines.append(self._scheduled_problem)
        lines.append(self.tr("Last backup: %1").replace("%1", self._when(status.last_backup_at) or self.tr("never")))
        lines.append(self.tr("Last export: %1").replace("%1", self._when(status.last_export_at) or self.tr("never")))
        if status.folder:
            lines.append(self.tr("Automatic daily backups go to %1.").replace("%1", status.folder))
        else:
            lines.append(self.tr("No automatic backups: choose a folder in Shop settings, Backups."))
        return "\n".join(lines)

    # Helpers

    def _start(self, job: BackupJob) -> None:
        self._job = job  # kept until the next one, so it is released on this thread
        job.start()

    def _describe(self, error: BaseException) -> str:
        if isinstance(error, RegularsError):
            return error_text(error)
        # No exception text: it could hold a path or worse. The type says enough to a supporter.
        return self.tr("The backup stopped unexpectedly (%1); nothing was written.").replace("%1", type(error).__name__)

    def _show_message(self, text: str) -> None:
        if isinstance(self._parent, QMainWindow):
            self._parent.statusBar().showMessage(text, 15_000)

    def _when(self, value: datetime | None) -> str:
        return stored_moment_text(value, self._context.region)

    def shutdown(self) -> None:
        """The app is closing: a running backup is cancelled (it removes its files) and waited for."""
        self._timer.stop()
        if self._job is not None and self._job.running():
            self._job.cancel()
            self._job.wait(JOIN_ON_QUIT_S)

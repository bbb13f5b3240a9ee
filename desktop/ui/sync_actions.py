"""Sync from the window: "Export sync bundle…", "Import sync bundle…" and the "Last export" status.

The export or import runs on a worker thread behind a progress dialog whose Cancel stops
it cleanly (no half bundle, no half import: desktop/sync). The worker only emits signals,
which Qt delivers on the window's thread, so no widget is touched from the worker. The
sync passphrase is asked each time and never stored.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QWidget,
)

from desktop.context import ShopContext
from desktop.errors import RegularsError
from desktop.services.shop import shop_settings
from desktop.sync.bundle import (
    MIN_SYNC_PASSPHRASE,
    SyncCancelled,
    check_bundle_file,
    check_sync_passphrase,
)
from desktop.sync.export import ExportReport, export_bundle
from desktop.sync.importer import ClockAhead, import_bundle
from desktop.sync.report import ImportReport
from desktop.ui.background_job import BackgroundJob
from desktop.ui.conflicts_dialog import ConflictsDialog
from desktop.ui.date_fields import stored_moment_text
from desktop.ui.messages import error_text, translate

JOIN_ON_QUIT_S = 30


class SyncJob(BackgroundJob):
    """One export or import; succeeded carries its ExportReport or ImportReport."""

    thread_name = "regulars-sync"


class SyncActions(QObject):
    """The Sync menu's two actions and the status-bar label; finished(report) after each that succeeded."""

    finished = Signal(object)

    def __init__(self, context: ShopContext, parent: QWidget) -> None:
        super().__init__(parent)
        self._context = context
        self._parent = parent
        self._job: SyncJob | None = None
        self._importing: tuple[Path, str | None] | None = None  # the bundle being imported, and its passphrase
        self.last_error = ""
        self.last_report: ExportReport | ImportReport | None = None

        self.export_action = QAction(self.tr("Export sync bundle…"), parent)
        self.export_action.setObjectName("export_sync_bundle")
        self.export_action.triggered.connect(self.export_bundle)
        self.export_full_action = QAction(self.tr("Export everything for a new till…"), parent)
        self.export_full_action.setObjectName("export_full_sync_bundle")
        self.export_full_action.triggered.connect(self.export_everything)
        self.import_action = QAction(self.tr("Import sync bundle…"), parent)
        self.import_action.setObjectName("import_sync_bundle")
        self.import_action.triggered.connect(self.import_bundle)
        self.menu = QMenu(self.tr("S&ync"), parent)
        self.menu.setObjectName("sync_menu")
        self.menu.addAction(self.export_action)
        self.menu.addAction(self.export_full_action)
        self.menu.addAction(self.import_action)
        self.conflicts_action = QAction(self.tr("Conflicts…"), parent)
        self.conflicts_action.setObjectName("sync_conflicts")
        self.conflicts_action.triggered.connect(self.show_conflicts)
        self.menu.addAction(self.conflicts_action)
        self.status_label = QLabel(parent)
        self.status_label.setObjectName("sync_status")
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        self.refresh_status()

    def show_conflicts(self) -> ConflictsDialog:
        """The owner's list of values set aside by sync merges (open, not modal)."""
        dialog = ConflictsDialog(self._context, self._parent)
        dialog.show()
        return dialog

    def busy(self) -> bool:
        return self._job is not None and self._job.running()

    # Asking (separate methods, so tests can answer for the person)

    def ask_passphrase(self, *, confirm: bool) -> str | None:
        """The sync passphrase, typed (twice when exporting); None if the person gave up."""
        while True:
            text, ok = QInputDialog.getText(
                self._parent, self.tr("Sync passphrase"),
                self.tr("The shop's sync passphrase (at least %1 characters; every till uses the same one):")
                .replace("%1", str(MIN_SYNC_PASSPHRASE)),
                QLineEdit.EchoMode.Password,
            )
            if not ok:
                return None
            if not confirm:
                return text
            try:
                check_sync_passphrase(text)
            except RegularsError as error:
                QMessageBox.warning(self._parent, self.tr("Sync passphrase"), error_text(error))
                continue
            again, ok = QInputDialog.getText(
                self._parent, self.tr("Sync passphrase"), self.tr("The same sync passphrase again:"),
                QLineEdit.EchoMode.Password,
            )
            if not ok:
                return None
            if again == text:
                return text
            QMessageBox.warning(self._parent, self.tr("Sync passphrase"), self.tr("The two passphrases differ."))

    def ask_export_path(self) -> Path | None:
        suggested = Path.home() / f"regulars-sync-{datetime.now():%Y%m%d-%H%M}.zip"
        path, _filter = QFileDialog.getSaveFileName(
            self._parent, self.tr("Export sync bundle"), str(suggested), self.tr("Sync bundles (*.zip)")
        )
        if not path:
            return None
        out = Path(path)
        return out if out.suffix else out.with_suffix(".zip")

    def ask_import_path(self) -> Path | None:
        path, _filter = QFileDialog.getOpenFileName(
            self._parent, self.tr("Import sync bundle"), str(Path.home()), self.tr("Sync bundles (*.zip)")
        )
        return Path(path) if path else None

    # The two actions

    def export_bundle(self, *, full: bool = False) -> SyncJob | None:
        if self._refuse_if_busy():
            return None
        out = self.ask_export_path()
        if out is None:
            return None
        passphrase = self.ask_passphrase(confirm=True)
        if passphrase is None:
            return None
        return self.export_to(out, passphrase, full=full)

    def export_everything(self) -> SyncJob | None:
        """A full bundle: how a new till joins the shop (an incremental one is refused there)."""
        return self.export_bundle(full=True)

    def export_to(self, out: Path, passphrase: str, *, full: bool = False) -> SyncJob:
        database = self._context.database
        label = (self.tr("Exporting every record to %1…") if full
                 else self.tr("Exporting the changes to %1…")).replace("%1", out.name)
        return self._start(
            # the save dialog asked before replacing a file; the shop's own files are refused all the same
            lambda progress, cancelled: export_bundle(database, out, passphrase=passphrase, full=full,
                                                      progress=progress, cancelled=cancelled, replace=True),
            label,
        )

    def import_bundle(self) -> SyncJob | None:
        if self._refuse_if_busy():
            return None
        path = self.ask_import_path()
        if path is None:
            return None
        try:
            check_bundle_file(path)
        except RegularsError as error:
            self._show_failure(error)
            return None
        passphrase = self.ask_passphrase(confirm=False)  # plain bundles too: it checks their seal
        if passphrase is None:
            return None
        return self.import_from(path, passphrase)

    def import_from(self, path: Path, passphrase: str, *, accept_clock_ahead: bool = False) -> SyncJob:
        database = self._context.database
        self._importing = (path, passphrase)
        return self._start(
            lambda progress, cancelled: import_bundle(database, path, passphrase=passphrase, progress=progress,
                                                      cancelled=cancelled, accept_clock_ahead=accept_clock_ahead),
            self.tr("Checking and importing %1…").replace("%1", path.name),
        )

    def ask_accept_clock_ahead(self, message: str) -> bool:
        """A bundle stamped more than a day ahead: import it anyway? (No unless the person says so.)"""
        answer = QMessageBox.question(
            self._parent, self.tr("Sync"), message + "\n\n" + self.tr("Import it anyway?"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    # Running one

    def _refuse_if_busy(self) -> bool:
        if self.busy():
            QMessageBox.information(self._parent, self.tr("Sync"),
                                    self.tr("A sync bundle is being written or read; try again when it is done."))
        return self.busy()

    def _start(self, work, label: str) -> SyncJob:
        self.last_error = ""
        job = SyncJob(work)
        dialog = QProgressDialog(label, self.tr("Cancel"), 0, 100, self._parent)
        dialog.setObjectName("sync_progress")
        dialog.setWindowTitle(self.tr("Sync"))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(400)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setValue(0)
        dialog.canceled.connect(job.cancel)
        job.progressed.connect(lambda done, total: dialog.setValue(100 * done // total if total else 100))
        job.succeeded.connect(lambda report: self._after(dialog, report))
        job.failed.connect(lambda error: self._after_failure(dialog, error))
        self._job = job
        job.start()
        return job

    def _close(self, dialog: QProgressDialog) -> None:
        dialog.canceled.disconnect()
        dialog.reset()
        dialog.close()
        dialog.deleteLater()

    def _after(self, dialog: QProgressDialog, report: ExportReport | ImportReport) -> None:
        self._close(dialog)
        self.last_report = report
        self.refresh_status()
        if isinstance(report, ExportReport):
            self._message(self.tr("Exported %1 customers and %2 other records to %3.")
                          .replace("%1", str(report.customers)).replace("%2", str(report.rows - report.customers))
                          .replace("%3", str(report.path)))
        else:
            self.show_report(report)
        self.finished.emit(report)

    def _after_failure(self, dialog: QProgressDialog, error: BaseException) -> None:
        self._close(dialog)
        if isinstance(error, SyncCancelled):
            self._message(self.tr("Cancelled; nothing was written."))
            return
        if isinstance(error, ClockAhead) and self.ask_accept_clock_ahead(error_text(error)):
            path, passphrase = self._importing
            self.import_from(path, passphrase, accept_clock_ahead=True)
            return
        self._show_failure(error)

    def _show_failure(self, error: BaseException) -> None:
        if isinstance(error, RegularsError):
            self.last_error = error_text(error)
        else:  # no exception text: it could hold personal data
            self.last_error = self.tr("The sync stopped unexpectedly (%1); nothing was written.").replace(
                "%1", type(error).__name__)
        QMessageBox.warning(self._parent, self.tr("Sync"), self.last_error)

    def show_report(self, report: ImportReport) -> QMessageBox:
        """What the import did, in a dialog; the details (conflicts, rejected rows) behind "Show Details"."""
        box = QMessageBox(self._parent)
        box.setObjectName("sync_report")
        box.setWindowTitle(self.tr("Sync bundle imported"))
        box.setIcon(QMessageBox.Icon.Warning if report.rejected else QMessageBox.Icon.Information)
        text = (self.tr("Added %1, updated %2, unchanged %3.\nConflicts: %4. Rejected rows: %5.")
                .replace("%1", str(report.total("added"))).replace("%2", str(report.total("updated")))
                .replace("%3", str(report.total("unchanged"))).replace("%4", str(report.total("conflicts")))
                .replace("%5", str(report.total("rejected"))))
        if report.adopted_shop:
            text = self.tr("This till has joined the shop of the bundle.") + "\n" + text
        if report.previously_imported_at:
            text += "\n" + self.tr("This bundle had been imported before.")
        for warning in report.warnings:
            text += "\n" + translate(warning)
        box.setText(text)
        box.setDetailedText("\n".join(report.summary_lines()))
        box.setModal(False)
        box.show()
        return box

    # The status label

    def refresh_status(self) -> None:
        with self._context.database.reading() as session:
            last = shop_settings(session).last_export_at
        if last is None:
            self.status_label.setText(self.tr("No sync export yet"))
        else:
            self.status_label.setText(self.tr("Last export: %1").replace("%1", self._when(last)))

    def _message(self, text: str) -> None:
        if isinstance(self._parent, QMainWindow):
            self._parent.statusBar().showMessage(text, 15_000)

    def _when(self, value: datetime | None) -> str:
        return stored_moment_text(value, self._context.region)

    def shutdown(self) -> None:
        """The app is closing: a running export or import is cancelled (it leaves nothing) and waited for."""
        if self._job is not None and self._job.running():
            self._job.cancel()
            self._job.wait(JOIN_ON_QUIT_S)

"""Exports from the window: the mailing list for a mailing tool, and vCards for the shop's phone.

The mailing list can hold a whole book, so it is written on a worker thread with its own
read session; the worker reports only through signals, which Qt delivers on the window's
thread. A contacts export is a chosen few (at most exports.MAX_QUERY_SELECTION) and is
written at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.context import ShopContext
from desktop.errors import RegularsError
from desktop.services import exports
from desktop.ui.background_job import BackgroundJob
from desktop.ui.messages import error_text


class ExportJob(BackgroundJob):
    """One export; progressed and succeeded carry rows written."""

    progressed = Signal(int)
    succeeded = Signal(int)
    thread_name = "regulars-export"


class MailingListDialog(QDialog):
    """Channel, "for Excel" and a file; Export writes the list and shows how many customers it holds."""

    exported = Signal(int, str)  # customers written, file

    def __init__(self, context: ShopContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.job: ExportJob | None = None
        self.setWindowTitle(self.tr("Export mailing list"))
        self.channel = QComboBox()
        self.channel.setObjectName("channel")
        for channel, label in (
            ("email", self.tr("Email")),
            ("sms", self.tr("SMS (text messages)")),
            ("post", self.tr("Post (letters)")),
        ):
            self.channel.addItem(label, channel)
        self.bom = QCheckBox(self.tr("For Excel (BOM, so accents show right)"))
        self.bom.setObjectName("bom")
        self.path = QLineEdit()
        self.path.setObjectName("path")
        self.path.setPlaceholderText(self.tr("Choose where to save the list"))
        self.choose = QPushButton(self.tr("Choose…"))
        self.choose.setObjectName("choose_file")
        self.choose.clicked.connect(self.choose_file)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(self.choose)
        form = QFormLayout()
        form.addRow(self.tr("Channel"), self.channel)
        form.addRow("", self.bom)
        form.addRow(self.tr("File"), file_row)

        hint = QLabel(
            self.tr(
                "Only customers whose latest answer for this channel is yes, and who have its contact "
                "(an email, a phone or an address). Columns: email or phone, first_name, last_name, tags."
            )
        )
        hint.setWordWrap(True)
        self.result = QLabel()
        self.result.setObjectName("result")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton(self.tr("Export"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setObjectName("export")
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.hide()
        self.export_button.clicked.connect(self.export)
        self.cancel_button.clicked.connect(self._cancel_or_close)
        self.close_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.result)
        layout.addWidget(self.buttons)
        self.channel.currentIndexChanged.connect(lambda _index: self._suggest_name())

    def selected_channel(self) -> str:
        return self.channel.currentData()

    def _suggest_name(self) -> None:
        """A typed path keeps its folder; only an untouched suggested name follows the channel."""
        current = self.path.text()
        if current and Path(current).name.startswith("mailing-"):
            self.path.setText(str(Path(current).with_name(f"mailing-{self.selected_channel()}.csv")))

    def choose_file(self) -> None:
        suggested = self.path.text() or str(Path.home() / f"mailing-{self.selected_channel()}.csv")
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Save the mailing list"), suggested, self.tr("CSV files (*.csv)")
        )
        if path:
            out = Path(path)
            self._confirmed = out if out.suffix else out.with_suffix(".csv")  # the dialog asked before replacing
            self.path.setText(str(self._confirmed))

    def export(self) -> ExportJob | None:
        """Writes the list on a worker; asks for a file first when none is chosen."""
        if self.job is not None and self.job.running():
            return None
        if not self.path.text().strip():
            self.choose_file()
            if not self.path.text().strip():
                return None
        out = Path(self.path.text().strip())
        if out.is_file() and out != getattr(self, "_confirmed", None) and not self._may_replace(out):
            return None
        channel, bom = self.selected_channel(), self.bom.isChecked()
        database = self._context.database

        def work(progress, cancelled) -> int:
            with database.reading() as session:
                return exports.write_marketing_csv(
                    session, channel, out, bom=bom, progress=progress, cancelled=cancelled, replace=True
                )

        job = ExportJob(work)
        job.progressed.connect(lambda count: self.result.setText(self.tr("%n written…", "", count)))
        job.succeeded.connect(lambda count: self._done(count, out))
        job.failed.connect(self._failed)
        self.job = job
        self._busy(True)
        self.result.setText(self.tr("Writing…"))
        job.start()
        return job

    def _may_replace(self, out: Path) -> bool:
        """A typed name of an existing file is asked about, as the save dialog asks (the shop's own files
        are refused by the service whatever the answer)."""
        answer = QMessageBox.question(
            self, self.tr("Export the mailing list"), self.tr("%1 already exists. Replace it?").replace("%1", str(out))
        )
        return answer == QMessageBox.StandardButton.Yes

    def _busy(self, busy: bool) -> None:
        for widget in (self.channel, self.bom, self.path, self.choose, self.export_button):
            widget.setEnabled(not busy)

    def _done(self, count: int, out: Path) -> None:
        self._busy(False)
        self.result.setText(
            self.tr("Wrote %n customer(s) to %1.", "", count).replace("%1", str(out))
        )
        self.cancel_button.hide()
        self.close_button.show()
        self.exported.emit(count, str(out))

    def _failed(self, error: BaseException) -> None:
        self._busy(False)
        if isinstance(error, RegularsError):
            self.result.setText(error_text(error))
        else:  # no exception text: it could hold personal data; the type says enough to a supporter
            text = self.tr("The export stopped unexpectedly (%1); nothing was written.")
            self.result.setText(text.replace("%1", type(error).__name__))

    def _cancel_or_close(self) -> None:
        if self.job is not None and self.job.running():
            self.job.cancel()  # the worker stops at its next batch and removes its file
        else:
            self.reject()

    def done(self, result: int) -> None:
        """Closing the dialog while it writes stops the export; nothing half-written is left."""
        if self.job is not None and self.job.running():
            for signal in (self.job.progressed, self.job.succeeded, self.job.failed):
                signal.disconnect()  # the dialog may be gone when the worker's last word arrives
            self.job.cancel()
            self.job.wait(30)
        super().done(result)


class ExportActions(QObject):
    """The Export submenu: "Export mailing list…" and "Export contacts (vCard)…"."""

    def __init__(
        self,
        context: ShopContext,
        current_customer: Callable[[], int | None],
        search_text: Callable[[], str],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._current_customer = current_customer
        self._search_text = search_text
        self._parent = parent
        self.dialog: MailingListDialog | None = None

        self.mailing_list_action = QAction(self.tr("Export mailing list…"), parent)
        self.mailing_list_action.setObjectName("export_mailing_list")
        self.mailing_list_action.triggered.connect(self.export_mailing_list)
        self.contacts_action = QAction(self.tr("Export contacts (vCard)…"), parent)
        self.contacts_action.setObjectName("export_contacts")
        self.contacts_action.triggered.connect(self.export_contacts)
        self.menu = QMenu(self.tr("Export"), parent)
        self.menu.setObjectName("export_menu")
        self.menu.addAction(self.mailing_list_action)
        self.menu.addAction(self.contacts_action)

    def export_mailing_list(self) -> MailingListDialog:
        dialog = MailingListDialog(self._context, self._parent)
        dialog.exported.connect(
            lambda count, path: self._show_message(
                self.tr("Mailing list: %n customer(s) written to %1.", "", count).replace("%1", path)
            )
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()
        return dialog

    # Contacts

    def export_contacts(self) -> int | None:
        """The highlighted customer, or everyone the search found; returns how many were written."""
        ids = self.contacts_to_export()
        if not ids:
            return None
        default = "contacts.vcf" if len(ids) > 1 else "contact.vcf"
        path, _filter = QFileDialog.getSaveFileName(
            self._parent, self.tr("Save the contacts"), str(Path.home() / default), self.tr("vCard files (*.vcf)")
        )
        if not path:
            return None
        out = Path(path)
        if not out.suffix:
            out = out.with_suffix(".vcf")
        try:
            with self._context.database.reading() as session:
                count = exports.write_vcards(session, ids, out, replace=True)  # the dialog asked first
        except RegularsError as error:
            QMessageBox.warning(self._parent, self.tr("Export contacts"), error_text(error))
            return None
        self._show_message(self.tr("Wrote %n contact(s) to %1.", "", count).replace("%1", str(out)))
        return count

    def contacts_to_export(self) -> list[int] | None:
        """Asks, when a search found several, whether to take all of them or only the highlighted one."""
        current = self._current_customer()
        query = self._search_text().strip()
        found: list[int] = []
        if query:
            try:
                with self._context.database.reading() as session:
                    found = exports.customers_matching(session, query, self._context.region)
            except RegularsError as error:
                QMessageBox.information(self._parent, self.tr("Export contacts"), error_text(error))
                return None
        if len(found) > 1:
            choice = self.ask_scope(len(found), query, current is not None)
            if choice == "all":
                return found
            if choice == "one" and current is not None:
                return [current]
            return None
        if found:
            return found
        if current is not None:
            return [current]
        QMessageBox.information(
            self._parent, self.tr("Export contacts"), self.tr("Find a customer first, then export their contact.")
        )
        return None

    def ask_scope(self, count: int, query: str, can_choose_one: bool) -> str | None:
        """ "all", "one" or None (cancelled)."""
        box = QMessageBox(self._parent)
        box.setWindowTitle(self.tr("Export contacts"))
        box.setText(self.tr("The search “%1” found %n customers.", "", count).replace("%1", query))
        all_button = box.addButton(self.tr("All %n", "", count), QMessageBox.ButtonRole.AcceptRole)
        one_button = (
            box.addButton(self.tr("Only the highlighted one"), QMessageBox.ButtonRole.AcceptRole)
            if can_choose_one
            else None
        )
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        clicked = box.clickedButton()
        if clicked is all_button:
            return "all"
        if one_button is not None and clicked is one_button:
            return "one"
        return None

    def _show_message(self, text: str) -> None:
        if isinstance(self._parent, QMainWindow):
            self._parent.statusBar().showMessage(text, 15_000)

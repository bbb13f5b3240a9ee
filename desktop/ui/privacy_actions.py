"""The customer's privacy rights from the window: their data exported, their erasure, and the retention review.

One customer's export and erasure take a moment and run at once. Anonymising everyone the
review lists can take a while (a few milliseconds a customer), so it runs on a worker with
its own unit of work; the outcome comes back to PrivacyActions, which outlives the review
dialog (the till may lock, or the owner close the dialog, while it runs) and so can still
say when the erasure register could not be written.
"""

from __future__ import annotations

from datetime import timezone
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.context import ShopContext
from desktop.errors import RegularsError
from desktop.services.customers import get_customer
from desktop.services.dates import format_date
from desktop.services.erasure import (
    RETENTION_YEARS,
    InactiveCustomer,
    anonymise_inactive,
    erase_customer,
    inactive_customers,
)
from desktop.services.erasure_register import ErasureRegisterError
from desktop.services.permissions import Permission, may
from desktop.services.phones import display_phone
from desktop.services.privacy_access import AccessExport, write_access_export
from desktop.services.shop import shop_settings
from desktop.ui.background_job import BackgroundJob
from desktop.ui.messages import error_text, translate
from desktop.ui.reservation_table_model import Index

PAGE = 200  # rows handed to the view at a time
ERROR_STYLE = "color: #b00020;"


def years_suffix(years: int) -> str:
    """A years spin box's unit, singular or plural (a suffix cannot hold Qt's %n plurals)."""
    if years == 1:
        return QCoreApplication.translate("RetentionYears", " year")
    return QCoreApplication.translate("RetentionYears", " years")


class InactiveCustomersModel(QAbstractTableModel):
    """The review's customers, longest inactive first.

    inactive_customers returns the whole list (it takes no limit: anonymising needs every
    id anyway); each row is four plain values, and the view is handed PAGE rows at a time.
    """

    NAME, LAST_ACTIVE, NUMBER = range(3)

    def __init__(self, region: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._region = region
        self._all: list[InactiveCustomer] = []
        self._shown = 0

    def set_customers(self, customers: list[InactiveCustomer]) -> None:
        self.beginResetModel()
        self._all, self._shown = list(customers), min(PAGE, len(customers))
        self.endResetModel()

    def customer_ids(self) -> list[int]:
        """Everyone listed, shown yet or not."""
        return [customer.id for customer in self._all]

    def total(self) -> int:
        return len(self._all)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and self._shown < len(self._all)

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if not self.canFetchMore(parent):
            return
        more = min(PAGE, len(self._all) - self._shown)
        self.beginInsertRows(QModelIndex(), self._shown, self._shown + more - 1)
        self._shown += more
        self.endInsertRows()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else self._shown

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else 3

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        headers = (self.tr("Name"), self.tr("Last activity"), self.tr("Customer number"))
        return headers[section] if 0 <= section < len(headers) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < self._shown:
            return None
        customer = self._all[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.NAME:
                return customer.name
            if column == self.LAST_ACTIVE:
                local = customer.last_active_at.replace(tzinfo=timezone.utc).astimezone()
                return format_date(local.date(), self._region)
            if column == self.NUMBER:
                return str(customer.id)
        if role == Qt.ItemDataRole.UserRole:
            return customer.id
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.NUMBER:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class InactiveCustomersDialog(QDialog):
    """The retention review: who has had no activity for so many years; the owner may anonymise them all.

    Emits anonymiseRequested(ids, years) once the owner confirms; PrivacyActions does the work
    and calls anonymising(), show_anonymised() or show_failure() back.
    """

    anonymiseRequested = Signal(list, int)

    def __init__(self, context: ShopContext, may_anonymise: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.setWindowTitle(self.tr("Inactive customers"))
        self.resize(640, 480)
        with context.database.reading() as session:
            shop_years = shop_settings(session).retention_years

        self.years = QSpinBox()
        self.years.setObjectName("years")
        self.years.setRange(*RETENTION_YEARS)
        self.years.setValue(shop_years)
        self.years.setSuffix(years_suffix(shop_years))
        self.years.setKeyboardTracking(False)  # "12" typed reads the list once, not for 1 and then 12
        self.years.valueChanged.connect(self._years_changed)
        years_row = QHBoxLayout()
        years_row.addWidget(QLabel(self.tr("No visit, stamp, reservation, warranty or call for at least")))
        years_row.addWidget(self.years)
        years_row.addStretch(1)

        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.model = InactiveCustomersModel(context.region, self)
        self.table = QTableView()
        self.table.setObjectName("inactive")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(InactiveCustomersModel.NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(InactiveCustomersModel.LAST_ACTIVE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(InactiveCustomersModel.NUMBER, QHeaderView.ResizeMode.ResizeToContents)
        self.result = QLabel()
        self.result.setObjectName("result")
        self.result.setWordWrap(True)
        self.result.hide()
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()

        self.may_anonymise = may_anonymise
        self.anonymise_button = QPushButton(self.tr("Anonymise all listed…"))
        self.anonymise_button.setObjectName("anonymise_all")
        self.anonymise_button.setAutoDefault(False)
        self.anonymise_button.clicked.connect(self.confirm_anonymise)
        self.anonymise_button.setVisible(may_anonymise)
        self.owner_hint = QLabel(self.tr("Only the owner may anonymise customers."))
        self.owner_hint.setObjectName("owner_hint")
        self.owner_hint.setVisible(not may_anonymise)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.anonymise_button)
        bottom.addWidget(self.owner_hint)
        bottom.addStretch(1)
        bottom.addWidget(buttons)

        layout = QVBoxLayout(self)
        layout.addLayout(years_row)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.result)
        layout.addWidget(self.error)
        layout.addLayout(bottom)
        self._busy = False
        self.reload()

    def _years_changed(self, years: int) -> None:
        self.years.setSuffix(years_suffix(years))
        self.result.hide()
        self.reload()

    def reload(self) -> None:
        """Reads the list again for the years shown."""
        self.error.hide()
        try:
            with self._context.database.reading() as session:
                customers = inactive_customers(session, self.years.value())
        except RegularsError as error:
            customers = []
            self.error.setText(error_text(error))
            self.error.show()
        self.model.set_customers(customers)
        if customers:
            self.summary.setText(self.tr("%n customer(s) listed, longest inactive first.", "", len(customers)))
        else:
            self.summary.setText(self.tr("Nobody has been inactive that long."))
        self._enable()

    def _enable(self) -> None:
        self.anonymise_button.setEnabled(self.may_anonymise and not self._busy and self.model.total() > 0)
        self.years.setEnabled(not self._busy)

    def confirm_anonymise(self) -> QMessageBox | None:
        """Names how many; "Anonymise" sends the ids listed now, Cancel (the default) leaves everything."""
        ids, years = self.model.customer_ids(), self.years.value()
        if not ids or not self.may_anonymise or self._busy:
            return None
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Anonymise inactive customers"),
                          self.tr("Anonymise the %n customer(s) listed?", "", len(ids)),
                          QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("confirm_anonymise")
        box.setInformativeText(self.tr(
            "Their names, phone numbers, emails, addresses, notes and what staff typed on their records are removed "
            "for good, here and on every till this shop syncs with. Loyalty totals and counts stay, anonymous. "
            "This cannot be undone."))
        anonymise = box.addButton(self.tr("Anonymise"), QMessageBox.ButtonRole.DestructiveRole)
        anonymise.setObjectName("anonymise")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        anonymise.clicked.connect(lambda: self.anonymiseRequested.emit(ids, years))
        box.open()
        return box

    def anonymising(self) -> None:
        self._busy = True
        self.result.setText(self.tr("Anonymising…"))
        self.result.show()
        self._enable()

    def show_anonymised(self, count: int) -> None:
        self._busy = False
        self.reload()
        self.result.setText(self.tr("Anonymised %n customer(s). Their counts and loyalty totals stay, anonymous.",
                                    "", count))
        self.result.show()

    def show_failure(self, text: str) -> None:
        self._busy = False
        self.reload()  # an erasure saved before the register failed is off the list
        self.result.hide()
        self.error.setText(text)
        self.error.show()


class AnonymiseJob(BackgroundJob):
    """Anonymises a list of customers in one unit of work; succeeded carries how many were erased now."""

    thread_name = "regulars-anonymise"


class PrivacyActions(QObject):
    """The Privacy submenu; emits changed(message) after an erasure, so the window reads what it shows again."""

    changed = Signal(str)

    def __init__(self, context: ShopContext, current_customer: Callable[[], int | None], parent: QWidget) -> None:
        super().__init__(parent)
        self._context = context
        self._current_customer = current_customer
        self._parent = parent
        self._folder = Path.home()
        self.review: InactiveCustomersDialog | None = None
        self.job: AnonymiseJob | None = None

        self.export_action = QAction(self.tr("Export this customer's data…"), parent)
        self.export_action.setObjectName("export_customer_data")
        self.export_action.triggered.connect(self.export_customer_data)
        self.erase_action = QAction(self.tr("Erase this customer…"), parent)
        self.erase_action.setObjectName("erase_customer")
        self.erase_action.triggered.connect(self.confirm_erase)
        self.inactive_action = QAction(self.tr("Inactive customers…"), parent)
        self.inactive_action.setObjectName("inactive_customers")
        self.inactive_action.triggered.connect(self.show_inactive)
        self.menu = QMenu(self.tr("Privacy"), parent)
        self.menu.setObjectName("privacy_menu")
        self.menu.addAction(self.export_action)
        self.menu.addAction(self.erase_action)  # no separator: apply_role hides a submenu with no visible action
        self.menu.addAction(self.inactive_action)

    def _customer_or_say(self, title: str) -> int | None:
        customer_id = self._current_customer()
        if customer_id is None:
            QMessageBox.information(self._parent, title,
                                    self.tr("Find the customer first: search for them, then choose this again."))
        return customer_id

    # The right of access

    def export_customer_data(self) -> AccessExport | None:
        """Both files (PDF and JSON) for the highlighted customer, into a folder the owner picks."""
        title = self.tr("Export this customer's data")
        customer_id = self._customer_or_say(title)
        if customer_id is None:
            return None
        folder = QFileDialog.getExistingDirectory(self._parent, self.tr("Choose a folder for the customer's data"),
                                                  str(self._folder))
        if not folder:
            return None
        self._folder = Path(folder)
        try:
            with self._context.database.writing() as session:  # the export is recorded in the audit trail
                export = write_access_export(session, customer_id, Path(folder), translate=translate)
        except RegularsError as error:
            QMessageBox.warning(self._parent, title, error_text(error))
            return None
        self._say(self.tr("Customer #%1's data was exported.").replace("%1", str(customer_id)))
        self._show_files(title, export)
        return export

    def _show_files(self, title: str, export: AccessExport) -> QMessageBox:
        """Where the two files are, in full and selectable (the status bar is too narrow for a path)."""
        box = QMessageBox(QMessageBox.Icon.Information, title,
                          self.tr("The customer's data is ready to hand over: the PDF to read, the JSON file for a "
                                  "computer."), QMessageBox.StandardButton.Ok, self._parent)
        box.setObjectName("export_written")
        box.setInformativeText("\n".join((self.tr("In %1:").replace("%1", str(export.pdf_path.parent)),
                                          export.pdf_path.name, export.json_path.name)))
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    # The right to erasure

    def confirm_erase(self) -> QMessageBox | None:
        """Names the customer and says what goes; "Erase" erases, Cancel (the default) leaves everything."""
        title = self.tr("Erase customer")
        customer_id = self._customer_or_say(title)
        if customer_id is None:
            return None
        try:
            with self._context.database.reading() as session:
                customer = get_customer(session, customer_id)
                name = customer.full_name or customer.company
                phone = display_phone(customer.phones[0].e164, self._context.region) if customer.phones else ""
        except RegularsError as error:
            QMessageBox.warning(self._parent, title, error_text(error))
            return None
        number = self.tr("Customer #%1").replace("%1", str(customer_id))
        if name:  # on two lines, so the box never breaks the phone number in two
            question = self.tr("Erase %1?").replace("%1", name) + "\n" + " · ".join(filter(None, (number, phone)))
        else:
            question = self.tr("Erase customer #%1 again? Nothing that names them is left.").replace(
                "%1", str(customer_id))
        box = QMessageBox(QMessageBox.Icon.Warning, title, question, QMessageBox.StandardButton.Cancel, self._parent)
        box.setObjectName("confirm_erase")
        box.setTextFormat(Qt.TextFormat.PlainText)  # a customer's name is never markup
        box.setInformativeText(self.tr(
            "Their name, phone numbers, email, address, notes and what staff typed on their records are removed for "
            "good, here and on every till this shop syncs with. Loyalty totals and counts stay, anonymous. "
            "This cannot be undone."))
        erase = box.addButton(self.tr("Erase"), QMessageBox.ButtonRole.DestructiveRole)
        erase.setObjectName("erase")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        erase.clicked.connect(lambda: self.erase(customer_id))
        box.open()
        return box

    def erase(self, customer_id: int) -> bool:
        """Erases at once (after the confirmation); whether the erasure is saved."""
        title = self.tr("Erase customer")
        try:
            with self._context.database.writing() as session:  # the erasure register is written as this commits
                erase_customer(session, customer_id)
        except ErasureRegisterError as error:  # raised after the commit: the erasure is saved
            self.changed.emit(self.tr("Customer #%1 was erased.").replace("%1", str(customer_id)))
            QMessageBox.warning(self._parent, title, error_text(error))
            return True
        except RegularsError as error:
            QMessageBox.warning(self._parent, title, error_text(error))
            return False
        self.changed.emit(self.tr("Customer #%1 was erased.").replace("%1", str(customer_id)))
        return True

    # The retention review

    def show_inactive(self) -> InactiveCustomersDialog:
        dialog = InactiveCustomersDialog(self._context, may(self._context.database.acting, Permission.PRIVACY),
                                         self._parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.anonymiseRequested.connect(self.anonymise)
        dialog.finished.connect(lambda _result: self._forget_review(dialog))
        if self.job is not None and self.job.running():
            dialog.anonymising()
        self.review = dialog
        dialog.open()
        return dialog

    def _forget_review(self, dialog: InactiveCustomersDialog) -> None:
        if self.review is dialog:
            self.review = None

    def anonymise(self, customer_ids: list[int], years: int) -> AnonymiseJob | None:
        """On a worker: those of the customers still inactive for years (someone may have come in since)."""
        if self.job is not None and self.job.running():
            return None
        database = self._context.database

        def work(_progress, _cancelled) -> int:  # in short batches: the till keeps working meanwhile
            return anonymise_inactive(database, customer_ids, years)

        job = AnonymiseJob(work)
        job.succeeded.connect(self._anonymised)
        job.failed.connect(self._anonymising_failed)
        self.job = job
        if self.review is not None:
            self.review.anonymising()
        job.start()
        return job

    def _anonymised(self, count: int) -> None:
        if self.review is not None:
            self.review.show_anonymised(count)
        self.changed.emit(self.tr("Anonymised %n inactive customer(s).", "", count))

    def _anonymising_failed(self, error: BaseException) -> None:
        if isinstance(error, RegularsError):
            text = error_text(error)
        else:  # no exception text: it could hold personal data; the type says enough to a supporter
            text = self.tr("Anonymising stopped unexpectedly (%1); nobody was anonymised.").replace(
                "%1", type(error).__name__)
        if self.review is not None:
            self.review.show_failure(text)
        else:
            QMessageBox.warning(self._parent, self.tr("Anonymise inactive customers"), text)
        if isinstance(error, ErasureRegisterError):  # after the commit: they are anonymised
            self.changed.emit("")

    def _say(self, text: str) -> None:
        if isinstance(self._parent, QMainWindow):
            self._parent.statusBar().showMessage(text, 15_000)

"""The owner's view of the audit trail: who did what and when, newest first, and whether the chain still holds."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone

from PySide6.QtCore import QCoreApplication, QDate, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.context import ShopContext
from desktop.errors import RegularsError
from desktop.models import AuditEntry
from desktop.models.base import utc_now
from desktop.services import audit
from desktop.services.audit import (
    AuditFilter,
    ChainCheck,
    Subject,
    list_entries,
    staff_names_in_trail,
    subjects,
    verify_chain,
)
from desktop.ui.background_job import BackgroundJob
from desktop.ui.date_fields import date_edit, stored_moment_text
from desktop.ui.messages import error_text
from desktop.ui.reservation_table_model import Index, PagedTableModel
from desktop.ui.role_names import role_label

BROKEN = QColor("#b00020")
INTACT = "color: #1b5e20; font-weight: bold;"
TAMPERED = "color: #b00020; font-weight: bold;"
SHORT_UUID = 8
DEFAULT_DAYS = 30  # the date filter, when turned on, starts this far back


def action_label(action: str) -> str:
    """An audit action as a person reads it; an action this version does not know, as stored."""
    labels = {
        audit.CUSTOMER_CREATED: QCoreApplication.translate("AuditWindow", "Customer added"),
        audit.CUSTOMER_CHANGED: QCoreApplication.translate("AuditWindow", "Customer changed"),
        audit.CUSTOMER_VIEWED: QCoreApplication.translate("AuditWindow", "Customer opened"),
        audit.CUSTOMER_ERASED: QCoreApplication.translate("AuditWindow", "Customer erased"),
        audit.CUSTOMER_EXPORTED: QCoreApplication.translate("AuditWindow", "Customer's data exported"),
        audit.STAMPED: QCoreApplication.translate("AuditWindow", "Stamped"),
        audit.REDEEMED: QCoreApplication.translate("AuditWindow", "Reward redeemed"),
        audit.LOYALTY_CORRECTED: QCoreApplication.translate("AuditWindow", "Loyalty balance corrected"),
        audit.CALL_LOGGED: QCoreApplication.translate("AuditWindow", "Call logged"),
        audit.FOLLOW_UP_DONE: QCoreApplication.translate("AuditWindow", "Follow-up done"),
        audit.RESERVATION_ADDED: QCoreApplication.translate("AuditWindow", "Reservation taken"),
        audit.RESERVATION_CHANGED: QCoreApplication.translate("AuditWindow", "Reservation moved on"),
        audit.WARRANTY_ADDED: QCoreApplication.translate("AuditWindow", "Warranty registered"),
        audit.WARRANTY_CLAIMED: QCoreApplication.translate("AuditWindow", "Warranty claim"),
        audit.PRINTED: QCoreApplication.translate("AuditWindow", "Printed"),
        audit.EXPORTED: QCoreApplication.translate("AuditWindow", "Exported"),
        audit.IMPORTED: QCoreApplication.translate("AuditWindow", "Imported"),
        audit.BACKED_UP: QCoreApplication.translate("AuditWindow", "Backed up"),
        audit.RESTORED: QCoreApplication.translate("AuditWindow", "Restored"),
        audit.SIGNED_IN: QCoreApplication.translate("AuditWindow", "Signed in"),
        audit.SIGN_IN_FAILED: QCoreApplication.translate("AuditWindow", "Wrong PIN"),
        audit.STAFF_CHANGED: QCoreApplication.translate("AuditWindow", "Staff account changed"),
        audit.SETTINGS_CHANGED: QCoreApplication.translate("AuditWindow", "Settings changed"),
        audit.LOCKED: QCoreApplication.translate("AuditWindow", "Locked"),
    }
    return labels.get(action, action)


def subject_label(kind: str) -> str:
    labels = {
        "customer": QCoreApplication.translate("AuditWindow", "Customer"),
        "staff": QCoreApplication.translate("AuditWindow", "Staff"),
        "shop": QCoreApplication.translate("AuditWindow", "Shop"),
        "choice": QCoreApplication.translate("AuditWindow", "List entry"),
        "loyalty_program": QCoreApplication.translate("AuditWindow", "Loyalty programme"),
        "privacy_notice": QCoreApplication.translate("AuditWindow", "Privacy notice"),
        "reservation": QCoreApplication.translate("AuditWindow", "Reservation"),
        "warranty": QCoreApplication.translate("AuditWindow", "Warranty"),
    }
    return labels.get(kind, kind)


def details_text(details: str) -> str:
    """The stored JSON as one line: "fields: email, phones; count: 3" (names and counts only, never values)."""
    if not details:
        return ""
    try:
        parsed = json.loads(details)
    except ValueError:
        return details
    if not isinstance(parsed, dict):
        return str(parsed)
    parts = []
    for key, value in parsed.items():
        if isinstance(value, list):
            value = ", ".join(str(item) for item in value)
        elif isinstance(value, bool):
            value = QCoreApplication.translate("AuditWindow", "yes") if value else QCoreApplication.translate(
                "AuditWindow", "no"
            )
        parts.append(f"{key.replace('_', ' ')}: {value}")
    return "; ".join(parts)


class AuditTableModel(PagedTableModel[AuditEntry]):
    """The trail newest first, two hundred entries at a time as the view scrolls.

    Each reload takes a snapshot time, so entries written while the owner reads (their
    own sign-in, say) do not shift the pages and show a row twice.
    """

    ENTRY, WHEN, STAFF, ROLE, ACTION, SUBJECT, DETAILS = range(7)
    page_size = 200

    def __init__(self, context: ShopContext, parent=None) -> None:
        super().__init__(context, parent)
        self._wanted = AuditFilter()
        self._snapshot = utc_now()
        self.broken_at: int | None = None
        self._subjects: dict[str, Subject] = {}  # who the entries read so far are about, by UUID

    def set_filter(self, wanted: AuditFilter) -> None:
        self._wanted = wanted
        self.refresh()

    def refresh(self) -> None:
        self._snapshot = utc_now() + timedelta(microseconds=1)
        self._reload(self.page_size)

    def mark_broken(self, entry_id: int | None) -> None:
        self.broken_at = entry_id
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))

    def row_of(self, entry_id: int) -> int | None:
        for row in range(self.rowCount()):
            if self.row_at(row).id == entry_id:
                return row
        return None

    def _page(self, offset: int, limit: int) -> list[AuditEntry]:
        until = self._snapshot if self._wanted.until is None else min(self._wanted.until, self._snapshot)
        wanted = AuditFilter(self._wanted.action, self._wanted.staff, self._wanted.subject_uuid,
                             self._wanted.since, until)  # fmt: skip
        with self._context.database.reading() as session:
            entries = list_entries(session, wanted, offset=offset, limit=limit)
            self._subjects.update(subjects(session, entries))
        return entries

    def customer_at(self, row: int) -> int | None:
        """The customer the entry on this row is about, when they are still in the book."""
        entry = self.row_at(row)
        subject = self._subjects.get(entry.subject_uuid) if entry is not None else None
        return subject.customer_id if subject is not None else None

    def _subject_text(self, entry: AuditEntry) -> str:
        """"Customer Ana Souza", "Staff Olga", or the kind and a short UUID for what is not a person."""
        subject = self._subjects.get(entry.subject_uuid)
        if subject is None:
            return f"{subject_label(entry.subject_kind)} {entry.subject_uuid[:SHORT_UUID]}".strip()
        if subject.erased:
            return self.tr("Erased customer")
        return f"{subject_label(entry.subject_kind)} {subject.name}"

    def headers(self) -> tuple[str, ...]:
        return (self.tr("Entry"), self.tr("When"), self.tr("Staff"), self.tr("Role"), self.tr("Action"),
                self.tr("Subject"), self.tr("Details"))  # fmt: skip

    def cell(self, row: AuditEntry, column: int) -> str:
        if column == self.ENTRY:
            return f"#{row.id}"  # the number a chain check names
        if column == self.WHEN:
            return stored_moment_text(row.at, self._context.region, seconds=True)
        if column == self.STAFF:
            if row.staff_name:
                return row.staff_name
            return self.tr("Shop passphrase") if row.role == "owner" and not row.staff_uuid else "—"
        if column == self.ROLE:
            return role_label(row.role)
        if column == self.ACTION:
            return action_label(row.action)
        if column == self.SUBJECT:
            if not row.subject_kind and not row.subject_uuid:
                return ""
            return self._subject_text(row)
        if column == self.DETAILS:
            return details_text(row.details)
        return ""

    def style(self, row: AuditEntry, column: int, role: int):
        if role == Qt.ItemDataRole.ForegroundRole and self.broken_at is not None and row.id == self.broken_at:
            return QBrush(BROKEN)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.ToolTipRole and index.isValid() and index.column() == self.SUBJECT:
            entry = self.row_at(index.row())  # the whole UUID, for a search elsewhere
            return (entry.subject_uuid or None) if entry is not None else None
        return super().data(index, role)


class ChainCheckJob(BackgroundJob):
    thread_name = "regulars-audit-check"


class AuditWindow(QDialog):
    """Not modal, like the records window; every read goes through the audit service (owner only).
    Emits customerChosen(customer_id) when an entry about a customer is opened (Enter or a double-click)."""

    customerChosen = Signal(int)

    def __init__(self, context: ShopContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._job: ChainCheckJob | None = None
        self.setWindowTitle(self.tr("Audit trail"))
        self.setModal(False)
        self.resize(1000, 600)

        self.action = QComboBox()
        self.action.setObjectName("audit_action")
        self.action.addItem(self.tr("All actions"), "")
        for action in audit.ACTIONS:
            self.action.addItem(action_label(action), action)
        self.staff = QComboBox()
        self.staff.setObjectName("audit_staff")
        self.dated = QCheckBox(self.tr("From"))
        self.dated.setObjectName("audit_dated")
        today = date.today()
        self.since = date_edit(context.region, today - timedelta(days=DEFAULT_DAYS))
        self.since.setObjectName("audit_since")
        self.until = date_edit(context.region, today)
        self.until.setObjectName("audit_until")
        for edit in (self.since, self.until):
            edit.setEnabled(False)
        self.dated.toggled.connect(self.since.setEnabled)
        self.dated.toggled.connect(self.until.setEnabled)

        self.model = AuditTableModel(context, self)
        self.table = QTableView()
        self.table.setObjectName("audit_entries")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(AuditTableModel.DETAILS, QHeaderView.ResizeMode.Stretch)
        self.model.modelReset.connect(self._fit_columns)
        self.table.activated.connect(self._open_subject)

        self.check_button = QPushButton(self.tr("Check chain"))
        self.check_button.setObjectName("check_chain")
        self.check_button.setAutoDefault(False)
        self.check_button.setToolTip(self.tr("Recomputes every entry's hash: a changed, removed or inserted entry shows"))
        self.check_button.clicked.connect(self.check_chain)
        self.chain_result = QLabel()
        self.chain_result.setObjectName("chain_result")
        self.chain_result.setWordWrap(True)
        self.chain_result.setTextFormat(Qt.TextFormat.PlainText)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(TAMPERED)
        self.message.hide()

        filters = QHBoxLayout()
        filters.addWidget(QLabel(self.tr("Action")))
        filters.addWidget(self.action)
        filters.addSpacing(12)
        filters.addWidget(QLabel(self.tr("Staff")))
        filters.addWidget(self.staff)
        filters.addSpacing(12)
        filters.addWidget(self.dated)
        filters.addWidget(self.since)
        filters.addWidget(QLabel(self.tr("to")))
        filters.addWidget(self.until)
        filters.addStretch(1)
        chain = QHBoxLayout()
        chain.addWidget(self.check_button, 0, Qt.AlignmentFlag.AlignTop)
        chain.addWidget(self.chain_result, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addLayout(chain)
        layout.addWidget(buttons)

        self._load_staff_names()
        self.apply_filter()
        for signal in (self.action.currentIndexChanged, self.staff.currentIndexChanged):
            signal.connect(lambda _index: self.apply_filter())
        for signal in (self.since.dateChanged, self.until.dateChanged):
            signal.connect(lambda _date: self.apply_filter())
        self.dated.toggled.connect(lambda _on: self.apply_filter())

    def _open_subject(self, index) -> None:
        customer_id = self.model.customer_at(index.row())
        if customer_id is not None:
            self.customerChosen.emit(customer_id)

    def _load_staff_names(self) -> None:
        self.staff.blockSignals(True)
        current = self.staff.currentData()
        self.staff.clear()
        self.staff.addItem(self.tr("Everyone"), "")
        try:
            with self._context.database.reading() as session:
                names = [name for name in staff_names_in_trail(session) if name]
        except RegularsError as error:
            self._show_error(error)
            names = []
        for name in names:
            self.staff.addItem(name, name)
        self.staff.setCurrentIndex(max(0, self.staff.findData(current)))
        self.staff.blockSignals(False)

    def wanted(self) -> AuditFilter:
        since = until = None
        if self.dated.isChecked():
            since = _utc_midnight(self.since.date())
            until = _utc_midnight(self.until.date().addDays(1))  # the whole of the last day
        return AuditFilter(action=self.action.currentData(), staff=self.staff.currentData() or "",
                           since=since, until=until)  # fmt: skip

    def apply_filter(self) -> None:
        self.message.hide()
        try:
            self.model.set_filter(self.wanted())
        except RegularsError as error:
            self.model.clear()
            self._show_error(error)

    def refresh(self) -> None:
        """Reads the trail again (and the staff names in it) with the same filters."""
        self._load_staff_names()
        self.apply_filter()

    # Checking the chain

    def check_chain(self) -> ChainCheckJob | None:
        """Recomputes every hash on a worker thread (a long trail takes a moment); the answer shows beside the button."""
        if self._job is not None and self._job.running():
            return None
        database = self._context.database

        def work(_progress, _cancelled) -> ChainCheck:
            with database.reading() as session:
                return verify_chain(session)

        job = ChainCheckJob(work)
        job.succeeded.connect(self._show_check)
        job.failed.connect(self._check_failed)
        self._job = job
        self.check_button.setEnabled(False)
        self.chain_result.setStyleSheet("")
        self.chain_result.setText(self.tr("Checking every entry…"))
        job.start()
        return job

    def _show_check(self, check: ChainCheck) -> None:
        self.check_button.setEnabled(True)
        self.apply_filter()  # what is stored now, tampering included
        self.model.mark_broken(check.broken_at)
        if check.intact:
            self.chain_result.setStyleSheet(INTACT)
            self.chain_result.setText(
                self.tr("The audit trail is intact: all %n entries check out.", "", check.entries)
            )
            return
        if check.reason == "previous":
            text = self.tr("The audit trail was tampered with: the chain breaks at entry #%1, which no longer "
                           "follows the entry before it (an entry was removed or inserted). Entries from #%1 on "
                           "cannot be trusted.")
        else:
            text = self.tr("The audit trail was tampered with: the chain breaks at entry #%1, whose contents were "
                           "changed after it was written. Entries from #%1 on cannot be trusted.")
        self.chain_result.setStyleSheet(TAMPERED)
        self.chain_result.setText(text.replace("%1", str(check.broken_at)))
        row = self.model.row_of(check.broken_at)
        if row is not None:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))

    def _check_failed(self, error: BaseException) -> None:
        self.check_button.setEnabled(True)
        self.chain_result.setStyleSheet(TAMPERED)
        if isinstance(error, RegularsError):
            self.chain_result.setText(error_text(error))
        else:  # no exception text: it could hold a path
            self.chain_result.setText(
                self.tr("The chain could not be checked (%1).").replace("%1", type(error).__name__)
            )

    def _show_error(self, error: RegularsError) -> None:
        self.message.setText(error_text(error))
        self.message.show()

    def _fit_columns(self) -> None:
        for column in range(AuditTableModel.DETAILS):
            self.table.resizeColumnToContents(column)
            self.table.setColumnWidth(column, min(self.table.columnWidth(column) + 16, 260))

    def done(self, result: int) -> None:
        """Closing waits for a chain check still running, so its thread never outlives the window."""
        if self._job is not None:
            self._job.wait()
        super().done(result)


def _utc_midnight(day: QDate) -> datetime:
    """The start of a local calendar day, as the naive UTC the trail is stored in."""
    local = datetime.combine(day.toPython(), time()).astimezone()
    return local.astimezone(timezone.utc).replace(tzinfo=None)

"""Reservations, warranty cards and phone calls: the lists staff work through between customers."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.context import ShopContext
from desktop.errors import RegularsError
from desktop.services.reservations import (
    LIST_NAMES,
    LISTS,
    NEXT_STATUSES,
    STATUS_NAMES,
    ReservationSummary,
)
from desktop.services.reservations import change_status as change_reservation_status
from desktop.services.warranties import (
    WarrantySummary,
    expiring_warranties,
    find_by_serial,
)
from desktop.ui.claim_dialog import ClaimDialog
from desktop.ui.document_output import DocumentOutput
from desktop.ui.messages import error_text, translate
from desktop.ui.record_documents import reservation_slip, warranty_certificate
from desktop.ui.record_table_models import CallTableModel, WarrantyTableModel
from desktop.ui.reservation_dialog import ReservationDialog
from desktop.ui.reservation_table_model import PagedTableModel, ReservationTableModel
from desktop.ui.warranty_dialog import WarrantyDialog

DEFAULT_EXPIRING_DAYS = 30
COLUMN_PADDING = 16
MAX_COLUMN_WIDTH = 240  # a long name is elided (its tooltip shows it whole), leaving room for the item


def _table(model: PagedTableModel, stretch: tuple[int, ...]) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    for column in stretch:
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
    model.modelReset.connect(lambda: _fit_columns(table, stretch))
    return table


def _fit_columns(table: QTableView, stretch: tuple[int, ...]) -> None:
    """Each column as wide as what it shows, plus some air; the person can still drag them."""
    for column in range(table.model().columnCount()):
        if column not in stretch:
            table.resizeColumnToContents(column)
            table.setColumnWidth(column, min(table.columnWidth(column) + COLUMN_PADDING, MAX_COLUMN_WIDTH))


def _message_label() -> QLabel:
    label = QLabel()
    label.setObjectName("message")
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


def _select_id(table: QTableView, model: PagedTableModel, wanted: int, fallback_row: int = 0) -> None:
    """Selects the row with this id, or the nearest row to where the last selection was."""
    for row in range(model.rowCount()):
        if model.row_at(row).id == wanted:
            table.selectRow(row)
            return
    if model.rowCount():
        table.selectRow(max(0, min(fallback_row, model.rowCount() - 1)))


class ReservationsTab(QWidget):
    def __init__(self, context: ShopContext, output: DocumentOutput, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._output = output
        self.list_choice = QComboBox()
        self.list_choice.setObjectName("reservation_list")
        for which in LISTS:
            self.list_choice.addItem(translate(LIST_NAMES[which]), which)
        self.count = QLabel()
        self.count.setObjectName("reservation_count")
        self.model = ReservationTableModel(context, LISTS[0], self)
        self.table = _table(self.model, (ReservationTableModel.ITEM,))
        self.table.setObjectName("reservations")

        self.status_buttons: dict[str, QPushButton] = {}
        for status, text in (
            ("ready", self.tr("Ready")),
            ("collected", self.tr("Collected")),
            ("cancelled", self.tr("Cancel reservation")),
        ):
            button = QPushButton(text)
            button.setObjectName(f"mark_{status}")
            self.status_buttons[status] = button
        self.status_buttons["ready"].setToolTip(self.tr("The item is here: call the customer to collect it"))
        self.status_buttons["collected"].setToolTip(self.tr("The customer took it away"))
        self.status_buttons["ready"].clicked.connect(lambda: self.move("ready"))
        self.status_buttons["collected"].clicked.connect(lambda: self.move("collected"))
        self.status_buttons["cancelled"].clicked.connect(self.confirm_cancel)
        self.print_button = QPushButton(self.tr("Print slip…"))
        self.print_button.setObjectName("print_slip")
        self.print_button.clicked.connect(self.print_slip)
        self.new_button = QPushButton(self.tr("New reservation…"))
        self.new_button.setObjectName("new_reservation")
        self.new_button.clicked.connect(self.new_reservation)
        self.message = _message_label()

        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Show")))
        top.addWidget(self.list_choice)
        top.addSpacing(12)
        top.addWidget(self.count, 1)
        top.addWidget(self.new_button)
        actions = QHBoxLayout()
        for button in self.status_buttons.values():
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addWidget(self.message)

        self.list_choice.currentIndexChanged.connect(lambda _i: self.set_list(self.list_choice.currentData()))
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.set_list(LISTS[0])

    def current(self) -> ReservationSummary | None:
        return self.model.row_at(self.table.currentIndex().row())

    def set_list(self, which: str) -> None:
        """Shows one of reservations.LISTS."""
        index = self.list_choice.findData(which)
        if index != self.list_choice.currentIndex():
            self.list_choice.setCurrentIndex(index)  # comes back here through the signal
            return
        self.model.set_list(which)
        if self.model.rowCount():
            self.table.selectRow(0)
        self._after_reload()

    def refresh(self, keep: int = 0) -> None:
        row = self.table.currentIndex().row()
        current = self.current()
        self.model.refresh()
        _select_id(self.table, self.model, keep or (current.id if current else 0), row)
        self._after_reload()

    def _after_reload(self) -> None:
        count = self.model.rowCount()
        if count == 0:
            self.count.setText(self.tr("None."))
        elif self.model.canFetchMore():
            self.count.setText(self.tr("The first %n are shown; scroll for more.", "", count))
        else:
            self.count.setText(self.tr("%n reservation(s).", "", count))
        self._update_buttons()

    def _update_buttons(self) -> None:
        current = self.current()
        allowed = NEXT_STATUSES.get(current.status, ()) if current else ()
        for status, button in self.status_buttons.items():
            button.setEnabled(status in allowed)
        self.print_button.setEnabled(current is not None)

    def move(self, status: str) -> None:
        """Moves the selected reservation on (ready, collected or cancelled)."""
        current = self.current()
        if current is None:
            return
        try:
            with self._context.database.writing() as session:
                change_reservation_status(session, current.id, status, staff="")
        except RegularsError as error:
            self.message.setText(error_text(error))
            return
        self.message.setText(
            self.tr("%1 (%2) is now: %3.").replace("%1", current.reference_display).replace("%2", current.customer_name)
            .replace("%3", translate(STATUS_NAMES[status]))
        )
        self.refresh()

    def confirm_cancel(self) -> QMessageBox | None:
        """Cancelling cannot be undone, so it is asked first."""
        current = self.current()
        if current is None:
            return None
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Cancel reservation"),
            self.tr("Cancel reservation %1 (%2 for %3)? This cannot be undone.")
            .replace("%1", current.reference_display).replace("%2", current.item)
            .replace("%3", current.customer_name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setObjectName("confirm_cancel")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.button(QMessageBox.StandardButton.Yes).clicked.connect(lambda: self.move("cancelled"))
        box.open()
        return box

    def print_slip(self) -> None:
        current = self.current()
        if current is None:
            return
        document = reservation_slip(self._output, self._context, current)
        if document is not None:
            self._output.preview(document)

    def new_reservation(self) -> ReservationDialog:
        dialog = ReservationDialog(self._context, parent=self)
        dialog.saved.connect(self._after_new)
        dialog.open()
        return dialog

    def _after_new(self, reservation_id: int) -> None:
        """Shows the new reservation: in the list on screen if it belongs there, else in all open ones."""
        self.refresh(keep=reservation_id)
        current = self.current()
        if current is None or current.id != reservation_id:
            self.set_list("open")
            self.refresh(keep=reservation_id)


class WarrantiesTab(QWidget):
    def __init__(self, context: ShopContext, output: DocumentOutput, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._output = output
        self.serial = QLineEdit()
        self.serial.setObjectName("find_serial")
        self.serial.setPlaceholderText(self.tr("Serial number, however it is written"))
        self.serial.setClearButtonEnabled(True)
        self.days = QSpinBox()
        self.days.setObjectName("expiring_days")
        self.days.setRange(0, 3660)
        self.days.setValue(DEFAULT_EXPIRING_DAYS)
        self.days.setSuffix(self.tr(" days"))
        self.heading = QLabel()
        self.heading.setObjectName("warranty_heading")
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.model = WarrantyTableModel(context, self)
        self.table = _table(self.model, (WarrantyTableModel.PRODUCT,))
        self.table.setObjectName("warranties")

        self.claim_button = QPushButton(self.tr("Log a claim…"))
        self.claim_button.setObjectName("log_claim")
        self.claim_button.clicked.connect(self.log_claim)
        self.outcome_button = QPushButton(self.tr("Record outcome…"))
        self.outcome_button.setObjectName("record_outcome")
        self.outcome_button.clicked.connect(self.record_outcome)
        self.certificate_button = QPushButton(self.tr("Print certificate…"))
        self.certificate_button.setObjectName("print_certificate")
        self.certificate_button.clicked.connect(self.print_certificate)
        self.new_button = QPushButton(self.tr("New warranty…"))
        self.new_button.setObjectName("new_warranty")
        self.new_button.clicked.connect(self.new_warranty)
        self.message = _message_label()

        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Find serial")))
        top.addWidget(self.serial, 2)
        top.addSpacing(16)
        top.addWidget(QLabel(self.tr("or cover ending within")))
        top.addWidget(self.days)
        top.addStretch(1)
        top.addWidget(self.new_button)
        actions = QHBoxLayout()
        actions.addWidget(self.claim_button)
        actions.addWidget(self.outcome_button)
        actions.addStretch(1)
        actions.addWidget(self.certificate_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addWidget(self.message)

        self.serial.textChanged.connect(lambda _text: self.refresh())
        self.days.valueChanged.connect(self._show_expiring)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.refresh()

    def current(self) -> WarrantySummary | None:
        return self.model.row_at(self.table.currentIndex().row())

    def find_serial(self, serial: str) -> None:
        self.serial.setText(serial)  # refreshes through textChanged

    def _show_expiring(self) -> None:
        if self.serial.text():
            self.serial.clear()  # refreshes through textChanged
        else:
            self.refresh()

    def refresh(self, keep: int = 0) -> None:
        """Runs the search shown (the serial typed, else the cards running out) again."""
        row = self.table.currentIndex().row()
        current = self.current()
        serial = self.serial.text().strip()
        try:
            with self._context.database.reading() as session:
                found = find_by_serial(session, serial) if serial else expiring_warranties(session, self.days.value())
        except RegularsError as error:
            found = []
            self.message.setText(error_text(error))
        self.model.set_rows(found)
        _select_id(self.table, self.model, keep or (current.id if current else 0), row)
        if serial:
            self.heading.setText(self.tr("Cards with serial number %1: %2").replace("%1", serial)
                                 .replace("%2", str(len(found))))
        else:
            self.heading.setText(self.tr("Cover ending in the next %1 days: %2").replace("%1", str(self.days.value()))
                                 .replace("%2", str(len(found))))
        self._update_buttons()

    def _waiting_claim(self):
        current = self.current()
        waiting = [claim for claim in current.claims if not claim.outcome] if current else []
        return max(waiting, key=lambda claim: (claim.claimed_on, claim.id)) if waiting else None

    def _update_buttons(self) -> None:
        selected = self.current() is not None
        self.claim_button.setEnabled(selected)
        self.certificate_button.setEnabled(selected)
        self.outcome_button.setEnabled(self._waiting_claim() is not None)

    def log_claim(self) -> ClaimDialog | None:
        current = self.current()
        if current is None:
            return None
        dialog = ClaimDialog(self._context, current, parent=self)
        dialog.saved.connect(lambda _id: self._after_claim(current.id, self.tr("Claim logged.")))
        dialog.open()
        return dialog

    def record_outcome(self) -> ClaimDialog | None:
        """The outcome of the latest claim still waiting for one."""
        current, claim = self.current(), self._waiting_claim()
        if current is None or claim is None:
            return None
        dialog = ClaimDialog(self._context, current, claim, parent=self)
        dialog.saved.connect(lambda _id: self._after_claim(current.id, self.tr("Outcome recorded.")))
        dialog.open()
        return dialog

    def _after_claim(self, warranty_id: int, message: str) -> None:
        self.message.setText(message)
        self.refresh(keep=warranty_id)

    def print_certificate(self) -> None:
        current = self.current()
        if current is None:
            return
        document = warranty_certificate(self._output, self._context, current.id)
        if document is not None:
            self._output.preview(document)

    def new_warranty(self) -> WarrantyDialog:
        dialog = WarrantyDialog(self._context, parent=self)
        dialog.saved.connect(lambda _id: self.find_serial(dialog.serial.text().strip()))
        dialog.open()
        return dialog


class CallsTab(QWidget):
    def __init__(self, context: ShopContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = CallTableModel(context, self)
        self.table = _table(self.model, (CallTableModel.NOTES,))
        self.table.setObjectName("calls")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Calls logged, newest first.")))
        layout.addWidget(self.table, 1)
        self.refresh()

    def refresh(self) -> None:
        self.model.refresh()


class RecordsWindow(QDialog):
    """Not modal: it stays open beside the main window while customers are served."""

    TABS = ("reservations", "warranties", "calls")

    def __init__(self, context: ShopContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Reservations, warranties and calls"))
        self.setModal(False)
        self.resize(1040, 620)
        self.output = DocumentOutput(self)
        self.reservations = ReservationsTab(context, self.output)
        self.warranties = WarrantiesTab(context, self.output)
        self.calls = CallsTab(context)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.reservations, self.tr("&Reservations"))
        self.tabs.addTab(self.warranties, self.tr("&Warranties"))
        self.tabs.addTab(self.calls, self.tr("Ca&lls"))
        self.tabs.currentChanged.connect(lambda _index: self.refresh())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)

    def show_tab(self, name: str) -> None:
        """One of TABS: "reservations", "warranties" or "calls"."""
        self.tabs.setCurrentIndex(self.TABS.index(name))

    def refresh(self) -> None:
        """Reads the tab shown again: someone may have changed things from another window."""
        tab = self.tabs.currentWidget()
        if tab is not None:
            tab.refresh()

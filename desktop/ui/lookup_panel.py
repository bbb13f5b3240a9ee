"""The cashier's main screen: one box that finds a customer from whatever is typed."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.context import ShopContext
from desktop.services.lookup import CustomerMatch, customer_match, new_customer_fields, query_problem
from desktop.ui.customer_results_model import CustomerResultsModel
from desktop.ui.messages import problem_text


class LookupPanel(QWidget):
    """Emits openRequested(customer_id) on Enter, newRequested(query) for a new customer."""

    openRequested = Signal(int)
    newRequested = Signal(str)
    # The highlighted customer's id, 0 for none. (PySide6 on Python 3.11 mis-counts
    # references when None travels through a Signal(object), which ends in a crash.)
    currentChanged = Signal(int)

    def __init__(self, context: ShopContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._till_actions: list[QAction] = []
        self.search = QLineEdit()
        self.search.setObjectName("lookup")
        self.search.setPlaceholderText(self.tr("Phone (any format or last 4 digits), name or email — F2"))
        self.search.setClearButtonEnabled(True)
        font = self.search.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        self.search.setFont(font)
        self.search.setMinimumHeight(42)

        self.new_button = QPushButton(self.tr("New customer"))
        self.new_button.setObjectName("new_customer")
        self.new_button.clicked.connect(lambda: self.newRequested.emit(self.search.text()))

        self.model = CustomerResultsModel(context, self)
        self.table = QTableView()
        self.table.setObjectName("results")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(CustomerResultsModel.NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(CustomerResultsModel.EMAIL, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(CustomerResultsModel.PHONE, 170)
        self.table.activated.connect(self._open_index)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)

        self.summary = QLabel()
        self.summary.setObjectName("summary")

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)

        self.search.textChanged.connect(self.set_query)
        self.search.installEventFilter(self)
        if context.database.acting is not None:  # a locked till shows no one until someone signs in
            self.set_query("")

    def clear(self) -> None:
        """Forgets what was typed and found, without reading anything (the till is being locked)."""
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.model.clear()
        self.summary.clear()
        self.currentChanged.emit(0)

    def set_query(self, text: str) -> None:
        self.model.set_query(text)
        if self.model.rowCount():
            self.table.selectRow(0)
        else:
            self.currentChanged.emit(0)
        self._update_summary()

    def let_through(self, actions: list[QAction]) -> None:
        """The till's shortcuts keep working while the search box has the focus (on Linux a line edit
        would otherwise take Ctrl+E as "end of line", Ctrl+A as "start of line" and so on)."""
        self._till_actions = list(actions)

    def highlight(self, customer_id: int) -> None:
        """Reads the results again with this customer highlighted: the one just served or saved.

        When what was typed no longer finds them, the box shows what does (their phone, email or name).
        """
        self.model.refresh()
        if not self._select(customer_id):
            with self._context.database.reading() as session:
                match = customer_match(session, customer_id, self._context.region)
            text = match and (match.phone_display or match.email or match.full_name)
            if text:
                self.search.setText(text)  # reads the results for it
                self._select(customer_id)
        self._update_summary()

    def _select(self, customer_id: int) -> bool:
        row = self.model.row_of(customer_id)
        if row is None:
            return False
        self.table.selectRow(row)
        self.currentChanged.emit(customer_id)  # the card reads them again even when the row was already current
        return True

    def _update_summary(self) -> None:
        count = self.model.rowCount()
        if not self.model.query.strip():
            self.summary.setText(self.tr("Recent customers"))
        elif count == 0:
            problem = query_problem(self.model.query)
            self.summary.setText(
                problem_text(problem)
                if problem
                else self.tr("No customer found. Press Ctrl+N to add one with what you typed.")
            )
        elif self.model.canFetchMore():
            self.summary.setText(self.tr("Best %n matches shown; type more to narrow. Enter serves the highlighted one.", "", count))
        else:
            self.summary.setText(self.tr("Found: %n. Enter serves the highlighted customer.", "", count))

    def current_match(self) -> CustomerMatch | None:
        return self.model.match_at(self.table.currentIndex().row())

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def new_customer_prefill(self) -> dict[str, str]:
        return new_customer_fields(self.search.text())

    def _open_index(self, index: QModelIndex) -> None:
        match = self.model.match_at(index.row())
        if match is not None:
            self.openRequested.emit(match.id)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        match = self.model.match_at(current.row())
        self.currentChanged.emit(match.id if match else 0)

    def _is_till_shortcut(self, event: QKeyEvent) -> bool:
        pressed = QKeySequence(event.keyCombination())
        return any(action.isEnabled() and action.shortcut() == pressed for action in self._till_actions)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Arrows move through the results and Enter serves one, without leaving the box; the till's
        shortcuts go to the window rather than to the box's own editing keys."""
        if watched is self.search and event.type() == QEvent.Type.ShortcutOverride and self._is_till_shortcut(event):
            event.ignore()
            return True
        if watched is self.search and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                match = self.current_match()
                if match is not None:
                    self.openRequested.emit(match.id)
                return True
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
                step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 10, Qt.Key.Key_PageUp: -10}[key]
                row = self.table.currentIndex().row() + step
                if row >= self.model.rowCount() and self.model.canFetchMore():
                    self.model.fetchMore()
                row = max(0, min(row, self.model.rowCount() - 1))
                if self.model.rowCount():
                    self.table.selectRow(row)
                return True
        return super().eventFilter(watched, event)

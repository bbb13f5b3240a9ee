"""Sync > Conflicts… (owner): values that lost to a concurrent edit of the same field on another till,
with "Keep mine" and "Keep theirs" (desktop/sync/conflicts.py does the work)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.context import ShopContext
from desktop.errors import RegularsError
from desktop.sync.conflicts import ConflictView, list_conflicts, resolve_conflict
from desktop.ui.messages import error_text


class ConflictsDialog(QDialog):
    def __init__(self, context: ShopContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._conflicts: list[ConflictView] = []
        self.setWindowTitle(self.tr("Sync conflicts"))
        self.resize(760, 360)
        self.explanation = QLabel(self.tr(
            "Two tills changed the same detail without seeing each other's change. The later change was "
            "kept on every till; the other value is here. Keep either one."))
        self.explanation.setWordWrap(True)
        self.table = QTableWidget(0, 5, self)
        self.table.setObjectName("conflicts_table")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Record"), self.tr("Detail"), self.tr("This till's value"), self.tr("Other till's value"),
             self.tr("Kept now")])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)  # every header whole
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.keep_mine_button = QPushButton(self.tr("Keep mine"))
        self.keep_mine_button.setObjectName("keep_mine")
        self.keep_mine_button.clicked.connect(lambda: self.keep("mine"))
        self.keep_theirs_button = QPushButton(self.tr("Keep theirs"))
        self.keep_theirs_button.setObjectName("keep_theirs")
        self.keep_theirs_button.clicked.connect(lambda: self.keep("theirs"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.keep_mine_button)
        buttons.addWidget(self.keep_theirs_button)
        buttons.addStretch()
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(close)
        self.table.itemSelectionChanged.connect(self._enable_buttons)
        self.refresh()

    def refresh(self) -> None:
        with self._context.database.reading() as session:
            self._conflicts = list_conflicts(session)
        self.table.setRowCount(len(self._conflicts))
        for row, conflict in enumerate(self._conflicts):
            kept = self.tr("this till's") if conflict.kept == "mine" else self.tr("other till's")
            record = conflict.record_name or f"{conflict.table.replace('_', ' ')} {conflict.record_uuid[:8]}"
            cells = (record, conflict.field.replace("_", " ").replace(",", ", "),
                     conflict.mine, conflict.theirs, kept)
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        if self._conflicts:
            self.table.selectRow(0)
        self._enable_buttons()

    def _enable_buttons(self) -> None:
        chosen = bool(self.table.selectionModel().selectedRows())
        self.keep_mine_button.setEnabled(chosen)
        self.keep_theirs_button.setEnabled(chosen)

    def keep(self, which: str) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        conflict = self._conflicts[rows[0].row()]
        try:
            with self._context.database.writing() as session:
                resolve_conflict(session, conflict.id, which)
        except RegularsError as error:
            QMessageBox.warning(self, self.tr("Sync conflicts"), error_text(error))
        self.refresh()

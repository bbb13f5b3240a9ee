"""Calls waiting for a follow-up, under the lookup list: the overdue ones in dark red, a Done button each."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.context import ShopContext
from desktop.errors import RegularsError
from desktop.services.dates import format_date
from desktop.services.phone_calls import (
    CallSummary,
    complete_follow_up,
    open_follow_ups,
    reopen_follow_up,
)
from desktop.ui.messages import error_text, translate

OVERDUE = QColor("#8b0000")
CALL_ID = Qt.ItemDataRole.UserRole
CUSTOMER_ID = Qt.ItemDataRole.UserRole + 1
VISIBLE_ROWS = 5  # more than this scroll, so the lookup list keeps its room
UNDO_MS = 10_000  # how long Undo stays offered after Done


class FollowUpsPanel(QWidget):
    """Emits customerChosen(customer_id) when a row with a customer is double-clicked."""

    customerChosen = Signal(int)
    DATE, WHO, REASON, NOTES, DONE = range(5)

    def __init__(self, context: ShopContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.title = QLabel()
        self.title.setObjectName("follow_ups_title")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.empty = QLabel(self.tr("No follow-ups due."))
        self.empty.setObjectName("no_follow_ups")
        self.empty.setStyleSheet("color: palette(mid);")
        self.error = QLabel()
        self.error.setObjectName("follow_ups_error")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.error.hide()

        self.tree = QTreeWidget()
        self.tree.setObjectName("follow_ups")
        self.tree.setColumnCount(5)
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.tree.header()
        header.setStretchLastSection(False)
        for column in (self.DATE, self.WHO, self.REASON, self.DONE):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.NOTES, QHeaderView.ResizeMode.Stretch)
        self.tree.itemActivated.connect(self._activated)

        self.undo_text = QLabel()
        self.undo_text.setObjectName("follow_up_done")
        self.undo_text.setTextFormat(Qt.TextFormat.PlainText)
        self.undo_button = QPushButton(self.tr("Undo"))
        self.undo_button.setObjectName("undo_done")
        self.undo_button.clicked.connect(self.undo)
        self.undo_bar = QWidget()
        undo_row = QHBoxLayout(self.undo_bar)
        undo_row.setContentsMargins(0, 0, 0, 0)
        undo_row.addWidget(self.undo_text, 1)
        undo_row.addWidget(self.undo_button)
        self.undo_bar.hide()
        self._undo_call: int | None = None
        self._undo_timer = QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.setInterval(UNDO_MS)
        self._undo_timer.timeout.connect(self._forget_undo)

        layout = QVBoxLayout(self)
        side = self.style().pixelMetric(QStyle.PixelMetric.PM_LayoutLeftMargin)  # as the lookup panel above
        layout.setContentsMargins(side, 0, side, side)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.empty)
        layout.addWidget(self.tree)
        layout.addWidget(self.undo_bar)
        layout.addWidget(self.error)
        if context.database.acting is not None:  # a locked till shows no calls until someone signs in
            self.refresh()
        else:
            self.clear()

    def clear(self) -> None:
        """Shows no calls, without reading anything (the till is being locked)."""
        self.tree.clear()
        self.title.setText(self.tr("Follow-ups"))
        self._forget_undo()
        self.error.hide()
        self.empty.hide()
        self.tree.hide()

    def refresh(self) -> None:
        try:
            with self._context.database.reading() as session:
                calls = open_follow_ups(session)
        except RegularsError as error:
            self._show_error(error)
            return
        self.tree.clear()
        today = date.today()
        for call in calls:
            self._add_row(call, today)
        self.title.setText(self.tr("Follow-ups (%1)").replace("%1", str(len(calls))))
        self.empty.setVisible(not calls)
        self.tree.setVisible(bool(calls))
        self._fit_height(len(calls))

    def shown_calls(self) -> list[int]:
        """The call ids listed, top to bottom."""
        return [self.tree.topLevelItem(i).data(self.DATE, CALL_ID) for i in range(self.tree.topLevelItemCount())]

    def done_button(self, call_id: int) -> QPushButton | None:
        return self.tree.findChild(QPushButton, f"done_{call_id}")

    def complete(self, call_id: int) -> None:
        """Done: off the list at once, with Undo offered for a few seconds."""
        self.error.hide()
        who = next((self.tree.topLevelItem(i).text(self.WHO) for i in range(self.tree.topLevelItemCount())
                    if self.tree.topLevelItem(i).data(self.DATE, CALL_ID) == call_id), "")
        try:
            with self._context.database.writing() as session:
                complete_follow_up(session, call_id, staff="")
        except RegularsError as error:
            self._show_error(error)
            self.refresh()
            return
        self.refresh()
        self.undo_text.setText(self.tr("Follow-up with %1 done.").replace("%1", who))
        self._undo_call = call_id
        self.undo_bar.show()
        self._undo_timer.start()

    def undo(self) -> None:
        """Puts the follow-up just done back on the list."""
        call_id = self._undo_call
        self._forget_undo()
        if call_id is None:
            return
        try:
            with self._context.database.writing() as session:
                reopen_follow_up(session, call_id)
        except RegularsError as error:
            self._show_error(error)
        self.refresh()

    def _forget_undo(self) -> None:
        self._undo_timer.stop()
        self._undo_call = None
        self.undo_bar.hide()

    def _add_row(self, call: CallSummary, today: date) -> None:
        who = call.customer_name or call.phone_display(self._context.region) or self.tr("Unknown caller")
        notes = call.notes.strip().splitlines()[0] if call.notes.strip() else ""
        item = QTreeWidgetItem([self._date_text(call.follow_up_on, today), who, translate(call.reason), notes, ""])
        item.setData(self.DATE, CALL_ID, call.id)
        item.setData(self.DATE, CUSTOMER_ID, call.customer_id or 0)
        item.setToolTip(self.NOTES, call.notes)
        if call.follow_up_on < today:
            item.setForeground(self.DATE, QBrush(OVERDUE))
            item.setToolTip(self.DATE, self.tr("Overdue"))
        if call.follow_up_on <= today:
            font = item.font(self.DATE)
            font.setBold(True)
            item.setFont(self.DATE, font)
        self.tree.addTopLevelItem(item)
        done = QPushButton(self.tr("Done"))
        done.setObjectName(f"done_{call.id}")
        done.setToolTip(self.tr("The follow-up was made: take it off the list"))
        done.clicked.connect(lambda _checked=False, call_id=call.id: self.complete(call_id))
        self.tree.setItemWidget(item, self.DONE, done)

    def _date_text(self, day: date, today: date) -> str:
        if day == today:
            return self.tr("Today")
        if day == today + timedelta(days=1):
            return self.tr("Tomorrow")
        return format_date(day, self._context.region)

    def _fit_height(self, rows: int) -> None:
        if not rows:
            return
        row_height = max(self.tree.sizeHintForRow(0), self.fontMetrics().height() + 6)
        frame = 2 * self.tree.frameWidth()
        self.tree.setFixedHeight(min(rows, VISIBLE_ROWS) * row_height + frame)

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        customer_id = item.data(self.DATE, CUSTOMER_ID)
        if customer_id:
            self.customerChosen.emit(customer_id)

    def _show_error(self, error: RegularsError) -> None:
        self.error.setText(error_text(error))
        self.error.show()

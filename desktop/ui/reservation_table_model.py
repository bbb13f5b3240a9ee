"""The reservation lists staff work from, a hundred rows at a time."""

from __future__ import annotations

from datetime import date
from typing import Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from desktop.context import ShopContext
from desktop.services.dates import format_date
from desktop.services.money import format_money
from desktop.services.phones import display_phone
from desktop.services.reservations import (
    LISTS,
    STATUS_NAMES,
    ReservationSummary,
    reservation_list,
)
from desktop.ui.messages import translate

PAGE = 100
Index = QModelIndex | QPersistentModelIndex
Row = TypeVar("Row")
OVERDUE = QColor("#8b0000")


class PagedTableModel(QAbstractTableModel, Generic[Row]):
    """Rows of plain values read a page at a time as the view scrolls; subclasses say what a page is."""

    page_size = PAGE

    def __init__(self, context: ShopContext, parent=None) -> None:
        super().__init__(parent)
        self._context = context
        self._rows: list[Row] = []
        self._more = False

    def headers(self) -> tuple[str, ...]:
        raise NotImplementedError

    def _page(self, offset: int, limit: int) -> list[Row]:
        raise NotImplementedError

    def cell(self, row: Row, column: int) -> str:
        raise NotImplementedError

    def refresh(self) -> None:
        """Reads the first page again (and as many more as were shown, so the view keeps its place)."""
        self._reload(max(len(self._rows), self.page_size))

    def _reload(self, count: int) -> None:
        """Reads the first count rows afresh; more can be fetched if there were that many."""
        self.beginResetModel()
        self._rows = self._page(0, count)
        self._more = len(self._rows) == count
        self.endResetModel()

    def clear(self) -> None:
        """No rows, and nothing read (the till is locked)."""
        self.beginResetModel()
        self._rows, self._more = [], False
        self.endResetModel()

    def row_at(self, row: int) -> Row | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and self._more

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if parent.isValid() or not self._more:
            return
        page = self._page(len(self._rows), self.page_size)
        self._more = len(page) == self.page_size
        if page:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.headers())

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        headers = self.headers()
        return headers[section] if 0 <= section < len(headers) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.cell(row, index.column())
        if role == Qt.ItemDataRole.UserRole:
            return getattr(row, "id", None)
        return self.style(row, index.column(), role)

    def style(self, row: Row, column: int, role: int):
        return None


class ReservationTableModel(PagedTableModel[ReservationSummary]):
    REFERENCE, EXPECTED, STATUS, CUSTOMER, PHONE, ITEM, QUANTITY, DEPOSIT = range(8)

    def __init__(self, context: ShopContext, which: str = LISTS[0], parent=None) -> None:
        super().__init__(context, parent)
        self._which = which
        self._today = date.today()

    @property
    def which(self) -> str:
        return self._which

    def set_list(self, which: str) -> None:
        """One of reservations.LISTS; starts again from the top."""
        self._which = which
        self._rows = []
        self.refresh()

    def refresh(self) -> None:
        self._today = date.today()  # a window left open overnight sees the new day's overdue rows
        super().refresh()

    def _page(self, offset: int, limit: int) -> list[ReservationSummary]:
        with self._context.database.reading() as session:
            return reservation_list(session, self._which, today=self._today, limit=limit, offset=offset)

    def headers(self) -> tuple[str, ...]:
        return (self.tr("Reference"), self.tr("Expected"), self.tr("Status"), self.tr("Customer"),
                self.tr("Phone"), self.tr("Item"), self.tr("Qty"), self.tr("Deposit"))

    def cell(self, row: ReservationSummary, column: int) -> str:
        region = self._context.region
        if column == self.REFERENCE:
            return row.reference_display
        if column == self.EXPECTED:
            return format_date(row.expected_on, region)
        if column == self.STATUS:
            status = translate(STATUS_NAMES[row.status])
            return self.tr("%1 (overdue)").replace("%1", status) if row.is_overdue(self._today) else status
        if column == self.CUSTOMER:
            return row.customer_name
        if column == self.PHONE:
            return display_phone(row.customer_phone, region) if row.customer_phone else ""
        if column == self.ITEM:
            return row.item
        if column == self.QUANTITY:
            return str(row.quantity)
        if column == self.DEPOSIT:
            return format_money(row.deposit_cents, self._context.currency, region) if row.deposit_cents else ""
        return ""

    def style(self, row: ReservationSummary, column: int, role: int):
        if role == Qt.ItemDataRole.ForegroundRole and row.is_overdue(self._today):
            return QBrush(OVERDUE)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (self.QUANTITY, self.DEPOSIT):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

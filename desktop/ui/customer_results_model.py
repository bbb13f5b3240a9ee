"""The results list under the lookup box: a page at a time, never the whole book."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from desktop.context import ShopContext
from desktop.services.dates import format_date
from desktop.services.lookup import CustomerMatch, find_customers

PAGE = 50
Index = QModelIndex | QPersistentModelIndex


class CustomerResultsModel(QAbstractTableModel):
    NAME, PHONE, EMAIL, LAST_SEEN = range(4)

    def __init__(self, context: ShopContext, parent=None) -> None:
        super().__init__(parent)
        self._context = context
        self._query = ""
        self._rows: list[CustomerMatch] = []
        self._more = False

    @property
    def query(self) -> str:
        return self._query

    def set_query(self, query: str) -> None:
        self.beginResetModel()
        self._query = query
        self._rows = self._page(0)
        self._more = len(self._rows) == PAGE
        self.endResetModel()

    def refresh(self) -> None:
        self.set_query(self._query)

    def match_at(self, row: int) -> CustomerMatch | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def _page(self, offset: int) -> list[CustomerMatch]:
        with self._context.database.reading() as session:
            return find_customers(session, self._query, self._context.region, limit=PAGE, offset=offset)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and self._more

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if parent.isValid() or not self._more:
            return
        page = self._page(len(self._rows))
        self._more = len(page) == PAGE
        if page:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else 4

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (self.tr("Name"), self.tr("Phone"), self.tr("Email"), self.tr("Last seen"))[section] if 0 <= section < 4 else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        match = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.NAME:
                return match.full_name
            if column == self.PHONE:
                return match.phone_display
            if column == self.EMAIL:
                return match.email
            if column == self.LAST_SEEN:
                return format_date(match.last_seen_at.date(), self._context.region)
        if role == Qt.ItemDataRole.UserRole:
            return match.id
        if role == Qt.ItemDataRole.ToolTipRole and column == self.PHONE and match.phone:
            return match.phone
        return None

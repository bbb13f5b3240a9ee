"""The results list under the lookup box: a page at a time, never the whole book."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.context import ShopContext
from desktop.services.dates import format_date
from desktop.services.lookup import CustomerMatch, find_customers
from desktop.ui.reservation_table_model import Index, PagedTableModel

PAGE = 50


class CustomerResultsModel(PagedTableModel[CustomerMatch]):
    NAME, PHONE, EMAIL, LAST_SEEN = range(4)
    page_size = PAGE

    def __init__(self, context: ShopContext, parent=None) -> None:
        super().__init__(context, parent)
        self._query = ""

    @property
    def query(self) -> str:
        return self._query

    def set_query(self, query: str) -> None:
        """The first page of what the query finds."""
        self._query = query
        self._reload(PAGE)

    def refresh(self) -> None:
        self.set_query(self._query)

    def match_at(self, row: int) -> CustomerMatch | None:
        return self.row_at(row)

    def row_of(self, customer_id: int) -> int | None:
        """Where this customer is among the rows read so far, if there."""
        return next((row for row, match in enumerate(self._rows) if match.id == customer_id), None)

    def _page(self, offset: int, limit: int) -> list[CustomerMatch]:
        with self._context.database.reading() as session:
            return find_customers(session, self._query, self._context.region, limit=limit, offset=offset)

    def headers(self) -> tuple[str, ...]:
        return (self.tr("Name"), self.tr("Phone"), self.tr("Email"), self.tr("Last seen"))

    def cell(self, row: CustomerMatch, column: int) -> str | None:
        if column == self.NAME:
            return row.full_name or self.tr("Erased customer #%1").replace("%1", str(row.id))
        if column == self.PHONE:
            return row.phone_display
        if column == self.EMAIL:
            return row.email
        if column == self.LAST_SEEN:
            return format_date(row.last_seen_at.date(), self._context.region)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.ToolTipRole:  # only the phone has one: the number as stored
            match = self.row_at(index.row()) if index.isValid() else None
            return match.phone if match is not None and index.column() == self.PHONE and match.phone else None
        return super().data(index, role)

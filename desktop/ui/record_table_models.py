"""The warranty and phone-call tables of the records window."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush

from desktop.context import ShopContext
from desktop.services.dates import format_date
from desktop.services.phone_calls import CallSummary, recent_calls
from desktop.services.warranties import WarrantySummary
from desktop.ui.date_fields import stored_moment_text
from desktop.ui.messages import translate
from desktop.ui.reservation_table_model import OVERDUE, PagedTableModel


class WarrantyTableModel(PagedTableModel[WarrantySummary]):
    """The cards a search found (a serial number, or those running out soon): shown as given."""

    PRODUCT, SERIAL, CUSTOMER, PURCHASED, EXPIRES, CLAIMS = range(6)

    def __init__(self, context: ShopContext, parent=None) -> None:
        super().__init__(context, parent)
        self._found: list[WarrantySummary] = []

    def set_rows(self, found: list[WarrantySummary]) -> None:
        self._found = list(found)
        self.refresh()

    def _page(self, offset: int, limit: int) -> list[WarrantySummary]:
        return self._found[offset:offset + limit]

    def headers(self) -> tuple[str, ...]:
        return (self.tr("Product"), self.tr("Serial number"), self.tr("Customer"), self.tr("Bought"),
                self.tr("Covered until"), self.tr("Claims"))

    def cell(self, row: WarrantySummary, column: int) -> str:
        region = self._context.region
        if column == self.PRODUCT:
            return row.product
        if column == self.SERIAL:
            return row.serial_number
        if column == self.CUSTOMER:
            return row.customer_name
        if column == self.PURCHASED:
            return format_date(row.purchase_date, region)
        if column == self.EXPIRES:
            return format_date(row.expires_on, region)
        if column == self.CLAIMS:
            waiting = sum(1 for claim in row.claims if not claim.outcome)
            if waiting:
                return self.tr("%1 (%2 waiting)").replace("%1", str(len(row.claims))).replace("%2", str(waiting))
            return str(len(row.claims)) if row.claims else ""
        return ""

    def style(self, row: WarrantySummary, column: int, role: int):
        if role == Qt.ItemDataRole.ForegroundRole and column == self.EXPIRES and row.expires_on < date.today():
            return QBrush(OVERDUE)
        return None


class CallTableModel(PagedTableModel[CallSummary]):
    """Every call logged, newest first, a hundred at a time."""

    WHEN, CALLER, PHONE, REASON, NOTES, FOLLOW_UP = range(6)

    def _page(self, offset: int, limit: int) -> list[CallSummary]:
        with self._context.database.reading() as session:
            return recent_calls(session, limit=limit, offset=offset)

    def headers(self) -> tuple[str, ...]:
        return (self.tr("When"), self.tr("Caller"), self.tr("Phone"), self.tr("Reason"), self.tr("Notes"),
                self.tr("Follow-up"))

    def cell(self, row: CallSummary, column: int) -> str:
        if column == self.WHEN:
            return stored_moment_text(row.called_at, self._context.region)
        if column == self.CALLER:
            return row.customer_name
        if column == self.PHONE:
            return row.phone_display(self._context.region)
        if column == self.REASON:
            return translate(row.reason)
        if column == self.NOTES:
            return " ".join(row.notes.split())  # one line in a table
        if column == self.FOLLOW_UP:
            if row.follow_up_on is None:
                return ""
            when = format_date(row.follow_up_on, self._context.region)
            return self.tr("%1 (done)").replace("%1", when) if row.follow_up_done_at else when
        return ""

"""The highlighted customer at a glance, beside the results."""

from __future__ import annotations

from datetime import date, timezone

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QVBoxLayout, QWidget

from desktop.context import ShopContext
from desktop.errors import NotFound
from desktop.services import loyalty
from desktop.services.card_codes import display
from desktop.services.customers import get_customer
from desktop.services.dates import format_date
from desktop.services.phone_calls import CallSummary, customer_calls
from desktop.services.phones import display_phone
from desktop.services.reservations import (
    STATUS_NAMES,
    ReservationSummary,
    customer_reservations,
)
from desktop.services.warranties import WarrantySummary, customer_warranties
from desktop.ui.messages import translate

RECENT_CALLS = 3
MAX_WARRANTIES = 5


def _plain_label() -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)  # customer text is never markup
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class CustomerCard(QFrame):
    def __init__(self, context: ShopContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(280)
        self.name = _plain_label()
        self.name.setObjectName("card_name")
        font = self.name.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.name.setFont(font)
        self.values: dict[str, QLabel] = {}
        self._form = form = QFormLayout()
        for key, label in (
            ("phones", self.tr("Phone")),
            ("email", self.tr("Email")),
            ("company", self.tr("Company")),
            ("city", self.tr("City")),
            ("birthday", self.tr("Birthday")),
            ("last_seen", self.tr("Last seen")),
            ("notes", self.tr("Notes")),
            ("card", self.tr("Card")),
        ):
            value = _plain_label()
            value.setObjectName(f"card_{key}")
            self.values[key] = value
            form.addRow(label, value)
        self.loyalty = _plain_label()
        self.loyalty.setObjectName("card_loyalty")
        self.reward = QLabel()
        self.reward.setObjectName("card_reward")
        self.reward.setTextFormat(Qt.TextFormat.PlainText)
        self.reward.setWordWrap(True)
        self.reward.setStyleSheet("color: #1b5e20; font-weight: bold; font-size: 14pt;")
        self._records_form = records = QFormLayout()
        for key, label in (
            ("reservations", self.tr("Reservations")),
            ("warranties", self.tr("Warranties")),
            ("calls", self.tr("Calls")),
        ):
            value = _plain_label()
            value.setObjectName(f"card_{key}")
            self.values[key] = value
            records.addRow(label, value)
        self.hint = QLabel(self.tr("Enter serves the customer · F4 stamps · F6 redeems · F9 reserves · Ctrl+E edits · Ctrl+N adds"))
        self.hint.setStyleSheet("color: palette(mid);")
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.name)
        layout.addLayout(form)
        layout.addWidget(self.loyalty)
        layout.addWidget(self.reward)
        layout.addLayout(records)
        layout.addStretch(1)
        layout.addWidget(self.hint)
        self.show_customer(None)

    def show_customer(self, customer_id: int | None) -> None:
        if customer_id is None:
            self.name.setText(self.tr("No customer selected"))
            for value in self.values.values():
                value.clear()
            self.loyalty.clear()
            self.reward.hide()
            self._hide_empty_rows()
            return
        try:
            with self._context.database.reading() as session:
                customer = get_customer(session, customer_id)
                phones = [display_phone(p.e164, self._context.region) for p in customer.phones]
                card = loyalty.active_card(session, customer.id)
                balances = loyalty.balances(session, customer.id)
                reservations = [r for r in customer_reservations(session, customer.id) if r.status in ("open", "ready")]
                warranties = customer_warranties(session, customer.id, limit=MAX_WARRANTIES)
                calls = customer_calls(session, customer.id, limit=RECENT_CALLS)
        except NotFound:
            self.show_customer(None)
            return
        locale = QLocale()
        self.name.setText(customer.full_name or self.tr("Erased customer #%1").replace("%1", str(customer.id)))
        self.values["phones"].setText("\n".join(phones))
        self.values["email"].setText(customer.email or "")
        self.values["company"].setText(customer.company)
        self.values["city"].setText(customer.city)
        self.values["birthday"].setText(
            locale.toString(customer.birthday, QLocale.FormatType.LongFormat) if customer.birthday else ""
        )
        self.values["last_seen"].setText(locale.toString(customer.last_seen_at.date(), QLocale.FormatType.LongFormat))
        self.values["notes"].setText(customer.notes)
        self.values["card"].setText(display(card.code) if card else "")
        self.loyalty.setText("\n".join(self._balance_line(b) for b in balances))
        due = [b for b in balances if b.rewards_due and b.status == "active"]
        self.reward.setText(
            "\n".join(self.tr("Reward due: %1").replace("%1", b.reward_description) for b in due)
        )
        self.reward.setVisible(bool(due))
        self.values["reservations"].setText("\n".join(self._reservation_line(r) for r in reservations))
        self.values["warranties"].setText("\n".join(self._warranty_line(w) for w in warranties))
        self.values["calls"].setText("\n".join(self._call_line(c) for c in calls))
        self._hide_empty_rows()

    def _balance_line(self, balance: loyalty.Balance) -> str:
        unit = self.tr("stamps") if balance.kind == "stamps" else self.tr("points")
        if balance.rewards_due:
            line = self.tr("%1: %2 %3 — reward ready").replace("%1", balance.program)
            line = line.replace("%2", str(balance.balance)).replace("%3", unit)
        else:
            line = self.tr("%1: %2 of %3 %4").replace("%1", balance.program).replace("%2", str(balance.balance))
            line = line.replace("%3", str(balance.reward_at)).replace("%4", unit)
        if balance.status != "active":
            line += " (" + (self.tr("paused") if balance.status == "paused" else self.tr("ended")) + ")"
        return line

    def _reservation_line(self, reservation: ReservationSummary) -> str:
        """B1234-5678 · Birthday cake × 2 · 24/12/2026 · Ready"""
        item = reservation.item if reservation.quantity == 1 else f"{reservation.item} × {reservation.quantity}"
        status = translate(STATUS_NAMES[reservation.status])
        if reservation.is_overdue(date.today()):
            status = self.tr("%1, overdue").replace("%1", status)
        when = format_date(reservation.expected_on, self._context.region)
        return "• " + " · ".join((reservation.reference_display, item, when, status))

    def _warranty_line(self, warranty: WarrantySummary) -> str:
        until = format_date(warranty.expires_on, self._context.region)
        if warranty.expires_on < date.today():
            return "• " + self.tr("%1, ended %2").replace("%1", warranty.product).replace("%2", until)
        return "• " + self.tr("%1, until %2").replace("%1", warranty.product).replace("%2", until)

    def _call_line(self, call: CallSummary) -> str:
        when = call.called_at.replace(tzinfo=timezone.utc).astimezone().date()  # stored as UTC
        parts = [format_date(when, self._context.region), translate(call.reason)]
        notes = " ".join(call.notes.split())
        if notes:
            parts.append(notes if len(notes) <= 60 else notes[:59] + "…")
        return "• " + " · ".join(parts)

    def _hide_empty_rows(self) -> None:
        for value in self.values.values():
            form = self._form if self._form.indexOf(value) >= 0 else self._records_form
            form.setRowVisible(value, bool(value.text()))

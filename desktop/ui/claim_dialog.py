"""A warranty claim: what went wrong and when, and later what the shop did about it."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from desktop.context import ShopContext
from desktop.services.dates import format_date
from desktop.services.warranties import (
    ClaimSummary,
    WarrantySummary,
    add_claim,
    set_claim_outcome,
)
from desktop.ui.date_fields import date_edit
from desktop.ui.form_parts import (
    left_aligned,
    save_cancel_buttons,
    text_box,
    write_form,
)
from desktop.ui.messages import FieldErrors


def _plain(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


class ClaimDialog(QDialog):
    """Logs a new claim on a card, or (given the claim) records its outcome. Emits saved(claim_id)."""

    saved = Signal(int)

    def __init__(
        self,
        context: ShopContext,
        warranty: WarrantySummary,
        claim: ClaimSummary | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._warranty = warranty
        self._claim = claim
        self.errors = FieldErrors()
        region = context.region
        self.setWindowTitle(self.tr("Warranty claim") if claim is None else self.tr("Outcome of a claim"))
        self.setMinimumWidth(460)

        form = QFormLayout()
        form.addRow(self.tr("Product"), _plain(
            self.tr("%1 · serial %2 · %3").replace("%1", warranty.product)
            .replace("%2", warranty.serial_number).replace("%3", warranty.customer_name)
        ))
        form.addRow(self.tr("Covered"), _plain(
            self.tr("%1 to %2").replace("%1", format_date(warranty.purchase_date, region))
            .replace("%2", format_date(warranty.expires_on, region))
        ))
        if claim is None:
            self.claimed_on = date_edit(region, date.today())
            self.claimed_on.setObjectName("claimed_on")
            self.problem = text_box("problem", self.tr("What the customer reports"))
            self.errors.add_row(form, "claimed_on", self.tr("Claimed on"), left_aligned(self.claimed_on))
            self.errors.add_row(form, "problem", self.tr("Problem"), self.problem)
            outcome_hint = self.tr("Can wait until it is settled")
        else:
            form.addRow(self.tr("Claimed on"), _plain(format_date(claim.claimed_on, region)))
            form.addRow(self.tr("Problem"), _plain(claim.problem))
            outcome_hint = self.tr("Repaired, replaced, refunded, or refused and why")
        self.outcome = text_box("outcome", outcome_hint)
        self.errors.add_row(form, "outcome", self.tr("Outcome"), self.outcome)
        self.form_error = self.errors.label_for("form", self)

        buttons, self.save_button = save_cancel_buttons(self, self.save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.form_error)
        layout.addWidget(buttons)
        (self.problem if claim is None else self.outcome).setFocus()

    def _write(self, session: Session) -> int:
        if self._claim is None:
            claim = add_claim(
                session, self._warranty.id, problem=self.problem.toPlainText(),
                claimed_on=self.claimed_on.date().toPython(), outcome=self.outcome.toPlainText(), staff="",
            )
        else:
            claim = set_claim_outcome(session, self._claim.id, self.outcome.toPlainText(), staff="")
        return claim.id

    def save(self) -> None:
        claim_id = write_form(self, self._context.database, self.errors, self.form_error, self._write)
        if claim_id is None:
            return
        self.saved.emit(claim_id)
        self.accept()

"""A warranty claim: what went wrong and when, and later what the shop did about it."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.context import ShopContext
from desktop.errors import InvalidInput, RegularsError
from desktop.services.dates import format_date
from desktop.services.warranties import (
    ClaimSummary,
    WarrantySummary,
    add_claim,
    set_claim_outcome,
)
from desktop.ui.date_fields import date_edit
from desktop.ui.messages import FieldErrors, error_text


def _text_box(name: str, placeholder: str) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setObjectName(name)
    box.setPlaceholderText(placeholder)
    box.setFixedHeight(64)
    box.setTabChangesFocus(True)
    return box


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
            holder = QWidget()
            row = QHBoxLayout(holder)
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(self.claimed_on)
            row.addStretch(1)
            self.problem = _text_box("problem", self.tr("What the customer reports"))
            self.errors.add_row(form, "claimed_on", self.tr("Claimed on"), holder)
            self.errors.add_row(form, "problem", self.tr("Problem"), self.problem)
            outcome_hint = self.tr("Can wait until it is settled")
        else:
            form.addRow(self.tr("Claimed on"), _plain(format_date(claim.claimed_on, region)))
            form.addRow(self.tr("Problem"), _plain(claim.problem))
            outcome_hint = self.tr("Repaired, replaced, refunded, or refused and why")
        self.outcome = _text_box("outcome", outcome_hint)
        self.errors.add_row(form, "outcome", self.tr("Outcome"), self.outcome)
        self.form_error = self.errors.label_for("form", self)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.form_error)
        layout.addWidget(buttons)
        (self.problem if claim is None else self.outcome).setFocus()

    def save(self) -> None:
        self.errors.clear()
        try:
            with self._context.database.writing() as session:
                if self._claim is None:
                    claim = add_claim(
                        session, self._warranty.id, problem=self.problem.toPlainText(),
                        claimed_on=self.claimed_on.date().toPython(), outcome=self.outcome.toPlainText(), staff="",
                    )
                else:
                    claim = set_claim_outcome(session, self._claim.id, self.outcome.toPlainText(), staff="")
                claim_id = claim.id
        except InvalidInput as problems:
            if self.errors.show(problems):
                self.form_error.setText(error_text(problems))
                self.form_error.show()
            self.adjustSize()  # room for the error lines
            return
        except RegularsError as error:
            self.form_error.setText(error_text(error))
            self.form_error.show()
            return
        self.saved.emit(claim_id)
        self.accept()

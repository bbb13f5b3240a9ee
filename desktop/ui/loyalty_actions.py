"""Stamping and redeeming at the till: F4 stamps, F6 redeems (after a confirmation)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, QPoint, Signal
from PySide6.QtGui import QAction, QCursor, QFont, QKeySequence
from PySide6.QtWidgets import QDialog, QFileDialog, QMenu, QMessageBox, QWidget

from desktop.context import ShopContext
from desktop.errors import RegularsError
from desktop.output_files import write_output
from desktop.printing.loyalty_cards import render_cards
from desktop.services import loyalty
from desktop.services.card_codes import display
from desktop.services.shop import sheet_paper
from desktop.ui.amount_dialog import AmountDialog
from desktop.ui.messages import error_text, nobody_highlighted, translate


class LoyaltyActions(QObject):
    """Emits changed(customer_id, message) after every stamp, redemption or new card."""

    changed = Signal(int, str)

    def __init__(self, context: ShopContext, current_customer: Callable[[], int | None], parent: QWidget) -> None:
        super().__init__(parent)
        self._context = context
        self._current = current_customer
        self._parent = parent
        self.menu_anchor: QWidget | None = None  # the programme menu opens under it (the card's balances)
        self.stamp_action = QAction(self.tr("Stamp"), parent)
        self.stamp_action.setShortcut(QKeySequence(self.tr("F4")))
        self.stamp_action.triggered.connect(self.stamp)
        self.redeem_action = QAction(self.tr("Redeem reward…"), parent)
        self.redeem_action.setShortcut(QKeySequence(self.tr("F6")))
        self.redeem_action.triggered.connect(self.redeem)
        self.replace_card_action = QAction(self.tr("Replace lost card"), parent)
        self.replace_card_action.triggered.connect(self.replace_card)

        self.print_card_action = QAction(self.tr("Print this customer's card…"), parent)
        self.print_card_action.triggered.connect(lambda: self.print_cards(everyone_without_card=False))
        self.print_new_cards_action = QAction(self.tr("Print cards for everyone without one…"), parent)
        self.print_new_cards_action.triggered.connect(lambda: self.print_cards(everyone_without_card=True))

    def actions(self) -> list[QAction]:
        return [self.stamp_action, self.redeem_action, self.replace_card_action,
                self.print_card_action, self.print_new_cards_action]

    def print_cards(self, *, everyone_without_card: bool) -> None:
        """Cards as a PDF: a sheet of ten per page, or one per page for a card printer."""
        customer_id = self._current()
        if customer_id is None and not everyone_without_card:
            self._nobody()
            return
        sheet, single = self.tr("Sheets of 10 cards (*.pdf)"), self.tr("Card printer, one per page (*.pdf)")
        path, chosen = QFileDialog.getSaveFileName(
            self._parent, self.tr("Save loyalty cards"), "loyalty-cards.pdf", f"{sheet};;{single}"
        )
        if not path:
            return
        try:
            with self._context.database.writing() as session:
                ids = loyalty.customers_without_card(session) if everyone_without_card else [customer_id]
                if not ids:
                    self._tell(self.tr("Everyone already has a card."))
                    return
                faces = loyalty.card_faces(session, ids, self._context.shop_name, translate=translate)
                pdf = io.BytesIO()
                render_cards(faces, pdf, layout="single" if chosen == single else "sheet",
                             paper_size=sheet_paper(self._context.paper_size, self._context.region))
                # the dialog asked before replacing a file; the shop's own files are refused all the same
                write_output(Path(path), pdf.getvalue(), shop=self._context.database.path, replace=True)
        except (RegularsError, OSError) as problem:
            text = error_text(problem) if isinstance(problem, RegularsError) else problem.strerror or str(problem)
            self._tell(text, warn=True)
            return
        self.changed.emit(customer_id or 0, self.tr("%n card(s) saved to %1", "", len(faces)).replace("%1", path))

    def _choose(self, balances: list[loyalty.Balance], title: str) -> loyalty.Balance | None:
        """One programme goes straight through; several are offered by number (1-9)."""
        if len(balances) == 1:
            return balances[0]
        menu = QMenu(title, self._parent)
        menu.setObjectName("programme_menu")
        heading = menu.addAction(title)  # a popup menu shows no title of its own
        heading.setEnabled(False)
        bold = QFont(heading.font())
        bold.setBold(True)
        heading.setFont(bold)
        menu.addSeparator()
        for index, balance in enumerate(balances[:9], start=1):
            action = menu.addAction(f"&{index}  {balance.program}")
            action.setData(balance.program_id)
        menu.setActiveAction(menu.actions()[2])
        chosen = menu.exec(self._menu_position())
        if chosen is None or chosen.data() is None:
            return None
        return next(b for b in balances if b.program_id == chosen.data())

    def _menu_position(self) -> QPoint:
        """On the customer's card under their balances, where the cashier is looking, the name still in
        sight (at the pointer when there is nothing to open it under)."""
        anchor = self.menu_anchor
        if anchor is None or not anchor.isVisible():
            return QCursor.pos()
        return anchor.mapToGlobal(QPoint(0, anchor.height()))

    def _nobody(self) -> None:
        self.changed.emit(0, nobody_highlighted())

    def _tell(self, text: str, *, warn: bool = False) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning if warn else QMessageBox.Icon.Information,
                          self.tr("Loyalty"), text, QMessageBox.StandardButton.Ok, self._parent)
        box.exec()

    def stamp(self) -> None:
        customer_id = self._current()
        if customer_id is None:
            self._nobody()
            return
        with self._context.database.reading() as session:
            programs = [b for b in loyalty.balances(session, customer_id) if b.status == "active"]
        if not programs:
            self._tell(self.tr("There is no active loyalty programme. Add one with: regulars loyalty programs add"))
            return
        chosen = self._choose(programs, self.tr("Stamp which card?"))
        if chosen is None:
            return
        with self._context.database.reading() as session:
            program = loyalty.get_program(session, chosen.program_id)
            needs_amount = program.kind == "points" or program.cents_per_stamp is not None
        if needs_amount:
            prompt = AmountDialog(self._context.database, chosen.program,
                                  lambda session, amount: loyalty.earn(session, customer_id, chosen.program_id, amount),
                                  self._parent)
            if prompt.exec() != QDialog.DialogCode.Accepted or prompt.balance is None:
                return
            balance = prompt.balance
        else:
            try:
                with self._context.database.writing() as session:
                    balance = loyalty.earn(session, customer_id, chosen.program_id)
            except RegularsError as problem:
                self._tell(error_text(problem), warn=True)
                return
        self.changed.emit(customer_id, self._balance_text(balance))

    def redeem(self) -> None:
        customer_id = self._current()
        if customer_id is None:
            self._nobody()
            return
        with self._context.database.reading() as session:
            due = [b for b in loyalty.balances(session, customer_id) if b.status == "active" and b.rewards_due]
        if not due:
            self._tell(self.tr("No reward is due for this customer yet."))
            return
        chosen = self._choose(due, self.tr("Redeem which reward?"))
        if chosen is None:
            return
        confirm = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Redeem reward"),
            self.tr("Give %1 now? %2 goes from %3 to %4.")
            .replace("%1", chosen.reward_description)
            .replace("%2", chosen.program)
            .replace("%3", str(chosen.balance))
            .replace("%4", str(chosen.balance - chosen.reward_at)),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self._parent,
        )
        confirm.setObjectName("confirm_redeem")
        confirm.setDefaultButton(QMessageBox.StandardButton.Yes)
        if confirm.exec() != QMessageBox.StandardButton.Yes:
            return
        try:
            with self._context.database.writing() as session:
                balance = loyalty.redeem(session, customer_id, chosen.program_id)
        except RegularsError as problem:
            self._tell(error_text(problem), warn=True)
            return
        self.changed.emit(customer_id, self.tr("Redeemed: %1. %2").replace("%1", chosen.reward_description)
                          .replace("%2", self._balance_text(balance)))

    def replace_card(self) -> None:
        customer_id = self._current()
        if customer_id is None:
            self._nobody()
            return
        with self._context.database.writing() as session:
            card = loyalty.replace_card(session, customer_id)
            code = card.code
        self.changed.emit(customer_id, self.tr("New card %1; the old one no longer works.").replace("%1", display(code)))

    def _balance_text(self, balance: loyalty.Balance) -> str:
        """"Coffee card: 7 of 10", or once the reward is reached "Coffee card: reward due — a free coffee"."""
        if balance.rewards_due > 1:
            return self.tr("%1: %2 rewards due — %3").replace("%1", balance.program).replace(
                "%2", str(balance.rewards_due)).replace("%3", balance.reward_description)
        if balance.rewards_due:
            return self.tr("%1: reward due — %2").replace("%1", balance.program).replace(
                "%2", balance.reward_description)
        return self.tr("%1: %2 of %3").replace("%1", balance.program).replace("%2", str(balance.balance)).replace(
            "%3", str(balance.reward_at))

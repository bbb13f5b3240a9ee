"""The window beside the till."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QSplitter, QWidget

from desktop.context import ShopContext
from desktop.services.customers import record_visit
from desktop.ui.customer_card import CustomerCard
from desktop.ui.customer_form import CustomerForm
from desktop.ui.loyalty_actions import LoyaltyActions
from desktop.ui.lookup_panel import LookupPanel
from desktop.ui.passphrase_dialog import PassphraseDialog


class MainWindow(QMainWindow):
    def __init__(self, context: ShopContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.setWindowTitle(self.tr("Regulars — %1").replace("%1", context.shop_name))
        self.resize(1100, 680)

        self.lookup = LookupPanel(context)
        self.card = CustomerCard(context)
        splitter = QSplitter()
        splitter.addWidget(self.lookup)
        splitter.addWidget(self.card)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        self.setCentralWidget(splitter)

        self.lookup.currentChanged.connect(lambda customer_id: self.card.show_customer(customer_id or None))
        self.lookup.openRequested.connect(self.serve_customer)
        self.lookup.newRequested.connect(lambda _text: self.new_customer())

        self.find_action = QAction(self.tr("Find customer"), self)
        self.find_action.setShortcut(QKeySequence(self.tr("F2")))
        self.find_action.triggered.connect(self.lookup.focus_search)
        self.new_action = QAction(self.tr("New customer"), self)
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_action.triggered.connect(self.new_customer)
        self.edit_action = QAction(self.tr("Edit customer"), self)
        self.edit_action.setShortcut(QKeySequence(self.tr("Ctrl+E")))
        self.edit_action.triggered.connect(self._edit_current)
        self.loyalty = LoyaltyActions(context, self._current_customer_id, self)
        self.loyalty.changed.connect(self._after_loyalty)
        self.passphrase_action = QAction(self.tr("Change passphrase…"), self)
        self.passphrase_action.triggered.connect(self.change_passphrase)
        self.quit_action = QAction(self.tr("Quit"), self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)

        menu = self.menuBar().addMenu(self.tr("&Customers"))
        for action in (self.find_action, self.new_action, self.edit_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.passphrase_action)
        menu.addSeparator()
        menu.addAction(self.quit_action)
        loyalty_menu = self.menuBar().addMenu(self.tr("&Loyalty"))
        for action in self.loyalty.actions():
            loyalty_menu.addAction(action)
        toolbar = self.addToolBar(self.tr("Customers"))
        toolbar.setObjectName("main_toolbar")
        toolbar.setMovable(False)
        toolbar.addAction(self.find_action)
        toolbar.addAction(self.new_action)
        toolbar.addSeparator()
        toolbar.addAction(self.loyalty.stamp_action)
        toolbar.addAction(self.loyalty.redeem_action)

        status = QLabel(self.tr("%1 · %2").replace("%1", context.shop_name).replace("%2", str(context.database.path)))
        self.statusBar().addPermanentWidget(status)
        self.lookup.focus_search()

    def _current_customer_id(self) -> int | None:
        match = self.lookup.current_match()
        return match.id if match else None

    def serve_customer(self, customer_id: int) -> None:
        """Enter on a result (or a scanned card): this is who is at the till now."""
        with self._context.database.writing() as session:
            record_visit(session, customer_id)
        self.card.show_customer(customer_id)
        self.lookup.search.selectAll()  # the next scan or search replaces the text

    def change_passphrase(self) -> PassphraseDialog:
        dialog = PassphraseDialog(self._context.database.path, self)
        dialog.accepted.connect(lambda: self.statusBar().showMessage(self.tr("The passphrase was changed."), 10_000))
        dialog.open()
        return dialog

    def _edit_current(self) -> None:
        customer_id = self._current_customer_id()
        if customer_id is not None:
            self.open_customer(customer_id)

    def _after_loyalty(self, customer_id: int, message: str) -> None:
        if customer_id:
            self.card.show_customer(customer_id)
        self.statusBar().showMessage(message, 10_000)

    def open_customer(self, customer_id: int) -> CustomerForm:
        form = CustomerForm(self._context, customer_id, self)
        form.saved.connect(self._after_save)
        form.finished.connect(lambda _result: self.lookup.focus_search())
        form.open()
        return form

    def new_customer(self) -> CustomerForm:
        form = CustomerForm(self._context, None, self)
        form.prefill(**self.lookup.new_customer_prefill())
        form.saved.connect(self._after_save)
        form.finished.connect(lambda _result: self.lookup.focus_search())
        form.open()
        return form

    def _after_save(self, customer_id: int) -> None:
        self.lookup.model.refresh()
        self.card.show_customer(customer_id)

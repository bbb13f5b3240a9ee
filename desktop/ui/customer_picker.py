"""Who is this for: one line that finds a customer by name, phone or email, or adds one."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, QRect, Qt, Signal
from PySide6.QtGui import QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCompleter, QHBoxLayout, QLineEdit, QPushButton, QWidget

from desktop.context import ShopContext
from desktop.errors import NotFound
from desktop.services.customers import get_customer
from desktop.services.lookup import CustomerMatch, find_customers, new_customer_fields
from desktop.services.phones import display_phone
from desktop.ui.customer_form import CustomerForm

MATCHES = 8
ID_ROLE = Qt.ItemDataRole.UserRole


def _shown(name: str, phone: str) -> str:
    return f"{name} · {phone}" if phone else name


class CustomerPicker(QWidget):
    """Emits customerChanged(customer_id) when a customer is chosen, and 0 when the choice is cleared."""

    customerChanged = Signal(int)

    def __init__(self, context: ShopContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._customer_id = 0
        self._matches: list[CustomerMatch] = []

        self.edit = QLineEdit()
        self.edit.setObjectName("customer_search")
        self.edit.setPlaceholderText(self.tr("Type a name, phone or email"))
        self.edit.setClearButtonEnabled(True)
        self.edit.setMinimumWidth(260)
        self.model = QStandardItemModel(self)
        self.completer = QCompleter(self.model, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setMaxVisibleItems(MATCHES)
        self.completer.setWidget(self.edit)  # not setCompleter: the search, not the text, decides the list
        self.completer.activated[QModelIndex].connect(self._chosen)
        self.edit.textEdited.connect(self._search)
        self.edit.installEventFilter(self)

        self.new_button = QPushButton(self.tr("New customer…"))
        self.new_button.setObjectName("picker_new_customer")
        self.new_button.setAutoDefault(False)
        self.new_button.clicked.connect(self.new_customer)

        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.new_button)
        self.setFocusProxy(self.edit)

    def customer_id(self) -> int:
        """The chosen customer, 0 for none yet."""
        return self._customer_id

    def matches(self) -> list[CustomerMatch]:
        """What the popup offers for the text typed so far."""
        return list(self._matches)

    def set_customer(self, customer_id: int | None) -> None:
        """Shows the customer as chosen (0 or None clears the choice)."""
        if not customer_id:
            self._set(0, "")
            return
        try:
            with self._context.database.reading() as session:
                customer = get_customer(session, customer_id)
                phone = customer.phones[0].e164 if customer.phones else ""
                name = customer.full_name
        except NotFound:
            self._set(0, "")
            return
        self._set(customer_id, _shown(name, display_phone(phone, self._context.region) if phone else ""))

    def choose(self, row: int) -> None:
        """Chooses one of the matches offered."""
        if 0 <= row < len(self._matches):
            match = self._matches[row]
            self._set(match.id, _shown(match.full_name, match.phone_display))

    def _set(self, customer_id: int, text: str) -> None:
        self.completer.popup().hide()
        self.edit.setText(text)
        self.edit.setCursorPosition(0)
        self._matches = []
        self.model.clear()
        if customer_id != self._customer_id:
            self._customer_id = customer_id
            self.customerChanged.emit(customer_id)

    def _search(self, text: str) -> None:
        if self._customer_id:  # typing over a chosen customer starts a new search
            self._customer_id = 0
            self.customerChanged.emit(0)
        self.model.clear()
        self._matches = []
        if not text.strip():
            self.completer.popup().hide()
            return
        with self._context.database.reading() as session:
            self._matches = find_customers(session, text, self._context.region, limit=MATCHES)
        for match in self._matches:
            item = QStandardItem(_shown(match.full_name, match.phone_display))
            item.setData(match.id, ID_ROLE)
            item.setToolTip(match.email)
            item.setEditable(False)
            self.model.appendRow(item)
        if self._matches:
            self._show_popup()
        else:
            self.completer.popup().hide()

    def _show_popup(self) -> None:
        """Under the line, as wide as the whole picker or the longest match, whichever is wider."""
        popup = self.completer.popup()
        wanted = popup.sizeHintForColumn(0) + popup.verticalScrollBar().sizeHint().width() + 12
        self.completer.complete(QRect(0, 0, max(self.width(), wanted), self.edit.height()))

    def _chosen(self, index: QModelIndex) -> None:
        customer_id = index.data(ID_ROLE)
        row = next((i for i, m in enumerate(self._matches) if m.id == customer_id), -1)
        self.choose(row)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter on a search with matches takes the first one instead of pressing the dialog's Save."""
        if (
            watched is self.edit
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not self._customer_id
            and self._matches
        ):
            self.choose(0)
            return True
        return super().eventFilter(watched, event)

    def new_customer(self) -> CustomerForm:
        """The usual customer form, started from what was typed; the new customer is chosen on save."""
        form = CustomerForm(self._context, None, self)
        if not self._customer_id:
            form.prefill(**new_customer_fields(self.edit.text()))
        form.saved.connect(self.set_customer)
        form.open()
        return form

"""The window beside the till."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QProgressDialog,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid as shiboken_valid

from desktop.context import ShopContext
from desktop.services.customers import record_visit
from desktop.services.permissions import Permission, may
from desktop.services.shop import shop_settings
from desktop.services.staff import has_staff, list_staff
from desktop.services.staff import lock as lock_till
from desktop.ui.about_dialog import AboutDialog
from desktop.ui.audit_window import AuditWindow
from desktop.ui.backup_actions import BackupActions
from desktop.ui.call_dialog import CallDialog
from desktop.ui.customer_card import CustomerCard
from desktop.ui.customer_form import CustomerForm
from desktop.ui.document_actions import DocumentActions
from desktop.ui.export_actions import ExportActions
from desktop.ui.follow_ups_panel import FollowUpsPanel
from desktop.ui.idle_watch import IdleWatch
from desktop.ui.lock_screen import LockScreen
from desktop.ui.lookup_panel import LookupPanel
from desktop.ui.messages import nobody_highlighted
from desktop.ui.loyalty_actions import LoyaltyActions
from desktop.ui.passphrase_dialog import PassphraseDialog
from desktop.ui.privacy_actions import PrivacyActions
from desktop.ui.records_window import RecordsWindow
from desktop.ui.reservation_dialog import ReservationDialog
from desktop.ui.role_names import actor_label
from desktop.ui.shop_settings_dialog import ShopSettingsDialog
from desktop.ui.signup_dialog import SignUpDialog
from desktop.ui.staff_dialog import StaffDialog
from desktop.ui.status_bar import ElidedLabel, StatusBar
from desktop.ui.sync_actions import SyncActions
from desktop.ui.warranty_dialog import WarrantyDialog


class MainWindow(QMainWindow):
    """The till: the lookup page while someone is signed in, the lock screen otherwise."""

    def __init__(self, context: ShopContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.setWindowTitle(self.tr("Regulars — %1").replace("%1", context.shop_name))
        self.resize(1100, 680)

        self.lookup = LookupPanel(context)
        self.card = CustomerCard(context)
        self.follow_ups = FollowUpsPanel(context)
        self.follow_ups.customerChosen.connect(self.lookup.highlight)
        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.addWidget(self.lookup, 1)
        left_column.addWidget(self.follow_ups)  # compact: sized to its rows
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.card)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([720, 380])  # room on the card for a long email and a reservation line
        self.till_page = splitter
        self.lock_screen = LockScreen(context)
        self.lock_screen.signedIn.connect(self._after_sign_in)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.till_page)
        self.pages.addWidget(self.lock_screen)
        self.setCentralWidget(self.pages)

        self.lookup.currentChanged.connect(lambda customer_id: self.card.show_customer(customer_id or None))
        self.card.show_customer(self._current_customer_id())  # the row highlighted before we listened
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
        self.loyalty.menu_anchor = self.card.loyalty
        self.passphrase_action = QAction(self.tr("Change passphrase…"), self)
        self.passphrase_action.triggered.connect(self.change_passphrase)
        self.backups = BackupActions(context, self)
        self.sync = SyncActions(context, self)
        self.sync.finished.connect(self._after_sync)
        self.quit_action = QAction(self.tr("Quit"), self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        self.sign_up_action = QAction(self.tr("Mailing-list sign-up…"), self)
        self.sign_up_action.setShortcut(QKeySequence(self.tr("Ctrl+Shift+N")))
        self.sign_up_action.triggered.connect(self.sign_up)
        self.log_call_action = QAction(self.tr("Log a phone call…"), self)
        self.log_call_action.setIconText(self.tr("Log call"))
        self.log_call_action.setShortcut(QKeySequence(self.tr("F8")))
        self.log_call_action.triggered.connect(self.log_call)
        self.shop_settings_action = QAction(self.tr("Shop settings…"), self)
        self.shop_settings_action.triggered.connect(self.shop_settings)
        self.reservation_action = QAction(self.tr("New reservation…"), self)
        self.reservation_action.setIconText(self.tr("Reservation"))
        self.reservation_action.setShortcut(QKeySequence(self.tr("F9")))
        self.reservation_action.triggered.connect(self.new_reservation)
        self.warranty_action = QAction(self.tr("New warranty card…"), self)
        self.warranty_action.setShortcut(QKeySequence(self.tr("F10")))
        self.warranty_action.triggered.connect(self.new_warranty)
        self.records_action = QAction(self.tr("Reservations, warranties and calls…"), self)
        self.records_action.setShortcut(QKeySequence(self.tr("Ctrl+R")))
        self.records_action.triggered.connect(self.show_records)
        self.documents = DocumentActions(context, self)
        self._records: RecordsWindow | None = None
        self.lock_action = QAction(self.tr("Lock"), self)
        self.lock_action.setObjectName("lock")
        self.lock_action.setShortcut(QKeySequence(self.tr("Ctrl+L")))
        self.lock_action.triggered.connect(self.lock)
        self.switch_staff_action = QAction(self.tr("Switch staff…"), self)
        self.switch_staff_action.setObjectName("switch_staff")
        self.switch_staff_action.triggered.connect(self.switch_staff)
        self.staff_action = QAction(self.tr("Staff…"), self)
        self.staff_action.setObjectName("staff")
        self.staff_action.triggered.connect(self.show_staff)
        self.audit_action = QAction(self.tr("Audit trail…"), self)
        self.audit_action.setObjectName("audit_trail")
        self.audit_action.triggered.connect(self.show_audit)
        self._audit: AuditWindow | None = None
        self.lookup.let_through([action for action in self.findChildren(QAction) if not action.shortcut().isEmpty()])
        self.idle = IdleWatch(self.lock_action.shortcut(), self)
        self.idle.idle.connect(self.lock)
        self.idle.lockPressed.connect(self.lock)
        self.idle_lock_ms: int | None = None  # set by tests; None: the shop's idle_lock_minutes

        menu = self.menuBar().addMenu(self.tr("&Customers"))
        for action in (self.find_action, self.new_action, self.edit_action):
            menu.addAction(action)
        self.exports = ExportActions(context, self._current_customer_id, lambda: self.lookup.model.query, self)
        menu.addMenu(self.exports.menu)
        self.privacy = PrivacyActions(context, self._current_customer_id, self)
        self.privacy.changed.connect(self._after_privacy)
        menu.addMenu(self.privacy.menu)
        menu.addSeparator()
        menu.addAction(self.passphrase_action)
        menu.addAction(self.backups.back_up_action)
        menu.addMenu(self.sync.menu)
        menu.addAction(self.shop_settings_action)
        menu.addAction(self.staff_action)
        menu.addAction(self.audit_action)
        menu.addSeparator()
        menu.addAction(self.lock_action)  # this first menu is the app's File menu: it holds Quit
        menu.addAction(self.switch_staff_action)
        menu.addSeparator()
        menu.addAction(self.quit_action)
        loyalty_menu = self.menuBar().addMenu(self.tr("&Loyalty"))
        for action in self.loyalty.actions():
            loyalty_menu.addAction(action)
        forms_menu = self.menuBar().addMenu(self.tr("&Forms"))
        forms_menu.setObjectName("forms_menu")
        forms_menu.addAction(self.sign_up_action)
        forms_menu.addAction(self.log_call_action)
        forms_menu.addSeparator()
        forms_menu.addAction(self.reservation_action)
        forms_menu.addAction(self.warranty_action)
        forms_menu.addAction(self.records_action)
        forms_menu.addSeparator()
        forms_menu.addMenu(self.documents.menu)
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        self.about_action = help_menu.addAction(self.tr("About Regulars…"), self.show_about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.toolbar = toolbar = self.addToolBar(self.tr("Customers"))
        toolbar.setObjectName("main_toolbar")
        toolbar.setMovable(False)
        toolbar.addAction(self.find_action)
        toolbar.addAction(self.new_action)
        toolbar.addSeparator()
        toolbar.addAction(self.loyalty.stamp_action)
        toolbar.addAction(self.loyalty.redeem_action)
        toolbar.addSeparator()
        toolbar.addAction(self.log_call_action)
        toolbar.addAction(self.reservation_action)

        self.setStatusBar(StatusBar(self))  # statusBar() is this StatusBar from here on
        status = ElidedLabel(self.tr("%1 · %2").replace("%1", context.shop_name).replace("%2", str(context.database.path)))
        status.setObjectName("shop_file")
        self.signed_in_label = QLabel()
        self.signed_in_label.setObjectName("signed_in")
        self.statusBar().addPermanentWidget(self.signed_in_label)
        self.statusBar().addPermanentWidget(self.backups.status_label)
        self.statusBar().addPermanentWidget(self.sync.status_label)
        self.statusBar().add_yielding_widget(status)
        self.backups.start()  # the daily backup, when a folder is set: at once, then hourly
        if context.database.acting is None:  # staff accounts exist: someone signs in with their PIN first
            self._show_lock_screen()
        else:
            self._enter_till()

    def _current_customer_id(self) -> int | None:
        match = self.lookup.current_match()
        return match.id if match else None

    # Who is working

    def _guarded_actions(self) -> list[tuple[QAction, Permission]]:
        """Every action that reaches the book, with what the acting person needs for it."""
        return [
            (self.find_action, Permission.LOOK_UP),
            (self.new_action, Permission.EDIT_CUSTOMERS),
            (self.edit_action, Permission.EDIT_CUSTOMERS),
            (self.sign_up_action, Permission.EDIT_CUSTOMERS),
            (self.loyalty.stamp_action, Permission.LOYALTY),
            (self.loyalty.redeem_action, Permission.LOYALTY),
            (self.loyalty.replace_card_action, Permission.LOYALTY),
            (self.loyalty.print_card_action, Permission.LOYALTY),
            (self.loyalty.print_new_cards_action, Permission.BULK_PRINT),
            (self.log_call_action, Permission.RECORDS),
            (self.reservation_action, Permission.RECORDS),
            (self.warranty_action, Permission.RECORDS),
            *[(action, Permission.RECORDS) for action in self.documents.actions()],
            (self.records_action, Permission.RECORDS),
            (self.sync.import_action, Permission.IMPORT),
            (self.sync.export_action, Permission.EXPORT),
            (self.sync.export_full_action, Permission.EXPORT),
            (self.sync.conflicts_action, Permission.SYNC_CONFLICTS),
            (self.exports.mailing_list_action, Permission.EXPORT),
            (self.exports.contacts_action, Permission.EXPORT),
            (self.privacy.export_action, Permission.PRIVACY),
            (self.privacy.erase_action, Permission.PRIVACY),
            (self.privacy.inactive_action, Permission.LISTS),
            (self.backups.back_up_action, Permission.BACKUP),
            (self.passphrase_action, Permission.SETTINGS),
            (self.shop_settings_action, Permission.SETTINGS),
            (self.staff_action, Permission.STAFF),
            (self.audit_action, Permission.AUDIT),
        ]

    def apply_role(self) -> None:
        """Shows and enables only what the acting person may do; while locked, everything is greyed out.

        The services refuse all the same (NotAllowed): this only keeps the window honest.
        """
        actor = self._context.database.acting
        for action, permission in self._guarded_actions():
            allowed = may(actor, permission)
            action.setEnabled(allowed)
            action.setVisible(allowed or actor is None)
        for menu in (self.exports.menu, self.privacy.menu, self.sync.menu, self.documents.menu):
            menu.menuAction().setVisible(any(action.isVisible() for action in menu.actions()))
            menu.menuAction().setEnabled(any(action.isEnabled() for action in menu.actions()))
        with self._context.database.reading() as session:
            staffed = has_staff(session)
        self.lock_action.setEnabled(actor is not None)
        self.switch_staff_action.setEnabled(actor is not None and staffed)
        self.switch_staff_action.setVisible(staffed)
        self.toolbar.setVisible(actor is not None)
        self.backups.status_label.setVisible(may(actor, Permission.BACKUP))  # "No backup yet" is for who can act on it
        self.signed_in_label.setText(actor_label(actor))

    def lock(self) -> None:
        """Ctrl+L or the idle timer: every customer leaves the screen at once, until someone signs in."""
        lock_till(self._context.database)
        self._show_lock_screen()

    def switch_staff(self) -> None:
        """Lock, with the list of names ready for the next person."""
        self.lock()
        self.lock_screen.focus_staff_list()

    def _show_lock_screen(self) -> None:
        self.idle.stop()
        self._close_customer_windows()
        self.lookup.clear()
        self.card.show_customer(None)
        self.follow_ups.clear()
        self.statusBar().clearMessage()  # "Signed up: <name>" and the like
        QApplication.clipboard().clear()  # a phone number or an email copied from the card
        self._hide_progress()
        self.lock_screen.reload()
        self.pages.setCurrentWidget(self.lock_screen)
        self.apply_role()
        self.lock_screen.focus_staff_list()

    def _close_customer_windows(self) -> None:
        """Closes and lets go of every dialog, menu and window opened from here (progress dialogs show no customer)."""
        for menu in self.findChildren(QMenu):
            if menu.isVisible():
                menu.close()
        for dialog in reversed(self.findChildren(QDialog)):  # a message box before the form that opened it
            if isinstance(dialog, QProgressDialog):
                continue
            if dialog.isVisible():
                dialog.reject()
            dialog.deleteLater()
        self._records = None
        self._audit = None

    def _hide_progress(self) -> None:
        """A backup or export still running goes on, its window out of the way of the next sign-in
        (and of its Cancel button); it comes back when someone signs in."""
        self._hidden_progress = [dialog for dialog in self.findChildren(QProgressDialog) if dialog.isVisible()]
        for dialog in self._hidden_progress:
            dialog.hide()

    def _after_sign_in(self) -> None:
        for dialog in getattr(self, "_hidden_progress", []):
            if shiboken_valid(dialog) and not dialog.wasCanceled() and dialog.value() >= dialog.minimum():
                dialog.show()
        self._hidden_progress = []
        self.pages.setCurrentWidget(self.till_page)
        self.lookup.set_query("")
        self.follow_ups.refresh()
        self._enter_till()

    def _enter_till(self) -> None:
        self.apply_role()
        self.apply_idle_lock()
        self.lookup.focus_search()

    def apply_idle_lock(self) -> None:
        """Starts counting idle time afresh, with the shop's setting (or the tests' interval)."""
        if self.idle_lock_ms is None:
            with self._context.database.reading() as session:
                minutes = shop_settings(session).idle_lock_minutes
            self.idle.set_interval_ms(minutes * 60_000)
        else:
            self.idle.set_interval_ms(self.idle_lock_ms)
        if self._context.database.acting is not None:
            self.idle.start()  # also while the interval is 0: Ctrl+L in an open dialog locks too

    def set_idle_lock_ms(self, interval_ms: int) -> None:
        """For tests: locks after this many milliseconds without input instead of the shop's minutes."""
        self.idle_lock_ms = interval_ms
        self.apply_idle_lock()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.idle.stop()  # no application-wide filter outlives the window
        self.lock_screen.wait()
        super().closeEvent(event)

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
        if customer_id is None:
            self.statusBar().showMessage(nobody_highlighted(), 10_000)
        else:
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

    def _after_sync(self, _report) -> None:
        """An import may have changed anyone on screen; an export changes only the status label."""
        if self._context.database.acting is None:  # locked meanwhile: nothing on screen to refresh
            return
        self._refresh_results()
        self.follow_ups.refresh()

    def _refresh_results(self) -> None:
        """Reads the results again, the same customer still highlighted (the first one if there was none)."""
        customer_id = self._current_customer_id()
        if customer_id is None:
            self.lookup.set_query(self.lookup.search.text())
        else:
            self.lookup.highlight(customer_id)

    def _after_privacy(self, message: str) -> None:
        """An erasure empties names and notes: whatever shows customers reads them again (not while locked)."""
        if self._context.database.acting is not None:
            self.lookup.set_query(self.lookup.search.text())
            self.card.show_customer(self._current_customer_id())
            self.follow_ups.refresh()
            if self._records is not None:
                self._records.refresh()
        if message:
            self.statusBar().showMessage(message, 15_000)

    def _after_save(self, customer_id: int) -> None:
        self.lookup.highlight(customer_id)  # the card follows the highlight

    def sign_up(self) -> SignUpDialog:
        dialog = SignUpDialog(self._context, self)
        dialog.saved.connect(self._after_sign_up)
        dialog.finished.connect(lambda _result: self.lookup.focus_search())
        dialog.open()
        return dialog

    def _after_sign_up(self, customer_id: int) -> None:
        self._after_save(customer_id)
        self.statusBar().showMessage(self.tr("Signed up: %1").replace("%1", self.card.name.text()), 10_000)

    def log_call(self) -> CallDialog:
        dialog = CallDialog(self._context, self._searched_customer_id(), self)
        dialog.saved.connect(lambda _call_id: self._after_call(dialog.customer_id))
        dialog.finished.connect(lambda _result: self.lookup.focus_search())
        dialog.open()
        return dialog

    def _after_call(self, customer_id: int | None) -> None:
        self.follow_ups.refresh()
        if customer_id:
            self._after_save(customer_id)
        if self._records is not None:
            self._records.refresh()  # it lists calls too
        self.statusBar().showMessage(self.tr("The call was logged."), 10_000)

    def shop_settings(self) -> ShopSettingsDialog:
        dialog = ShopSettingsDialog(self._context, self)
        dialog.saved.connect(lambda: self.statusBar().showMessage(self.tr("Shop settings saved."), 10_000))
        dialog.saved.connect(lambda: self.backups.check_schedule())  # a new backup folder, a new warning age
        dialog.saved.connect(self.apply_idle_lock)  # perhaps a new idle time
        dialog.finished.connect(lambda _result: self.lookup.focus_search())
        dialog.open()
        return dialog

    def _searched_customer_id(self) -> int | None:
        """The highlighted customer, when the cashier searched for them (the idle list always highlights one)."""
        return self._current_customer_id() if self.lookup.search.text().strip() else None

    def new_reservation(self) -> ReservationDialog:
        dialog = ReservationDialog(self._context, self._searched_customer_id(), self)
        dialog.saved.connect(lambda _id: self._after_record(dialog.picker.customer_id(), self.tr("Reservation saved.")))
        dialog.finished.connect(lambda _result: self.lookup.focus_search())
        dialog.open()
        return dialog

    def new_warranty(self) -> WarrantyDialog:
        dialog = WarrantyDialog(self._context, self._searched_customer_id(), self)
        dialog.saved.connect(lambda _id: self._after_record(dialog.picker.customer_id(), self.tr("Warranty card saved.")))
        dialog.finished.connect(lambda _result: self.lookup.focus_search())
        dialog.open()
        return dialog

    def _after_record(self, customer_id: int, message: str) -> None:
        if customer_id:
            self.lookup.highlight(customer_id)
        if self._records is not None:
            self._records.refresh()
        self.statusBar().showMessage(message, 10_000)

    def show_records(self) -> RecordsWindow:
        """The reservations, warranties and calls window: one, kept open beside this one."""
        if self._records is None:
            self._records = RecordsWindow(self._context, self)
        else:
            self._records.refresh()
        self._records.show()
        self._records.raise_()
        self._records.activateWindow()
        return self._records

    def _show_from_elsewhere(self, customer_id: int) -> None:
        """A customer opened from another window (the audit trail): highlighted here, this window in front."""
        self.lookup.highlight(customer_id)
        self.raise_()
        self.activateWindow()

    def show_staff(self) -> StaffDialog:
        dialog = StaffDialog(self._context, self)
        dialog.changed.connect(self._after_staff_change)
        dialog.finished.connect(lambda _result: self.lookup.focus_search())
        dialog.open()
        return dialog

    def _after_staff_change(self, staff_uuid: str) -> None:
        """A first account makes "Switch staff…" useful; the signed-in person's own new role, or their account
        turned off, takes effect at once: the window locks."""
        actor = self._context.database.acting
        if actor is not None and actor.staff_uuid == staff_uuid:
            with self._context.database.reading() as session:
                member = next((m for m in list_staff(session, include_inactive=True) if m.uuid == staff_uuid), None)
            if member is None or not member.active or member.role != actor.role:
                self.lock()
                return
        self.apply_role()

    def show_audit(self) -> AuditWindow:
        """The audit trail: one window, kept open beside this one."""
        if self._audit is None:
            self._audit = AuditWindow(self._context, self)
            self._audit.customerChosen.connect(self._show_from_elsewhere)
        else:
            self._audit.refresh()
        self._audit.show()
        self._audit.raise_()
        self._audit.activateWindow()
        return self._audit

    def show_about(self) -> AboutDialog:
        dialog = AboutDialog(self._context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

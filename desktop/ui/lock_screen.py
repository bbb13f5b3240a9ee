"""What the window shows while the till is locked: who may sign in, and nothing about any customer."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRegularExpression, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.context import ShopContext
from desktop.errors import InvalidInput, RegularsError
from desktop.models.base import utc_now
from desktop.services.staff import MAX_PIN, list_staff, sign_in, sign_in_with_passphrase
from desktop.ui.background_job import BackgroundJob
from desktop.ui.messages import FieldErrors
from desktop.ui.role_names import role_label

STAFF_ID = Qt.ItemDataRole.UserRole
PIN, PASSPHRASE = "pin", "passphrase"
PANEL_WIDTH = 380
VISIBLE_NAMES = 8


class PassphraseCheck(BackgroundJob):
    thread_name = "regulars-passphrase"


class LockScreen(QWidget):
    """Emits signedIn() once a staff member's PIN, or the shop passphrase when there are no staff, is right.

    With staff accounts it lists them and asks for a PIN; without, it asks for the shop
    passphrase (checked against the key file on a worker thread, as it takes a moment).
    """

    signedIn = Signal()

    def __init__(self, context: ShopContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lock_screen")
        self._context = context
        self._job: PassphraseCheck | None = None
        self.mode = PIN
        self.errors = FieldErrors()

        title = QLabel(self.tr("Regulars is locked"))
        title.setObjectName("lock_title")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        shop = QLabel(context.shop_name)
        shop.setTextFormat(Qt.TextFormat.PlainText)
        self.prompt = QLabel()
        self.prompt.setObjectName("lock_prompt")
        self.prompt.setWordWrap(True)

        self.staff_label = QLabel(self.tr("Who is signing in?"))
        self.staff = QListWidget()
        self.staff.setObjectName("staff_list")
        bigger = self.staff.font()
        bigger.setPointSizeF(bigger.pointSizeF() * 1.2)  # read from a step back, tapped on a touch screen
        self.staff.setFont(bigger)
        self.staff.setSpacing(2)
        self.staff.itemActivated.connect(lambda _item: self.focus_secret())
        self.staff.currentRowChanged.connect(lambda _row: self._start_over())
        self.staff.installEventFilter(self)  # a digit typed on the list starts the PIN
        self.staff_label.setBuddy(self.staff)
        staff_error = self.errors.label_for("staff", self)

        self.secret_label = QLabel()
        self.secret = QLineEdit()
        self.secret.setObjectName("secret")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setFont(bigger)
        self.secret.returnPressed.connect(self.sign_in)
        self.secret_label.setBuddy(self.secret)
        self._digits = QRegularExpressionValidator(QRegularExpression(f"[0-9]{{0,{MAX_PIN}}}"), self)
        secret_error = self.errors.label_for("secret", self)

        self.sign_in_button = QPushButton(self.tr("Sign in"))
        self.sign_in_button.setObjectName("sign_in")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self.sign_in)

        # An owner who forgot her PIN (or every owner's account locked) still gets in with the passphrase.
        self.other_way = QPushButton()
        self.other_way.setObjectName("other_way")
        self.other_way.setFlat(True)
        self.other_way.clicked.connect(self._switch_mode)

        panel = QFrame()
        panel.setObjectName("lock_panel")
        panel.setFrameShape(QFrame.Shape.StyledPanel)
        panel.setFixedWidth(PANEL_WIDTH)
        column = QVBoxLayout(panel)
        column.setContentsMargins(24, 24, 24, 24)
        column.addWidget(title)
        column.addWidget(shop)
        column.addSpacing(8)
        column.addWidget(self.prompt)
        column.addSpacing(8)
        column.addWidget(self.staff_label)
        column.addWidget(self.staff)
        column.addWidget(staff_error)
        column.addWidget(self.secret_label)
        column.addWidget(self.secret)
        column.addWidget(secret_error)
        column.addSpacing(4)
        buttons = QHBoxLayout()
        buttons.addWidget(self.other_way)
        buttons.addStretch(1)
        buttons.addWidget(self.sign_in_button)
        column.addLayout(buttons)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(panel)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)

    def reload(self) -> None:
        """Reads who may sign in; with no staff accounts, the shop passphrase is asked instead."""
        with self._context.database.reading() as session:
            staff = list_staff(session)
        now = utc_now()
        self.staff.blockSignals(True)
        self.staff.clear()
        for member in staff:
            text = self.tr("%1 — %2").replace("%1", member.name).replace("%2", role_label(member.role))
            if member.locked_until is not None and member.locked_until > now:
                text = self.tr("%1 (locked for now)").replace("%1", text)
            item = QListWidgetItem(text)
            item.setData(STAFF_ID, member.id)
            self.staff.addItem(item)
        if staff:
            self.staff.setCurrentRow(0)
        self.staff.blockSignals(False)
        self._fit_list(len(staff))
        self._show_mode(PIN if staff else PASSPHRASE)

    def _switch_mode(self) -> None:
        self._show_mode(PASSPHRASE if self.mode == PIN else PIN)
        self.focus_secret()

    def _show_mode(self, mode: str) -> None:
        has_staff = self.staff.count() > 0
        self.mode = mode if has_staff else PASSPHRASE
        pin = self.mode == PIN
        self.other_way.setVisible(has_staff)
        self.other_way.setText(self.tr("Use the shop passphrase") if pin else self.tr("Use a PIN"))
        self.staff_label.setVisible(pin)
        self.staff.setVisible(pin)
        self.prompt.setText(
            self.tr("Choose your name and type your PIN.")
            if pin
            else self.tr("Type the shop's passphrase to go on working as the owner.")
        )
        self.secret_label.setText(self.tr("&PIN") if pin else self.tr("Shop &passphrase"))
        self.secret.setValidator(self._digits if pin else None)
        self.secret.setMaxLength(MAX_PIN if pin else 32767)
        self.secret.setPlaceholderText(self.tr("Digits only") if pin else "")
        self._start_over()

    def _fit_list(self, rows: int) -> None:
        """As tall as its names, up to VISIBLE_NAMES; more scroll."""
        row_height = max(self.staff.sizeHintForRow(0), self.staff.fontMetrics().height() + 4) + 2 * self.staff.spacing()
        shown = max(2, min(rows, VISIBLE_NAMES))
        self.staff.setFixedHeight(shown * row_height + 2 * self.staff.frameWidth() + 4)

    def focus_staff_list(self) -> None:
        """The quick switch: the next person picks their name."""
        if self.mode == PIN and self.staff.count() > 1:
            self.staff.setFocus()
        else:
            self.focus_secret()

    def focus_secret(self) -> None:
        self.secret.setFocus()
        self.secret.selectAll()

    def chosen_staff(self) -> int | None:
        item = self.staff.currentItem()
        return item.data(STAFF_ID) if item is not None else None

    def choose(self, staff_id: int) -> None:
        for row in range(self.staff.count()):
            if self.staff.item(row).data(STAFF_ID) == staff_id:
                self.staff.setCurrentRow(row)
                return

    def checking(self) -> bool:
        """A passphrase is being checked on the worker thread."""
        return self._job is not None and self._job.running()

    def sign_in(self) -> None:
        if self.checking():
            return
        self.errors.clear()
        if self.mode == PASSPHRASE:
            self._check_passphrase(self.secret.text())
            return
        staff_id = self.chosen_staff()
        if staff_id is None:
            self.errors.say("staff", self.tr("Choose your name in the list."))
            self.staff.setFocus()
            return
        try:
            sign_in(self._context.database, staff_id, self.secret.text())
        except RegularsError as refused:  # a wrong PIN, an account locked or turned off
            self.reload_keeping(staff_id, refused)
            return
        self._signed_in()

    def reload_keeping(self, staff_id: int, refused: RegularsError) -> None:
        """The list again (an account may just have locked), with the same person chosen and the message kept."""
        self.reload()
        self.choose(staff_id)
        self._refuse(refused)

    def _check_passphrase(self, passphrase: str) -> None:
        database = self._context.database
        job = PassphraseCheck(lambda _progress, _cancelled: sign_in_with_passphrase(database, passphrase))
        job.succeeded.connect(lambda _actor: self._after_check(None))
        job.failed.connect(self._after_check)
        self._job = job
        self._busy(True)
        job.start()

    def _after_check(self, error: BaseException | None) -> None:
        self._busy(False)
        if error is None:
            self._signed_in()
        elif isinstance(error, RegularsError):
            self._refuse(error)
        else:  # no exception text: it could hold a path
            text = self.tr("The passphrase could not be checked (%1).").replace("%1", type(error).__name__)
            self.errors.say("secret", text)

    def _busy(self, busy: bool) -> None:
        self.secret.setEnabled(not busy)
        self.sign_in_button.setEnabled(not busy)
        self.sign_in_button.setText(self.tr("Checking…") if busy else self.tr("Sign in"))
        if busy:
            QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        else:
            QGuiApplication.restoreOverrideCursor()
            self.focus_secret()

    def _refuse(self, refused: RegularsError) -> None:
        self.errors.show(InvalidInput({"secret": refused.problem}))
        self.secret.clear()
        self.secret.setFocus()

    def _signed_in(self) -> None:
        self.secret.clear()
        self.errors.clear()
        self.signedIn.emit()

    def _start_over(self) -> None:
        self.secret.clear()
        self.errors.clear()

    def wait(self) -> None:
        """Waits for a passphrase check still running (the window is closing)."""
        if self._job is not None:
            self._job.wait()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.staff
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and len(event.text()) == 1
            and event.text() in "0123456789"
        ):
            self.secret.setFocus()
            self.secret.insert(event.text())
            return True
        return super().eventFilter(watched, event)

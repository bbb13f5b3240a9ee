"""The shop's settings: what documents print about the shop, and the lists the forms offer."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPalette, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.context import ShopContext
from desktop.errors import InvalidInput, RegularsError
from desktop.services.choices import (
    CALL_REASON,
    HEARD_FROM,
    add_choice,
    choice_labels,
    retire_choice,
)
from desktop.services.erasure import RETENTION_YEARS, set_retention_years
from desktop.services.privacy_notice import current_notice, publish_notice
from desktop.services.shop import (
    PAPER_SIZES,
    PrintedDetails,
    shop_settings,
    update_printed_details,
)
from desktop.services.staff import IDLE_LOCK_RANGE, set_idle_lock_minutes
from desktop.ui.backup_settings import BackupSettingsPage
from desktop.ui.form_parts import save_cancel_buttons
from desktop.ui.messages import FieldErrors, error_text, translate
from desktop.ui.privacy_actions import years_suffix

LOGO_PREVIEW = (180, 80)


def _muted(label: QLabel) -> None:
    """A hint: readable, yet quieter than the fields' labels (follows light and dark themes)."""
    palette = label.palette()
    text, window = palette.color(QPalette.ColorRole.WindowText), palette.color(QPalette.ColorRole.Window)
    mixed = QColor(
        (text.red() * 3 + window.red() * 2) // 5,
        (text.green() * 3 + window.green() * 2) // 5,
        (text.blue() * 3 + window.blue() * 2) // 5,
    )
    palette.setColor(QPalette.ColorRole.WindowText, mixed)
    label.setPalette(palette)


class ChoiceListEditor(QGroupBox):
    """One shop list: entries shown translated; Add and Remove are saved at once."""

    changed = Signal()

    def __init__(self, context: ShopContext, list_name: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self._context = context
        self.list_name = list_name
        self.setObjectName(f"list_{list_name}")
        self.errors = FieldErrors()
        self.entries = QListWidget()
        self.entries.setObjectName(f"entries_{list_name}")
        self.new_label = QLineEdit()
        self.new_label.setObjectName(f"new_{list_name}")
        self.new_label.setPlaceholderText(self.tr("New entry"))
        self.new_label.installEventFilter(self)  # Enter adds, rather than closing the dialog
        self.add_button = QPushButton(self.tr("Add"))
        self.add_button.setObjectName(f"add_{list_name}")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(lambda: self.add())
        self.remove_button = QPushButton(self.tr("Remove selected"))
        self.remove_button.setObjectName(f"remove_{list_name}")
        self.remove_button.setAutoDefault(False)
        self.remove_button.clicked.connect(self.remove_selected)
        self.remove_button.setEnabled(False)
        self.entries.currentRowChanged.connect(lambda row: self.remove_button.setEnabled(row >= 0))

        add_row = QHBoxLayout()
        add_row.addWidget(self.new_label, 1)
        add_row.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.entries, 1)
        layout.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addLayout(add_row)
        layout.addWidget(self.errors.label_for("label", self))
        self.reload()

    def reload(self) -> None:
        with self._context.database.reading() as session:
            labels = choice_labels(session, self.list_name)
        self.entries.clear()
        for label in labels:
            item = QListWidgetItem(translate(label))
            item.setData(Qt.ItemDataRole.UserRole, label)
            self.entries.addItem(item)

    def labels(self) -> list[str]:
        """The stored labels, as listed."""
        return [self.entries.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.entries.count())]

    def add(self, text: str | None = None) -> None:
        self._run(lambda session: add_choice(session, self.list_name, self.new_label.text() if text is None else text))
        if not self.errors.text_of("label"):
            self.new_label.clear()
            self.entries.setCurrentRow(self.entries.count() - 1)
        self.new_label.setFocus()

    def remove_selected(self) -> None:
        item = self.entries.currentItem()
        if item is not None:
            label = item.data(Qt.ItemDataRole.UserRole)
            self._run(lambda session: retire_choice(session, self.list_name, label))

    def _run(self, change) -> None:
        self.errors.clear()
        try:
            with self._context.database.writing() as session:
                change(session)
        except InvalidInput as problems:
            if self.errors.show(problems):  # a problem not about the label: show it there all the same
                self.errors.show(InvalidInput({"label": next(iter(problems.problems.values()))}))
            return
        except RegularsError as error:
            self.errors.show(InvalidInput({"label": error.problem}))
            return
        self.reload()
        self.changed.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.new_label
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.add()
            return True
        return super().eventFilter(watched, event)


class ShopSettingsDialog(QDialog):
    """Emits saved() once the printing details are written (the lists save as they change)."""

    saved = Signal()

    def __init__(self, context: ShopContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.errors = FieldErrors()
        self.setWindowTitle(self.tr("Shop settings"))
        self.setMinimumWidth(560)
        with context.database.reading() as session:
            shop = shop_settings(session)
            paper, contact, self._logo = shop.paper_size, shop.contact_line, shop.logo_png
            idle_minutes = shop.idle_lock_minutes
            self._retention_years = shop.retention_years
            notice = current_notice(session)
            self._notice_text, notice_version = notice.text, notice.version

        self.paper_size = QComboBox()
        self.paper_size.setObjectName("paper_size")
        names = {"A4": self.tr("A4 (210 × 297 mm)"), "Letter": self.tr("Letter (8.5 × 11 in)"),
                 "80mm": self.tr("Receipt roll, 80 mm (slips and certificates; forms on A4 or Letter)"),
                 "58mm": self.tr("Receipt roll, 58 mm (slips and certificates; forms on A4 or Letter)")}
        for size in PAPER_SIZES:
            self.paper_size.addItem(names.get(size, size), size)
        self.paper_size.setCurrentIndex(max(0, self.paper_size.findData(paper)))
        self.contact_line = QLineEdit(contact)
        self.contact_line.setObjectName("contact_line")
        self.contact_line.setPlaceholderText(self.tr("Address, phone, website"))

        self.logo_preview = QLabel()
        self.logo_preview.setObjectName("logo_preview")
        self.logo_preview.setFixedSize(*LOGO_PREVIEW)
        self.logo_preview.setFrameShape(QFrame.Shape.StyledPanel)
        self.logo_preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.choose_logo_button = QPushButton(self.tr("Choose…"))
        self.choose_logo_button.setObjectName("choose_logo")
        self.choose_logo_button.setAutoDefault(False)
        self.choose_logo_button.clicked.connect(self._pick_logo)
        self.remove_logo_button = QPushButton(self.tr("Remove"))
        self.remove_logo_button.setObjectName("remove_logo")
        self.remove_logo_button.setAutoDefault(False)
        self.remove_logo_button.clicked.connect(self.remove_logo)
        logo_buttons = QVBoxLayout()
        logo_buttons.addWidget(self.choose_logo_button)
        logo_buttons.addWidget(self.remove_logo_button)
        logo_buttons.addStretch(1)
        logo_row = QWidget()
        logo_layout = QHBoxLayout(logo_row)
        logo_layout.setContentsMargins(0, 0, 0, 0)
        logo_layout.addWidget(self.logo_preview, 0, Qt.AlignmentFlag.AlignTop)
        logo_layout.addLayout(logo_buttons)
        logo_layout.addStretch(1)

        printing_form = QFormLayout()
        self.errors.add_row(printing_form, "paper_size", self.tr("Paper size"), self.paper_size)
        self.errors.add_row(printing_form, "contact_line", self.tr("Contact line"), self.contact_line)
        contact_hint = QLabel(self.tr("Printed under the shop's name on reservations, warranties and cards."))
        contact_hint.setWordWrap(True)
        _muted(contact_hint)
        printing_form.addRow("", contact_hint)
        self.errors.add_row(printing_form, "logo", self.tr("Logo"), logo_row)
        logo_hint = QLabel(self.tr("A PNG or JPEG picture, at most 2 MB."))
        _muted(logo_hint)
        printing_form.addRow("", logo_hint)
        printing = QWidget()
        printing_layout = QVBoxLayout(printing)
        printing_layout.addLayout(printing_form)
        printing_layout.addStretch(1)

        self.reasons = ChoiceListEditor(context, CALL_REASON, self.tr("Reasons for calls"))
        self.heard_from = ChoiceListEditor(context, HEARD_FROM, self.tr("How customers heard about us"))
        lists_row = QHBoxLayout()
        lists_row.addWidget(self.reasons)
        lists_row.addWidget(self.heard_from)
        lists_note = QLabel(
            self.tr("Entries are added and removed at once. Records that used a removed entry keep it.")
        )
        lists_note.setWordWrap(True)
        _muted(lists_note)
        lists = QWidget()
        lists_layout = QVBoxLayout(lists)
        lists_layout.addLayout(lists_row, 1)
        lists_layout.addWidget(lists_note)

        self.tabs = QTabWidget()
        self.tabs.addTab(printing, self.tr("Printing"))
        self.tabs.addTab(lists, self.tr("Lists"))
        self.backups = BackupSettingsPage(context)
        self.tabs.addTab(self.backups, self.tr("Backups"))
        self.staff_page = self._staff_page(idle_minutes)
        self.tabs.addTab(self.staff_page, self.tr("Staff"))
        self.privacy_page = self._privacy_page(notice_version)
        self.tabs.addTab(self.privacy_page, self.tr("Privacy"))

        buttons, self.save_button = save_cancel_buttons(self, self.save)

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        self.form_error = self.errors.label_for("form", self)
        layout.addWidget(self.form_error)
        layout.addWidget(buttons)
        self._show_logo()

    def _staff_page(self, idle_minutes: int) -> QWidget:
        self.idle_lock = QSpinBox()
        self.idle_lock.setObjectName("idle_lock_minutes")
        self.idle_lock.setRange(*IDLE_LOCK_RANGE)
        self.idle_lock.setSuffix(self.tr(" minutes"))
        self.idle_lock.setSpecialValueText(self.tr("Never"))
        self.idle_lock.setValue(idle_minutes)
        form = QFormLayout()
        self.errors.add_row(form, "idle_lock_minutes", self.tr("Lock after"), self.idle_lock)
        hint = QLabel(
            self.tr("With no key pressed and no mouse moved for this long, the window locks and shows no customer "
                    "until someone signs in again with their PIN (or, with no staff accounts, the shop passphrase). "
                    "Ctrl+L locks at once.")
        )
        hint.setWordWrap(True)
        _muted(hint)
        form.addRow("", hint)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addLayout(form)
        layout.addStretch(1)
        return page

    def _privacy_page(self, version: int) -> QWidget:
        self.notice = QPlainTextEdit(self._notice_text)
        self.notice.setObjectName("notice")
        self.notice_version = QLabel(
            self.tr("Version %1 is in use. Saving a changed text publishes version %2: sign-up forms and paper "
                    "forms show it from then on, and each consent keeps the version the customer saw.")
            .replace("%1", str(version)).replace("%2", str(version + 1))
        )  # fmt: skip
        self.notice_version.setObjectName("notice_version")
        self.notice_version.setWordWrap(True)
        _muted(self.notice_version)
        form = QFormLayout()
        self.errors.add_row(form, "notice", self.tr("Privacy notice"), self.notice)
        form.addRow("", self.notice_version)
        self.retention_years = QSpinBox()
        self.retention_years.setObjectName("retention_years")
        self.retention_years.setRange(*RETENTION_YEARS)
        self.retention_years.setValue(self._retention_years)
        self.retention_years.setSuffix(years_suffix(self._retention_years))
        self.retention_years.valueChanged.connect(lambda years: self.retention_years.setSuffix(years_suffix(years)))
        self.errors.add_row(form, "retention_years", self.tr("Review customers inactive for"), self.retention_years)
        retention_hint = QLabel(
            self.tr("Customers with no visit, stamp, reservation, warranty or call for this long are listed under "
                    "Customers → Privacy → Inactive customers, for you to anonymise. The notice above tells "
                    "customers how long you keep their details: change both together.")
        )  # fmt: skip
        retention_hint.setWordWrap(True)
        _muted(retention_hint)
        form.addRow("", retention_hint)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addLayout(form, 1)
        return page

    # The logo

    def _pick_logo(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Choose the shop's logo"), "", self.tr("Pictures (*.png *.jpg *.jpeg);;All files (*)")
        )
        if path:
            self.choose_logo(path)

    def choose_logo(self, path: str | Path) -> None:
        """Takes the file's bytes; the service says on Save whether they are a usable picture."""
        self.errors.clear(["logo"])
        try:
            self._logo = Path(path).read_bytes()
        except OSError as problem:
            self._field_error("logo", problem.strerror or str(problem))
            return
        self._show_logo()

    def remove_logo(self) -> None:
        self.errors.clear(["logo"])
        self._logo = None
        self._show_logo()

    def logo(self) -> bytes | None:
        return self._logo

    def _show_logo(self) -> None:
        self.remove_logo_button.setEnabled(self._logo is not None)
        if self._logo is None:
            self.logo_preview.setPixmap(QPixmap())
            self.logo_preview.setText(self.tr("No logo"))
            return
        picture = QPixmap()
        if picture.loadFromData(self._logo):
            self.logo_preview.setPixmap(
                picture.scaled(self.logo_preview.size() * 0.9, Qt.AspectRatioMode.KeepAspectRatio,
                               Qt.TransformationMode.SmoothTransformation)
            )
        else:
            self.logo_preview.setPixmap(QPixmap())
            self.logo_preview.setText(self.tr("No preview"))

    def _field_error(self, field: str, text: str) -> None:
        label = self.findChild(QLabel, f"error_{field}")
        label.setText(text)
        label.show()

    # Saving

    def printed_details(self) -> PrintedDetails:
        return PrintedDetails(
            paper_size=self.paper_size.currentData(), contact_line=self.contact_line.text(), logo=self._logo
        )

    def save(self) -> None:
        self.errors.clear()
        if not self.backups.save():  # it shows its own field errors
            self.tabs.setCurrentWidget(self.backups)
            return
        try:
            with self._context.database.writing() as session:
                shop = update_printed_details(session, self.printed_details())
                paper = shop.paper_size
                set_idle_lock_minutes(session, self.idle_lock.value())
                set_retention_years(session, self.retention_years.value())
                if self.notice.toPlainText().strip() != self._notice_text.strip():
                    publish_notice(session, self.notice.toPlainText())
        except InvalidInput as problems:
            pages = {"idle_lock_minutes": self.staff_page, "notice": self.privacy_page,
                     "retention_years": self.privacy_page}
            self.tabs.setCurrentWidget(pages.get(problems.field, self.tabs.widget(0)))
            if self.errors.show(problems):
                self.form_error.setText(error_text(problems))
                self.form_error.show()
            return
        except RegularsError as error:
            self.form_error.setText(error_text(error))
            self.form_error.show()
            return
        self._context.paper_size = paper
        self.saved.emit()
        self.accept()

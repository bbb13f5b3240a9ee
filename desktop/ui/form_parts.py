"""Small pieces the data-entry dialogs build their forms from, and the way they save them."""

from __future__ import annotations

from typing import Callable, Mapping, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from desktop.db.engine import ShopDatabase
from desktop.errors import InvalidInput, RegularsError
from desktop.ui.messages import FieldErrors, show_error

Saved = TypeVar("Saved")


def left_aligned(*widgets: QWidget) -> QWidget:
    """The widgets side by side at their own width, for a form row that should not stretch."""
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        row.addWidget(widget)
    row.addStretch(1)
    return holder


def text_box(name: str, placeholder: str = "") -> QPlainTextEdit:
    """A few lines of free text (notes, a problem); Tab moves on rather than typing a tab."""
    box = QPlainTextEdit()
    box.setObjectName(name)
    if placeholder:
        box.setPlaceholderText(placeholder)
    box.setFixedHeight(64)
    box.setTabChangesFocus(True)
    return box


def save_shortcuts(dialog: QDialog, save: Callable[[], object]) -> None:
    """Ctrl+Enter saves from anywhere in the dialog (Escape cancels, as in every dialog)."""
    for keys in ("Ctrl+Return", "Ctrl+Enter"):
        shortcut = QShortcut(QKeySequence(keys), dialog)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(save)


def save_cancel_buttons(dialog: QDialog, save: Callable[[], object]) -> tuple[QDialogButtonBox, QPushButton]:
    """Save (calling save, or Ctrl+Enter) and Cancel (rejecting the dialog); the box and its Save button."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
    save_shortcuts(dialog, save)
    buttons.accepted.connect(save)
    buttons.rejected.connect(dialog.reject)
    return buttons, buttons.button(QDialogButtonBox.StandardButton.Save)


def form_page(form: QFormLayout, form_error: QLabel, buttons: QDialogButtonBox) -> QWidget:
    """A form, its form-wide error line and its buttons at the foot, as one page of a stack."""
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addLayout(form)
    layout.addWidget(form_error)
    layout.addStretch(1)
    layout.addWidget(buttons)
    return page


def page_stack(dialog: QDialog, *pages: QWidget) -> QStackedWidget:
    """The dialog's whole content: its pages one at a time, the first showing."""
    stack = QStackedWidget()
    for page in pages:
        stack.addWidget(page)
    layout = QVBoxLayout(dialog)
    layout.addWidget(stack)
    return stack


def write_form(
    dialog: QDialog,
    database: ShopDatabase,
    errors: FieldErrors,
    form_error: QLabel,
    write: Callable[[Session], Saved],
    fields: Mapping[str, QWidget] | None = None,
) -> Saved | None:
    """What write returns from a write transaction, or None after showing why nothing was saved.

    Each problem with bad input goes under its field (those without one on form_error) and
    the first problem's field in fields takes the focus; any other refusal goes on form_error.
    """
    errors.clear()
    try:
        with database.writing() as session:
            return write(session)
    except InvalidInput as problems:
        if errors.show(problems):
            show_error(form_error, problems)
        target = (fields or {}).get(next(iter(problems.problems)))
        if target is not None:
            target.setFocus()
        dialog.adjustSize()  # room for the error lines
    except RegularsError as error:
        show_error(form_error, error)
    return None

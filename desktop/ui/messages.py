"""Turning domain errors into text a person reads, in their language."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import TRANSLATION_CONTEXT, InvalidInput, Problem, RegularsError


def translate(template: str) -> str:
    return QCoreApplication.translate(TRANSLATION_CONTEXT, template)


def nobody_highlighted() -> str:
    """Why a key that acts on the highlighted customer did nothing."""
    return QCoreApplication.translate("Till", "No customer is highlighted: find one first (F2), then press the key again.")


def problem_text(problem: Problem) -> str:
    return problem.text(translate)


def error_text(error: RegularsError) -> str:
    return error.text(translate)


def show_error(label: QLabel, error: RegularsError) -> None:
    """The error's text on a form-wide error line, shown."""
    label.setText(error_text(error))
    label.show()


class FieldErrors:
    """A red line under each field; a service's InvalidInput fills them by field name."""

    def __init__(self) -> None:
        self._labels: dict[str, QLabel] = {}

    def label_for(self, field: str, parent: QWidget | None = None) -> QLabel:
        label = QLabel(parent)
        label.setObjectName(f"error_{field}")
        label.setStyleSheet("color: #b00020;")
        label.setWordWrap(True)
        label.hide()
        self._labels[field] = label
        return label

    def add_row(self, form: QFormLayout, field: str, label: str, widget: QWidget) -> None:
        """A form row: the widget with its error line right under it."""
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        column.addWidget(widget)
        column.addWidget(self.label_for(field, holder))
        form.addRow(label, holder)
        self.clear_when_edited(field, widget)

    def clear_when_edited(self, field: str, widget: QWidget) -> None:
        """The field's error goes as soon as the person changes what it was about (the save checks again)."""
        for part in [widget, *widget.findChildren(QWidget)]:
            for signal in _change_signals(part):
                signal.connect(lambda *_args, name=field: self.clear([name]))

    def clear(self, fields: list[str] | None = None) -> None:
        for name, label in self._labels.items():
            if fields is None or name in fields:
                label.clear()
                label.hide()

    def show(self, error: InvalidInput, only: set[str] | None = None) -> list[str]:
        """Shows each problem under its field; returns the fields that had no label."""
        unplaced = []
        for field, problem in error.problems.items():
            if only is not None and field not in only:
                continue
            label = self._labels.get(field)
            if label is None:
                unplaced.append(field)
                continue
            label.setText(problem_text(problem))
            label.show()
        return unplaced

    def say(self, field: str, text: str) -> None:
        """A problem the window finds itself (two PINs that differ, say), under its field."""
        label = self._labels[field]
        label.setText(text)
        label.show()

    def any_shown(self) -> bool:
        return any(not label.isHidden() for label in self._labels.values())

    def keep_only(self, fields: set[str]) -> None:
        """Hides every field error but those of fields (the form-wide line stays as it is)."""
        self.clear([name for name in self._labels if name not in fields and name != "form"])

    def text_of(self, field: str) -> str:
        label = self._labels.get(field)
        return label.text() if label is not None and not label.isHidden() else ""


def _change_signals(widget: QWidget) -> list:
    """The signals by which an input widget says its value changed."""
    if isinstance(widget, QLineEdit):
        return [widget.textChanged]
    if isinstance(widget, QPlainTextEdit):
        return [widget.textChanged]
    if isinstance(widget, QComboBox):
        return [widget.currentIndexChanged, widget.editTextChanged]
    if isinstance(widget, QDateEdit):
        return [widget.dateChanged]
    if isinstance(widget, QSpinBox):
        return [widget.valueChanged]
    if isinstance(widget, QAbstractButton) and widget.isCheckable():
        return [widget.toggled]
    return []

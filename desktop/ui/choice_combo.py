"""A drop-down of one of the shop's editable lists (call reasons, how people heard of the shop)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget

from desktop.ui.messages import translate


class ChoiceCombo(QComboBox):
    """One of the shop's lists, shown translated; the stored label travels as item data.

    Editable, it also takes free text: what reads like an entry becomes that entry's label.
    """

    def __init__(self, labels: list[str], *, editable: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(editable)
        if editable:
            self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            completer = QCompleter(self.model(), self)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
            self.setCompleter(completer)
        self.set_labels(labels)

    def set_labels(self, labels: list[str]) -> None:
        self.clear()
        for label in labels:
            self.addItem(translate(label), label)
        if self.isEditable():
            self.setCurrentIndex(-1)
            self.setEditText("")

    def labels(self) -> list[str]:
        """The stored labels, in the order shown."""
        return [self.itemData(i) for i in range(self.count())]

    def chosen_label(self) -> str:
        if not self.isEditable():
            return self.currentData() or ""
        text = self.currentText().strip()
        index = self.findText(text, Qt.MatchFlag.MatchFixedString)  # case-insensitive
        return self.itemData(index) if index >= 0 and text else text

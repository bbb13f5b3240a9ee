"""The page a dialog turns to once its record is saved: what was saved, and the document to hand over."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.ui.document_output import Document, DocumentOutput


class DocumentReadyPage(QWidget):
    """A title, optionally a big code to read out, a hint, then Print…, Save as PDF… and Close.

    document() makes the PDF (None when it cannot be, having said why); Print previews it and
    Save as PDF writes it through output. Close is the owner's to connect. name ("slip",
    "certificate") names the buttons print_<name> and save_<name>.
    """

    def __init__(
        self,
        output: DocumentOutput,
        document: Callable[[], Document | None],
        *,
        name: str,
        hint: str,
        print_text: str,
        save_text: str,
        with_code: bool = False,
        title_scale: float = 1.0,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._output = output
        self._document = document
        self.title = QLabel()
        self.title.setObjectName("done_title")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setWordWrap(True)
        if title_scale != 1.0:
            font = self.title.font()
            font.setPointSizeF(font.pointSizeF() * title_scale)
            self.title.setFont(font)
        self.code: QLabel | None = None
        if with_code:
            self.code = QLabel()
            self.code.setObjectName("reference")
            self.code.setTextFormat(Qt.TextFormat.PlainText)
            self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            font = self.code.font()
            font.setPointSizeF(font.pointSizeF() * 2.2)
            font.setBold(True)
            self.code.setFont(font)
        hint_label = QLabel(hint)
        hint_label.setWordWrap(True)
        self.print_button = QPushButton(print_text)
        self.print_button.setObjectName(f"print_{name}")
        self.print_button.clicked.connect(self.print_document)
        self.save_pdf_button = QPushButton(save_text)
        self.save_pdf_button.setObjectName(f"save_{name}")
        self.save_pdf_button.setAutoDefault(False)
        self.save_pdf_button.clicked.connect(self.save_document)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setObjectName("close")
        self.close_button.setAutoDefault(False)
        row = QHBoxLayout()
        row.addWidget(self.print_button)
        row.addWidget(self.save_pdf_button)
        row.addStretch(1)
        row.addWidget(self.close_button)
        column = QVBoxLayout(self)
        column.addWidget(self.title)
        column.addSpacing(8)
        if self.code is not None:
            column.addWidget(self.code)
            column.addSpacing(8)
        column.addWidget(hint_label)
        column.addStretch(1)
        column.addLayout(row)

    def show_saved(self, title: str, code: str = "") -> None:
        """Fills the page in and makes Print the default; call once the page is on screen."""
        self.title.setText(title)
        if self.code is not None:
            self.code.setText(code)
        self.print_button.setDefault(True)
        self.print_button.setFocus()

    def print_document(self) -> None:
        document = self._document()
        if document is not None:
            self._output.preview(document)

    def save_document(self) -> None:
        document = self._document()
        if document is not None:
            self._output.save_pdf(document)

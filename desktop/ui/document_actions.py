"""Blank paper forms for the counter: printed from the Forms menu, filled in by hand."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtPrintSupport import QPrintPreviewDialog
from PySide6.QtWidgets import QMenu, QWidget

from desktop.context import ShopContext
from desktop.services import documents
from desktop.ui.document_output import Document, DocumentOutput
from desktop.ui.messages import translate


class DocumentActions(QObject):
    """One action per blank form; each opens the print preview (which can also save the PDF)."""

    def __init__(self, context: ShopContext, parent: QWidget) -> None:
        super().__init__(parent)
        self._context = context
        self.output = DocumentOutput(parent)
        names = {
            "signup": self.tr("Sign-up form"),
            "reservation": self.tr("Reservation form"),
            "warranty": self.tr("Warranty form"),
            "inquiry": self.tr("Phone inquiry form"),
        }
        self.menu = QMenu(self.tr("Print blank form"), parent)
        self.menu.setObjectName("blank_forms")
        self.form_actions: dict[str, QAction] = {}
        for kind in documents.FORM_NAMES:
            action = QAction(names.get(kind, translate(documents.FORM_NAMES[kind])) + "…", parent)
            action.setObjectName(f"blank_{kind}")
            action.triggered.connect(lambda _checked=False, kind=kind: self.preview_form(kind))
            self.form_actions[kind] = action
            self.menu.addAction(action)

    def actions(self) -> list[QAction]:
        return list(self.form_actions.values())

    def blank_form(self, kind: str) -> Document | None:
        """The blank form of this kind (one of documents.FORM_NAMES) as a PDF, in the shop's language."""
        title = translate(documents.FORM_NAMES[kind])
        return self.output.make(
            self._context,
            lambda session, out: documents.print_blank_form(session, kind, out, translate=translate),
            title,
            f"{kind}-form.pdf",
        )

    def preview_form(self, kind: str) -> QPrintPreviewDialog | None:
        document = self.blank_form(kind)
        return self.output.preview(document) if document is not None else None

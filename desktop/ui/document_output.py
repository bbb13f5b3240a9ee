"""Printing the shop's PDFs from the window: a preview with a Print button, or a saved file.

The services write every document as a PDF (the same page the command line saves); here
each page is rasterised with pypdfium2 and painted onto whatever printer Qt offers, so no
PDF viewer is needed at the till.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable

import pypdfium2 as pdfium
from PySide6.QtCore import QCoreApplication, QMarginsF, QObject, QRect, QSizeF, Qt
from PySide6.QtGui import QAction, QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QFileDialog, QMessageBox, QToolBar, QWidget
from sqlalchemy.orm import Session

from desktop.context import ShopContext
from desktop.errors import RegularsError
from desktop.output_files import write_output
from desktop.ui.messages import error_text

MAX_DPI = 300  # sharp enough for a laser printer; more only fills the spooler
POINTS_PER_INCH = 72


@dataclass(frozen=True)
class Document:
    """A rendered PDF and how to name it to a person."""

    pdf: bytes
    title: str
    file_name: str
    shop: Path | None = None  # the shop file it came from: saving over the shop's own files is refused


def _tr(text: str) -> str:
    return QCoreApplication.translate("DocumentOutput", text)


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """Each page's (width, height) in points."""
    document = pdfium.PdfDocument(pdf)
    try:
        return [document[i].get_size() for i in range(len(document))]
    finally:
        document.close()


def _page_image(page: pdfium.PdfPage, dpi: float) -> QImage:
    bitmap = page.render(scale=dpi / POINTS_PER_INCH, rev_byteorder=True, prefer_bgrx=True)
    try:
        image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride, QImage.Format.Format_RGBX8888)
        return image.copy()  # the bitmap's memory goes when it is closed
    finally:
        bitmap.close()


def _fit(width: float, height: float, target: QRect) -> QRect:
    """The largest rectangle of this aspect ratio centred in target."""
    scale = min(target.width() / width, target.height() / height)
    fitted_width, fitted_height = round(width * scale), round(height * scale)
    return QRect(
        target.x() + (target.width() - fitted_width) // 2,
        target.y() + (target.height() - fitted_height) // 2,
        fitted_width,
        fitted_height,
    )


def paint_pdf(pdf: bytes, printer: QPrinter) -> int:
    """Paints every page of the PDF on the printer, one printer page each; returns the page count.

    Pages are rendered at the printer's resolution (at most MAX_DPI) and fitted to the
    printable area keeping their proportions. OSError when the printer cannot start.
    """
    document = pdfium.PdfDocument(pdf)
    painter = QPainter()
    try:
        if not painter.begin(printer):
            raise OSError(0, _tr("The printer could not be started."))
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        dpi = min(printer.resolution(), MAX_DPI)
        target = QRect(0, 0, printer.width(), printer.height())
        for number in range(len(document)):
            if number and not printer.newPage():
                raise OSError(0, _tr("The printer refused a new page."))
            page = document[number]
            width, height = page.get_size()
            painter.drawImage(_fit(width, height, target), _page_image(page, dpi))
            page.close()
        return len(document)
    finally:
        if painter.isActive():
            painter.end()
        document.close()


def match_paper(printer: QPrinter, pdf: bytes) -> None:
    """Sets the printer's paper to the document's first page (A4, Letter, a slip) and its orientation,
    with the smallest margins the printer allows: the PDF brings its own."""
    printer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Point)
    sizes = page_sizes(pdf)
    if not sizes:
        return
    width, height = sizes[0]
    portrait = (min(width, height), max(width, height))
    printer.setPageSize(QPageSize(QSizeF(*portrait), QPageSize.Unit.Point))
    printer.setPageOrientation(
        QPageLayout.Orientation.Landscape if width > height else QPageLayout.Orientation.Portrait
    )


def render(context: ShopContext, write: Callable[[Session, BinaryIO], object]) -> bytes:
    """The PDF a service function writes (given a session and a file), as bytes."""
    out = io.BytesIO()
    with context.database.reading() as session:
        write(session, out)
    return out.getvalue()


class DocumentOutput(QObject):
    """Previews, prints and saves PDFs for one window; tells the person when something fails."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._parent = parent
        self._printers: dict[int, QPrinter] = {}

    def make(
        self, context: ShopContext, write: Callable[[Session, BinaryIO], object], title: str, file_name: str
    ) -> Document | None:
        """Renders through a service; None (after saying why) when it cannot be made."""
        try:
            return Document(render(context, write), title, file_name, Path(context.database.path))
        except RegularsError as error:
            self.warn(error_text(error))
        except OSError as error:
            self.warn(error.strerror or str(error))
        except ValueError as error:  # the printing layer's word on a bad logo or paper size
            self.warn(self.tr("The document could not be made: %1").replace("%1", str(error)))
        return None

    def preview(self, document: Document) -> QPrintPreviewDialog:
        """The pages as they will print; its toolbar prints, and saves the PDF as it is."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)  # its own is at screen resolution
        printer.setDocName(document.title)
        match_paper(printer, document.pdf)
        dialog = QPrintPreviewDialog(printer, self._parent)
        # The dialog does not own the printer: keep it until the dialog is gone.
        key = id(dialog)
        self._printers[key] = printer
        dialog.destroyed.connect(lambda: self._printers.pop(key, None))
        dialog.setObjectName("print_preview")
        dialog.setWindowTitle(self.tr("Print preview — %1").replace("%1", document.title))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.paintRequested.connect(lambda target: self._paint(document.pdf, target))
        toolbar = dialog.findChild(QToolBar)
        if toolbar is not None:
            save = QAction(self.tr("Save as PDF…"), dialog)
            save.setObjectName("save_as_pdf")
            save.triggered.connect(lambda: self.save_pdf(document))
            toolbar.addSeparator()
            toolbar.addAction(save)
        dialog.resize(820, 900)
        dialog.open()
        return dialog

    def print_now(self, document: Document) -> bool:
        """The system's print dialog, then straight to the printer."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(document.title)
        match_paper(printer, document.pdf)
        dialog = QPrintDialog(printer, self._parent)
        dialog.setWindowTitle(self.tr("Print %1").replace("%1", document.title))
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return False
        return self._paint(document.pdf, printer)

    def save_pdf(self, document: Document) -> Path | None:
        """Asks where, then writes the PDF's bytes; the path written, or None."""
        path, _filter = QFileDialog.getSaveFileName(
            self._parent, self.tr("Save %1 as PDF").replace("%1", document.title), document.file_name,
            self.tr("PDF documents (*.pdf)"),
        )
        if not path:
            return None
        target = Path(path)
        if not target.suffix:
            target = target.with_suffix(".pdf")
        try:  # the dialog has asked before replacing a file; the shop's own files are refused all the same
            write_output(target, document.pdf, shop=document.shop, replace=True)
        except RegularsError as error:
            self.warn(error_text(error))
            return None
        return target

    def _paint(self, pdf: bytes, printer: QPrinter) -> bool:
        try:
            paint_pdf(pdf, printer)
        except OSError as error:
            self.warn(error.strerror or str(error))
            return False
        return True

    def warn(self, text: str) -> QMessageBox:
        box = QMessageBox(
            QMessageBox.Icon.Warning, self.tr("Printing"), text, QMessageBox.StandardButton.Ok, self._parent
        )
        box.setObjectName("document_problem")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

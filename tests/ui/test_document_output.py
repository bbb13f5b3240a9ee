from __future__ import annotations

import io
import stat

import pytest
from PySide6.QtGui import QAction
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewWidget
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget
from reportlab.lib.pagesizes import A4, A5, landscape
from reportlab.pdfgen import canvas

from desktop.ui.document_actions import DocumentActions
from desktop.ui.document_output import Document, DocumentOutput, match_paper, paint_pdf
from tests.pdf_reading import dark_share, flat_text, page_count


def _pdf(pages: int, size=A4) -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=size)
    for number in range(1, pages + 1):
        page.setFont("Helvetica-Bold", 48)
        page.drawString(60, size[1] - 120, f"Page {number}")
        page.showPage()
    page.save()
    return out.getvalue()


def _pdf_printer(path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def test_paint_pdf_prints_every_page_with_its_ink(qtbot, tmp_path):
    out = tmp_path / "printed.pdf"
    printer = _pdf_printer(out)
    assert paint_pdf(_pdf(3), printer) == 3
    assert page_count(out) == 3
    for page in (1, 2, 3):
        share = dark_share(out, page, tmp_path)
        assert 0.001 < share < 0.2  # the words are there, the page is not a black slab


def test_the_printer_paper_follows_the_document(qtbot, tmp_path):
    pdf = _pdf(1, landscape(A5))
    out = tmp_path / "slip.pdf"
    printer = _pdf_printer(out)
    match_paper(printer, pdf)
    assert paint_pdf(pdf, printer) == 1
    assert page_count(out) == 1
    assert printer.width() > printer.height()  # landscape, as the document is
    assert dark_share(out, 1, tmp_path) > 0.001


def test_preview_paints_the_pages_and_saves_the_pdf(qtbot, tmp_path, monkeypatch):
    parent = QWidget()
    qtbot.addWidget(parent)
    pdf = _pdf(2)
    dialog = DocumentOutput(parent).preview(Document(pdf, "Test document", "test.pdf"))
    preview = dialog.findChild(QPrintPreviewWidget)
    qtbot.waitUntil(lambda: preview.pageCount() == 2)

    target = tmp_path / "saved"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), ""))
    save = next(a for a in dialog.findChildren(QAction) if a.objectName() == "save_as_pdf")
    save.trigger()
    assert target.with_suffix(".pdf").read_bytes() == pdf
    dialog.close()


def test_a_file_that_cannot_be_written_is_told_not_raised(qtbot, tmp_path, monkeypatch):
    parent = QWidget()
    qtbot.addWidget(parent)
    missing = tmp_path / "no such folder" / "x.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(missing), ""))
    assert DocumentOutput(parent).save_pdf(Document(b"%PDF-1.4", "X", "x.pdf")) is None
    box = parent.findChild(QMessageBox, "document_problem")
    assert box is not None and "There is no folder" in box.text()


@pytest.mark.parametrize("own", ["shop.regulars", "shop.regulars.key", "shop.regulars-wal", "shop.regulars.erased"])
def test_saving_over_the_shops_own_files_is_refused_with_a_message(qtbot, tmp_path, monkeypatch, own):
    """The save dialog asked before replacing a file; the shop's own files are refused all the same."""
    parent = QWidget()
    qtbot.addWidget(parent)
    shop = tmp_path / "shop.regulars"
    shop.write_bytes(b"the shop")
    (tmp_path / "shop.regulars.key").write_bytes(b"its key")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(tmp_path / own), ""))
    assert DocumentOutput(parent).save_pdf(Document(b"%PDF-1.4", "X", "x.pdf", shop)) is None
    box = parent.findChild(QMessageBox, "document_problem")
    assert box is not None and "one of the shop's own files" in box.text()
    assert shop.read_bytes() == b"the shop" and (tmp_path / "shop.regulars.key").read_bytes() == b"its key"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shop.regulars", "shop.regulars.key"]


def test_a_saved_pdf_is_readable_by_the_owner_only(qtbot, tmp_path, monkeypatch):
    parent = QWidget()
    qtbot.addWidget(parent)
    target = tmp_path / "slip.pdf"
    target.write_bytes(b"an older slip")  # the dialog asked before replacing it
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), ""))
    assert DocumentOutput(parent).save_pdf(Document(b"%PDF-1.4", "X", "x.pdf")) == target
    assert target.read_bytes() == b"%PDF-1.4" and stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.parametrize(("kind", "title"), [("reservation", "Reservation / pre-order"),
                                             ("warranty", "Warranty registration"),
                                             ("inquiry", "Phone inquiry"),
                                             ("signup", "Join our mailing list")])
def test_blank_form_actions_render_the_form(qtbot, context, monkeypatch, tmp_path, kind, title):
    parent = QWidget()
    qtbot.addWidget(parent)
    previewed: list[Document] = []
    monkeypatch.setattr(DocumentOutput, "preview", lambda self, document: previewed.append(document))
    actions = DocumentActions(context, parent)
    assert [a.text() for a in actions.menu.actions()] == [
        "Sign-up form…", "Reservation form…", "Warranty form…", "Phone inquiry form…"
    ]
    actions.form_actions[kind].trigger()
    assert len(previewed) == 1
    assert previewed[0].pdf.startswith(b"%PDF")
    assert title in flat_text(previewed[0].pdf)


def test_print_now_sends_every_page_to_the_chosen_printer(qtbot, tmp_path, monkeypatch):
    parent = QWidget()
    qtbot.addWidget(parent)
    out = tmp_path / "printer.pdf"

    def choose_a_pdf_printer(dialog):
        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dialog.printer().setOutputFileName(str(out))
        return QPrintDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", choose_a_pdf_printer)
    assert DocumentOutput(parent).print_now(Document(_pdf(2), "Two pages", "two.pdf"))
    assert page_count(out) == 2
    assert dark_share(out, 2, tmp_path) > 0.001

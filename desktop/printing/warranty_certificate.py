"""The warranty certificate the customer keeps with the receipt: what is covered, until when, and the claims so far.

Values arrive formatted (dates in the shop's style); only the fixed wording is translated here.
The serial number is printed as Code 128 too when it is printable ASCII, so that a claim starts
with a scan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from desktop.errors import translatable
from desktop.printing.card_face import ASCENT
from desktop.printing.fonts import BOLD, REGULAR
from desktop.printing.page_layout import (
    CELL_GAP,
    INK,
    LINE,
    MUTED,
    Column,
    PageFlow,
    ShopHeader,
    Translate,
    barcode_fits,
    barcode_height,
    draw_barcode,
    draw_details,
    draw_line,
    draw_table,
    is_roll,
    label_column,
    render_document,
    untranslated,
    wrap_text,
)
from desktop.printing.text_fit import one_line

TITLE_SIZE = 22.0
STATEMENT_SIZE = 11.0
STATEMENT_WIDTH = 150 * mm  # narrower than the page: a few long lines read as one statement
LABEL_SIZE = 8.5
VALUE_SIZE = 10.0
SECTION_SIZE = 11.0
SECTION_GAP = 8 * mm
SIGNATURE_WIDTH = 75 * mm
SIGNATURE_SPACE = 16 * mm  # above the line, for a signature and the shop's stamp
FRAME_OUTER = 8 * mm  # from the paper's edge
FRAME_INNER = 9.3 * mm

STATEMENT = translatable(
    "This certifies that the product below, sold to {name}, is covered by the shop's warranty for {months} months "
    "from the date of purchase, until {expires_on} inclusive."
)
STATEMENT_ONE_MONTH = translatable(
    "This certifies that the product below, sold to {name}, is covered by the shop's warranty for 1 month "
    "from the date of purchase, until {expires_on} inclusive."
)


OUTCOME = translatable("Outcome: {outcome}")


@dataclass(frozen=True)
class WarrantyCertificate:
    customer_name: str
    product: str
    serial_number: str
    purchase_date: str  # formatted date
    months: int
    expires_on: str  # formatted date, the last day covered
    notes: str = ""
    claims: Sequence[tuple[str, str, str]] = ()  # (date, problem, outcome), formatted, oldest first


def render_warranty_certificate(cert: WarrantyCertificate, header: ShopHeader, out: Path | BinaryIO, *,
                                translate: Translate = untranslated) -> int:
    """Writes the certificate as a PDF to out (a path or a binary file); returns the number of pages.

    A warranty of less than a month, an unknown paper size or an unreadable logo raises
    ValueError before anything is written.
    """
    if cert.months < 1:
        raise ValueError(f"a warranty lasts at least 1 month, not {cert.months!r}")
    return render_document(out, header, translatable("Warranty certificate"), lambda page: _certificate(page, cert),
                           translate=translate, footer=translatable("Keep this certificate with your receipt."),
                           title_size=TITLE_SIZE, centred=True, decorate=None if is_roll(header) else _frame)


def _certificate(page: PageFlow, cert: WarrantyCertificate) -> None:
    """The statement, the details, the serial's barcode, the claims and the signature, down the page
    (framed on a sheet; a receipt roll has no room for a frame)."""
    canvas = page.canvas
    template = STATEMENT_ONE_MONTH if cert.months == 1 else STATEMENT
    statement = page.tr(template, name=one_line(cert.customer_name), months=cert.months,
                        expires_on=one_line(cert.expires_on))
    width = min(STATEMENT_WIDTH, page.width)
    page.text(wrap_text(statement, REGULAR, STATEMENT_SIZE, width), REGULAR, STATEMENT_SIZE, STATEMENT_SIZE * 1.45,
              x=page.left + (page.width - width) / 2, centre_in=width)
    page.skip(SECTION_GAP)

    rows = [
        (translatable("Product"), cert.product),
        (translatable("Serial number"), cert.serial_number),
        (translatable("Purchase date"), cert.purchase_date),
        (translatable("Warranty"), page.tr(translatable("1 month")) if cert.months == 1
         else page.tr(translatable("{months} months"), months=cert.months)),
        (translatable("Covered until"), cert.expires_on),
        (translatable("Customer"), cert.customer_name),
    ]
    if cert.notes.strip():
        rows.append((translatable("Notes"), cert.notes))
    draw_details(page, [(page.tr(label), value) for label, value in rows], LABEL_SIZE, VALUE_SIZE)

    serial = cert.serial_number
    if barcode_fits(serial, page.width):
        page.skip(6 * mm)
        top = page.take(barcode_height() + 2 * mm)
        draw_barcode(canvas, serial, serial, page.left + page.width / 2, top, page.width)

    if cert.claims:
        _section(page, page.tr(translatable("Claims under this warranty")))
        date_width = label_column(page, [date for date, _, _ in cert.claims], VALUE_SIZE,
                                  least=min(28 * mm, 0.4 * page.width), most=min(40 * mm, 0.5 * page.width))
        rest = page.width + CELL_GAP - date_width
        if page.roll:  # too narrow for three columns: the outcome under the problem
            rows = [(date, problem + ("\n" + page.tr(OUTCOME, outcome=outcome) if outcome else ""))
                    for date, problem, outcome in cert.claims]
            draw_table(page, [Column(date_width), Column(rest)], rows,
                       heading=[page.tr(translatable("Date")), page.tr(translatable("Problem"))])
        else:
            draw_table(page, [Column(date_width), Column(rest * 0.55), Column(rest * 0.45)],
                       cert.claims,
                       heading=[page.tr(translatable("Date")), page.tr(translatable("Problem")),
                                page.tr(translatable("Outcome"))])

    _signature(page)


def _section(page: PageFlow, title: str) -> None:
    page.skip(SECTION_GAP)
    top = page.take(SECTION_SIZE * 1.6, keep_with_next=20 * mm)
    draw_line(page.canvas, title, BOLD, page.left, top - ASCENT * SECTION_SIZE, page.width, SECTION_SIZE, 8.0)


def _signature(page: PageFlow) -> None:
    """A line at the right for the signature, the shop's stamp above it."""
    page.skip(SECTION_GAP)
    top = page.take(SIGNATURE_SPACE + 6 * mm)
    width = min(SIGNATURE_WIDTH, page.width)
    left = page.right - width
    line_y = top - SIGNATURE_SPACE
    canvas = page.canvas
    canvas.setStrokeColorRGB(*INK)
    canvas.setLineWidth(0.6)
    canvas.line(left, line_y, page.right, line_y)
    draw_line(canvas, page.tr(translatable("Shop stamp and signature")), REGULAR, left, line_y - 1.5 * mm - 7,
              width, 8.0, 6.5, MUTED, align="centre")


def _frame(canvas: Canvas, page_size: tuple[float, float]) -> None:
    """A double rule around the page: the certificate's border."""
    width, height = page_size
    canvas.saveState()
    canvas.setStrokeColorRGB(*MUTED)
    canvas.setLineWidth(1.4)
    canvas.rect(FRAME_OUTER, FRAME_OUTER, width - 2 * FRAME_OUTER, height - 2 * FRAME_OUTER, stroke=1, fill=0)
    canvas.setStrokeColorRGB(*LINE)
    canvas.setLineWidth(0.5)
    canvas.rect(FRAME_INNER, FRAME_INNER, width - 2 * FRAME_INNER, height - 2 * FRAME_INNER, stroke=1, fill=0)
    canvas.restoreState()

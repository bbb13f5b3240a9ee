"""The slip a customer takes home after reserving: what, when, the deposit, and a barcode to scan on collection.

The slip fills the top half of the page (cut along the dashed line) unless its notes need more.
Values arrive formatted (money, dates, status in the shop's language); only the labels are translated here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from desktop.errors import translatable
from desktop.printing import code128
from desktop.printing.card_face import ASCENT
from desktop.printing.fonts import BOLD, REGULAR
from desktop.printing.page_layout import (
    LINE,
    MUTED,
    PageFlow,
    ShopHeader,
    Translate,
    barcode_fits,
    draw_barcode,
    draw_details,
    draw_line,
    render_document,
    untranslated,
    wrap_text,
)

LABEL_SIZE = 8.5
VALUE_SIZE = 10.0
BARCODE_COLUMN = 70 * mm  # a 12-character reference at full module width, quiet zones included
BARCODE_GAP = 6 * mm  # between the details and the barcode's quiet zone
CLOSING_SIZE = 10.0
CUT_GAP = 8 * mm  # between the slip's last line and the cut line


@dataclass(frozen=True)
class ReservationSlip:
    reference: str  # what the barcode encodes, e.g. "B7K3M9Q2X"
    reference_display: str  # what people read, e.g. "B7K3-M9Q2-X"
    customer_name: str
    customer_phone: str
    item: str
    quantity: int
    deposit: str  # formatted money, e.g. "R$ 20,00"
    expected_on: str  # formatted date
    notes: str
    created_on: str  # formatted date
    status: str


def render_reservation_slip(slip: ReservationSlip, header: ShopHeader, out: Path | BinaryIO, *,
                            translate: Translate = untranslated) -> int:
    """Writes the slip as a PDF to out (a path or a binary file); returns the number of pages.

    A reference Code 128 cannot encode (it must be printable ASCII), an unknown paper size or
    an unreadable logo raises ValueError before anything is written.
    """
    if not code128.can_encode(slip.reference):
        raise ValueError(f"the reference must be printable ASCII (Code 128), not {slip.reference!r}")
    return render_document(out, header, translatable("Reservation"), lambda page: _slip(page, slip),
                           translate=translate)


def _slip(page: PageFlow, slip: ReservationSlip) -> None:
    """On a sheet: who and what at the left, the barcode and the dates at the right, a cut line under it.
    On a receipt roll, one column: the barcode, the dates, who and what (the printer cuts the roll)."""
    canvas = page.canvas
    top = page.y
    side_width = page.width if page.roll else BARCODE_COLUMN
    side_left = page.right - side_width
    if barcode_fits(slip.reference, side_width):
        page.y = draw_barcode(canvas, slip.reference, slip.reference_display, side_left + side_width / 2,
                              top - 2 * mm, side_width) - 3 * mm
    else:
        baseline = top - 2 * mm - ASCENT * CLOSING_SIZE
        draw_line(canvas, slip.reference_display, BOLD, side_left, baseline, side_width, CLOSING_SIZE, 7.0)
        page.y = baseline - 4 * mm
    _details(page, side_left, side_width, [
        (translatable("Expected on"), slip.expected_on),
        (translatable("Reserved on"), slip.created_on),
        (translatable("Status"), slip.status),
    ])
    side_bottom = page.y
    if page.roll:
        page.skip(3 * mm)
        _details(page, page.left, page.width, _who_and_what(slip))
    else:
        page.y = top
        _details(page, page.left, page.width - BARCODE_COLUMN - BARCODE_GAP, _who_and_what(slip))
        if page.pages == 1:  # below the side's details too, should they be the longer
            page.y = min(page.y, side_bottom)
    if slip.notes.strip():
        page.skip(4 * mm)
        label_top = page.take(LABEL_SIZE * 1.3, keep_with_next=VALUE_SIZE * 1.3)
        draw_line(canvas, page.tr(translatable("Notes")), REGULAR, page.left, label_top - ASCENT * LABEL_SIZE,
                  page.width, LABEL_SIZE, LABEL_SIZE - 1, MUTED)
        page.text(wrap_text(slip.notes, REGULAR, VALUE_SIZE, page.width), REGULAR, VALUE_SIZE, VALUE_SIZE * 1.3)
    page.skip(6 * mm)
    closing = wrap_text(page.tr(translatable("Please bring this slip when you collect.")), BOLD, CLOSING_SIZE,
                        page.width)
    page.text(closing, BOLD, CLOSING_SIZE, CLOSING_SIZE * 1.3)
    if page.pages == 1 and not page.roll:
        _cut_line(page.canvas, page.left, page.right, min(page.page_size[1] / 2, page.y - CUT_GAP), page.bottom)


def _who_and_what(slip: ReservationSlip) -> list[tuple[str, str]]:
    return [
        (translatable("Customer"), slip.customer_name),
        (translatable("Phone"), slip.customer_phone),
        (translatable("Item"), slip.item),
        (translatable("Quantity"), str(slip.quantity)),
        (translatable("Deposit paid"), slip.deposit),
    ]


def _details(page: PageFlow, left: float, width: float, rows: list[tuple[str, str]]) -> None:
    """Label and value rows, the labels translated, from left across width."""
    draw_details(page, [(page.tr(label), value) for label, value in rows], LABEL_SIZE, VALUE_SIZE, x=left,
                 width=width, least=20 * mm, most=width / 2)


def _cut_line(canvas: Canvas, left: float, right: float, y: float, lowest: float) -> None:
    """A dashed line across the page with scissors at its start, where the slip is cut from the rest of the sheet."""
    if y < lowest:
        return
    canvas.setStrokeColorRGB(*LINE)
    canvas.setLineWidth(0.6)
    canvas.setDash(3, 3)
    canvas.line(left + 6 * mm, y, right, y)
    canvas.setDash()
    canvas.setFillColorRGB(*MUTED)
    canvas.setFont(REGULAR, 11)
    canvas.drawString(left, y - 3.8, "\u2702")

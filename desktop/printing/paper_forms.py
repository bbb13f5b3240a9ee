"""Blank paper forms a customer fills in by hand at the counter (or staff, on the phone, when the PC is busy).

Each form is one page on A4 and on Letter with the shop's usual notice; a long notice flows
onto a second page rather than shrinking below 7 pt. Every label is an English source text
marked with translatable() and passed through translate when drawn, so the GUI can hand in
QCoreApplication.translate; the shop's own choices (how customers heard of it, reasons for a
call) are printed as the shop wrote them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from desktop.errors import translatable
from desktop.printing.card_face import ASCENT, DESCENT
from desktop.printing.fonts import BOLD, REGULAR
from desktop.printing.page_layout import (
    INK,
    LINE,
    MUTED,
    NoticeText,
    PageFlow,
    ShopHeader,
    Translate,
    draw_line,
    draw_lines,
    line_height,
    lines_fitting,
    open_document,
    untranslated,
    wrap_text,
)

FORM_KINDS = ("signup", "reservation", "warranty", "inquiry")

LABEL_SIZE, LABEL_MIN = 7.5, 6.0
LABEL_GAP = 1.0 * mm  # between a label's descenders and its box
LABEL_HEIGHT = (ASCENT + DESCENT) * LABEL_SIZE + LABEL_GAP
BOX_HEIGHT = 9.5 * mm
SIGNATURE_HEIGHT = 14 * mm
NOTES_HEIGHT = 30 * mm
BOX_CORNER = 1 * mm
ROW_GAP = 3 * mm  # under every row of boxes, ticks or text
COLUMN_GAP = 5 * mm
SECTION_SIZE = 10.0
SECTION_GAP = 3 * mm  # above a section's heading, on top of the row gap
SECTION_HEIGHT = (ASCENT + DESCENT) * SECTION_SIZE + 1.5 * mm
TICK = 3.5 * mm
TICK_GAP = 2 * mm  # between a tick box and its label
CHOICE_SIZE, CHOICE_MIN = 9.0, 6.5
CHOICE_ROW = 6.5 * mm
TICKS_GAP = 2 * mm  # under the last row of tick boxes, whose rows have air of their own
MAX_CHOICE_COLUMNS = 4
OTHER_LINE = 35 * mm  # the line to write on after "Other:", at least
NOTE_SIZE = 7.5
NOTICE_SIZES = (7.5, 7.25, 7.0)  # the notice's type, largest first; below 7 pt it flows onto a new page instead
NOTICE_LEADING = 1.22  # times the type size
NOTICE_HEADING_SIZE = 8.0
NOTICE_PAD = 2.5 * mm
NOTICE_MIN_LINES = 4  # fewer than this at the foot of a page start the notice on the next page
OFFICE_SIZE = 7.5
OFFICE_BLANK = 35 * mm
OFFICE_HEIGHT = (ASCENT + DESCENT) * OFFICE_SIZE + 2 * mm

TITLES = {
    "signup": translatable("Join our mailing list"),
    "reservation": translatable("Reservation / pre-order"),
    "warranty": translatable("Warranty registration"),
    "inquiry": translatable("Phone inquiry"),
}
# Over the notice: what the details are for; under the signup form's consents, just the version.
NOTICE_HEADINGS = {
    "signup": translatable("Privacy notice, version {version}"),
    "reservation": translatable("Your details are used for this reservation only. Privacy notice, version {version}:"),
    "warranty": translatable("Your details are used for this warranty only. Privacy notice, version {version}:"),
    "inquiry": translatable("The caller's details are used for this inquiry only. Privacy notice, version {version}:"),
}
NOTICE_CONTINUED = translatable("Privacy notice, version {version} (continued)")
HEARD_FROM = translatable("How did you hear about us?")
OTHER = translatable("Other:")
DATE = translatable("Date")
SIGNATURE = translatable("Signature")
NOTES = translatable("Notes")
PHONE = translatable("Phone")
EMAIL = translatable("Email")
ADDRESS = translatable("Address")
CUSTOMER_NAME = translatable("Customer name")
OFFICE_LINE = translatable("For the shop: entered by {name} on {date}")

Field = tuple[str, int]  # an English label and how many columns of the row's grid its box spans


def render_blank_form(
    kind: str,
    header: ShopHeader,
    notice: NoticeText,
    out: Path | BinaryIO,
    *,
    call_reasons: Sequence[str] = (),
    heard_from_choices: Sequence[str] = (),
    translate: Translate = untranslated,
) -> int:
    """Writes the blank form of this kind (one of FORM_KINDS) as a PDF to out; returns the number of pages.

    An unknown kind, paper size or an unreadable logo raises ValueError before anything is
    written, leaving out untouched.
    """
    if kind not in FORM_KINDS:
        raise ValueError(f"form kind must be one of {', '.join(FORM_KINDS)}, not {kind!r}")
    with open_document(out, header, TITLES[kind], translate=translate) as page:
        _FORMS[kind](page, list(call_reasons), list(heard_from_choices))
        heading = page.tr(NOTICE_HEADINGS[kind], version=notice.version)
        continued = page.tr(NOTICE_CONTINUED, version=notice.version)
        if kind == "signup":  # consent is signed for after reading the notice
            size = _notice_size(page, heading, notice.text, after=_SIGNATURE_ROW + OFFICE_HEIGHT)
            _notice(page, heading, continued, notice.text, size)
            _signature(page)
            _office_line(page)
        else:  # the notes box takes what the page has to spare, so the notice ends at its foot
            signed = kind == "warranty"
            foot = LABEL_HEIGHT + NOTES_HEIGHT + ROW_GAP + (_SIGNATURE_ROW if signed else 0.0) + OFFICE_HEIGHT
            size = _notice_size(page, heading, notice.text, after=foot)
            spare = page.room() - foot - SECTION_GAP - _notice_height(heading, notice.text, size, page.width)
            _boxes(page, [(NOTES, 1)], NOTES_HEIGHT + max(0.0, spare))
            if signed:
                _signature(page)
            _office_line(page)
            _notice(page, heading, continued, notice.text, size)
    return page.pages


def _signup(page: PageFlow, call_reasons: list[str], heard_from: list[str]) -> None:
    _boxes(page, [(translatable("First name"), 1), (translatable("Last name"), 1)])
    _boxes(page, [(PHONE, 1), (EMAIL, 1)])
    _boxes(page, [(ADDRESS, 1)])
    _boxes(page, [(translatable("Postal code"), 1), (translatable("City"), 2)])
    _choices(page, HEARD_FROM, heard_from)
    _section(page, translatable("Marketing consent"))
    _ticks(page, [page.tr(translatable("I agree to receive offers by email")),
                  page.tr(translatable("I agree to receive offers by SMS")),
                  page.tr(translatable("I agree to receive offers by post"))], one_per_row=True)
    _small_print(page, page.tr(translatable("Leave unticked if you do not agree. You can withdraw at any time.")))


def _reservation(page: PageFlow, call_reasons: list[str], heard_from: list[str]) -> None:
    _boxes(page, [(CUSTOMER_NAME, 2), (PHONE, 1)])
    _boxes(page, [(translatable("Item"), 1)])
    _boxes(page, [(translatable("Quantity"), 1), (translatable("Deposit paid"), 1),
                  (translatable("Expected date"), 1)])


def _warranty(page: PageFlow, call_reasons: list[str], heard_from: list[str]) -> None:
    _boxes(page, [(CUSTOMER_NAME, 2), (PHONE, 1)])
    _boxes(page, [(EMAIL, 1)])
    _boxes(page, [(ADDRESS, 1)])
    _boxes(page, [(translatable("Product"), 2), (translatable("Serial number"), 1)])
    _boxes(page, [(translatable("Purchase date"), 1), (translatable("Warranty (months)"), 1),
                  (translatable("Receipt number"), 1)])


def _inquiry(page: PageFlow, call_reasons: list[str], heard_from: list[str]) -> None:
    _boxes(page, [(translatable("Date and time of call"), 1), (translatable("Taken by"), 1),
                  (translatable("Follow-up date"), 1)])
    _boxes(page, [(translatable("Caller name"), 2), (PHONE, 1)])
    _choices(page, translatable("Reason for the call"), call_reasons)
    _choices(page, translatable("New caller? How did you hear about us?"), heard_from)


_FORMS: dict[str, Callable[[PageFlow, list[str], list[str]], None]] = {
    "signup": _signup,
    "reservation": _reservation,
    "warranty": _warranty,
    "inquiry": _inquiry,
}
_SIGNATURE_ROW = LABEL_HEIGHT + SIGNATURE_HEIGHT + ROW_GAP


def _signature(page: PageFlow) -> None:
    _boxes(page, [(DATE, 1), (SIGNATURE, 2)], SIGNATURE_HEIGHT)


# --- the parts of a form -------------------------------------------------------------------------


def _boxes(page: PageFlow, fields: Sequence[Field], height: float = BOX_HEIGHT) -> None:
    """A row of labelled boxes to write in, on a grid of as many columns as their spans add up to.

    Rows on the same grid line up: [(name, 2), (phone, 1)] under three single columns.
    """
    canvas = page.canvas
    top = page.take(LABEL_HEIGHT + height)
    columns = sum(span for _, span in fields)
    column = (page.width - COLUMN_GAP * (columns - 1)) / columns
    canvas.setStrokeColorRGB(*LINE)
    canvas.setLineWidth(0.6)
    x = page.left
    for label, span in fields:
        width = span * column + (span - 1) * COLUMN_GAP
        draw_line(canvas, page.tr(label), REGULAR, x, top - ASCENT * LABEL_SIZE, width, LABEL_SIZE, LABEL_MIN, MUTED)
        canvas.roundRect(x, top - LABEL_HEIGHT - height, width, height, BOX_CORNER, stroke=1, fill=0)
        x += width + COLUMN_GAP
    page.skip(ROW_GAP)


def _section(page: PageFlow, title: str) -> None:
    """A bold heading, kept with the first row under it."""
    page.skip(SECTION_GAP)
    top = page.take(SECTION_HEIGHT, keep_with_next=CHOICE_ROW)
    draw_line(page.canvas, page.tr(title), BOLD, page.left, top - ASCENT * SECTION_SIZE, page.width, SECTION_SIZE,
              CHOICE_MIN)


def _choices(page: PageFlow, question: str, choices: list[str]) -> None:
    """The shop's choices as tick boxes under the question, plus "Other:"; with none, a box to write the answer in."""
    if not choices:
        _boxes(page, [(question, 1)])
        return
    _section(page, question)
    _ticks(page, choices, other=page.tr(OTHER))


def _ticks(page: PageFlow, choices: Sequence[str], *, other: str = "", one_per_row: bool = False) -> None:
    """Tick boxes on a grid of MAX_CHOICE_COLUMNS columns, each spanning as many as its label needs.

    other, when given, comes last with a line to write on to the end of its row.
    """
    columns = 1 if one_per_row else MAX_CHOICE_COLUMNS
    cell = (page.width + COLUMN_GAP) / columns
    row_top, used = page.y, columns  # used: cells taken in the current row (none started yet)
    items = [(choice, 0.0) for choice in choices] + ([(other, 2 * mm + OTHER_LINE)] if other else [])
    for index, (label, writing_line) in enumerate(items):
        needed = TICK + TICK_GAP + stringWidth(label, REGULAR, CHOICE_SIZE) + writing_line + COLUMN_GAP
        span = min(columns, math.ceil(needed / cell - 0.001))
        if used + span > columns:
            row_top, used = page.take(CHOICE_ROW), 0
        left = page.left + used * cell
        used += span
        if index < len(choices):
            _tick(page, label, left, row_top, span * cell - COLUMN_GAP)
            continue
        label_width = _tick(page, label, left, row_top, page.right - left - OTHER_LINE)
        baseline = row_top - ASCENT * CHOICE_SIZE
        page.canvas.setStrokeColorRGB(*LINE)
        page.canvas.setLineWidth(0.6)
        page.canvas.line(left + TICK + TICK_GAP + label_width + 2 * mm, baseline - 1, page.right, baseline - 1)
    page.skip(TICKS_GAP)


def _tick(page: PageFlow, choice: str, x: float, top: float, width: float) -> float:
    """One unticked box and its label, in a row starting at top; returns the label's width."""
    canvas = page.canvas
    baseline = top - ASCENT * CHOICE_SIZE
    canvas.setStrokeColorRGB(*INK)
    canvas.setLineWidth(0.7)
    canvas.rect(x, baseline + 0.36 * CHOICE_SIZE - TICK / 2, TICK, TICK, stroke=1, fill=0)  # centred on the x-height
    fitted = draw_line(canvas, choice, REGULAR, x + TICK + TICK_GAP, baseline, width - TICK - TICK_GAP,
                       CHOICE_SIZE, CHOICE_MIN)
    return fitted.width


def _small_print(page: PageFlow, text: str) -> None:
    leading = NOTE_SIZE * NOTICE_LEADING
    page.text(wrap_text(text, REGULAR, NOTE_SIZE, page.width), REGULAR, NOTE_SIZE, leading, MUTED)
    page.skip(ROW_GAP)


def _notice_size(page: PageFlow, heading: str, text: str, *, after: float) -> float:
    """The largest of NOTICE_SIZES at which the notice fits this page with `after` more; the largest if none does."""
    for size in NOTICE_SIZES:
        if SECTION_GAP + _notice_height(heading, text, size, page.width) + after <= page.room():
            return size
    return NOTICE_SIZES[0]


def _notice(page: PageFlow, heading: str, continued: str, text: str, size: float) -> None:
    """The privacy notice in small type in a thin box, continued on the next pages (under `continued`) if need be."""
    page.skip(SECTION_GAP)
    inner = page.width - 2 * NOTICE_PAD
    leading = size * NOTICE_LEADING
    remaining = wrap_text(text, REGULAR, size, inner)
    first = True
    while first or remaining:
        heading_lines = wrap_text(heading if first else continued, BOLD, NOTICE_HEADING_SIZE, inner)
        count = lines_fitting(remaining, leading, page.room() - _box_height(heading_lines, [], size))
        if count < min(NOTICE_MIN_LINES, len(remaining)) and not page.at_page_top:
            page.new_page()
            continue
        count = max(count, min(1, len(remaining)))
        chunk, remaining = remaining[:count], remaining[count:]
        height = _box_height(heading_lines, chunk, size)
        top = page.take(height)
        canvas = page.canvas
        canvas.setStrokeColorRGB(*LINE)
        canvas.setLineWidth(0.5)
        canvas.rect(page.left, top - height, page.width, height, stroke=1, fill=0)
        y = draw_lines(canvas, heading_lines, page.left + NOTICE_PAD, top - NOTICE_PAD, BOLD, NOTICE_HEADING_SIZE,
                       NOTICE_HEADING_SIZE * NOTICE_LEADING)
        draw_lines(canvas, chunk, page.left + NOTICE_PAD, y - 1 * mm, REGULAR, size, leading)
        page.skip(ROW_GAP)
        first = False
        if remaining:
            page.new_page()


def _notice_height(heading: str, text: str, size: float, width: float) -> float:
    """The notice's box, all on one page."""
    inner = width - 2 * NOTICE_PAD
    heading_lines = wrap_text(heading, BOLD, NOTICE_HEADING_SIZE, inner)
    return _box_height(heading_lines, wrap_text(text, REGULAR, size, inner), size)


def _box_height(heading_lines: Sequence[str], lines: Sequence[str], size: float) -> float:
    heading = sum(line_height(line, NOTICE_HEADING_SIZE * NOTICE_LEADING) for line in heading_lines)
    body = sum(line_height(line, size * NOTICE_LEADING) for line in lines)
    return 2 * NOTICE_PAD + heading + 1 * mm + body


def _office_line(page: PageFlow) -> None:
    """"For the shop: entered by ____ on ____" in small print: the placeholders become lines to write on."""
    canvas = page.canvas
    pieces = re.split(r"(\{\w+\})", page.tr(OFFICE_LINE))
    blanks = sum(1 for piece in pieces if piece.startswith("{"))
    text_width = sum(stringWidth(piece, REGULAR, OFFICE_SIZE) for piece in pieces if not piece.startswith("{"))
    blank = min(OFFICE_BLANK, max(10 * mm, (page.width - text_width) / max(blanks, 1) - 2 * mm))
    top = page.take(OFFICE_HEIGHT)
    baseline = top - ASCENT * OFFICE_SIZE
    canvas.setFillColorRGB(*MUTED)
    canvas.setStrokeColorRGB(*LINE)
    canvas.setLineWidth(0.5)
    canvas.setFont(REGULAR, OFFICE_SIZE)
    x = page.left
    for piece in pieces:
        if piece.startswith("{"):
            canvas.line(x + 1 * mm, baseline - 1, x + 1 * mm + blank, baseline - 1)
            x += blank + 2 * mm
        elif piece:
            canvas.drawString(x, baseline, piece)
            x += stringWidth(piece, REGULAR, OFFICE_SIZE)

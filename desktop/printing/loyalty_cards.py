"""Printable loyalty cards: a PDF of card faces, on sheets to cut out or one per page for a card printer.

Plain values in, a PDF out; no Qt and no database, so the services, the CLI and the tests
all print the same way.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from desktop.printing import code128
from desktop.printing.card_face import CARD_HEIGHT, CARD_WIDTH, CardDrawer
from desktop.printing.pdf_output import pdf_canvas, read_logo

LAYOUTS = ("sheet", "single")
PAPER_SIZES = {"A4": A4, "Letter": LETTER}
COLUMNS, ROWS = 2, 5
CARDS_PER_SHEET = COLUMNS * ROWS
CUT_MARK_GAP = 1.5 * mm  # between the cards and the start of a cut mark
CUT_MARK_LENGTH = 6 * mm
CUT_MARK_PAPER_EDGE = 0.5 * mm  # a mark never reaches closer to the paper's edge than this


@dataclass(frozen=True)
class CardFace:
    shop_name: str
    customer_name: str
    code: str  # what the barcodes encode, e.g. "R7K3M9Q2X"
    code_display: str  # what is printed under the barcode for people, e.g. "R7K3-M9Q2-X"
    stamps: int | None  # empty stamp boxes for a stamp programme; None for a points programme
    # (a programme needing more than MAX_STAMP_BOXES = 20 stamps prints without boxes: they would not fit)
    programme_name: str = ""
    reward: str = ""  # what the card leads to, e.g. "10 stamps: a free coffee", printed beside the programme


def render_cards(
    faces: Iterable[CardFace],
    out: Path | BinaryIO,
    *,
    layout: str = "sheet",
    paper_size: str = "A4",
    logo: Path | None = None,
) -> int:
    """Writes the cards as a PDF to out (a path or a binary file) and returns the number of pages.

    layout "sheet": 10 cards per A4/Letter page (2 columns x 5 rows) with cut marks; layout
    "single": one card per page, page size exactly 85.6 x 54 mm (for a card printer; paper_size
    does not apply). Everything is checked before anything is written: a bad face, layout, paper size or logo
    raises ValueError (FileNotFoundError for a missing logo) and leaves out untouched.
    """
    cards = list(faces)
    _check(cards, layout, paper_size)
    logo_image = _read_logo(logo) if logo is not None else None
    page_size = (CARD_WIDTH, CARD_HEIGHT) if layout == "single" else PAPER_SIZES[paper_size]
    with pdf_canvas(out, page_size, title="Loyalty cards", author=cards[0].shop_name) as canvas:
        canvas.setViewerPreference("PrintScaling", "None")  # cards must print at their real size
        drawer = CardDrawer(canvas, logo_image)
        if layout == "single":
            return _single_cards(canvas, cards, drawer)
        return _sheets(canvas, cards, page_size, drawer)


def _check(cards: Sequence[CardFace], layout: str, paper_size: str) -> None:
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")
    if layout == "sheet" and paper_size not in PAPER_SIZES:
        raise ValueError(f"paper size must be one of {', '.join(PAPER_SIZES)}, not {paper_size!r}")
    if not cards:
        raise ValueError("no cards to print")
    for card in cards:
        if not code128.can_encode(card.code):
            raise ValueError(f"card code must be printable ASCII (Code 128), not {card.code!r}")
        if card.stamps is not None and card.stamps < 1:
            raise ValueError(f"stamps must be None (points) or at least 1, not {card.stamps!r}")


def _read_logo(path: Path) -> ImageReader:
    if not Path(path).is_file():
        raise FileNotFoundError(f"logo not found: {path}")
    return read_logo(path)


def _single_cards(canvas: Canvas, cards: Sequence[CardFace], drawer: CardDrawer) -> int:
    for card in cards:
        drawer.draw(card)
        canvas.showPage()
    return len(cards)


def _sheets(canvas: Canvas, cards: Sequence[CardFace], page_size: tuple[float, float], drawer: CardDrawer) -> int:
    origins = card_origins(page_size)
    pages = math.ceil(len(cards) / CARDS_PER_SHEET)
    for page in range(pages):
        _draw_cut_marks(canvas, page_size)
        for card, (x, y) in zip(cards[page * CARDS_PER_SHEET : (page + 1) * CARDS_PER_SHEET], origins):
            canvas.saveState()
            canvas.translate(x, y)
            drawer.draw(card)
            canvas.restoreState()
        canvas.showPage()
    return pages


def card_origins(page_size: tuple[float, float]) -> list[tuple[float, float]]:
    """Bottom-left corners of the cards on a sheet, filled along each row from the top left.

    The cards touch, so one cut between two rows (or columns) separates both; the grid is
    centred on the page.
    """
    page_width, page_height = page_size
    left = (page_width - COLUMNS * CARD_WIDTH) / 2
    top = (page_height + ROWS * CARD_HEIGHT) / 2
    return [
        (left + column * CARD_WIDTH, top - (row + 1) * CARD_HEIGHT) for row in range(ROWS) for column in range(COLUMNS)
    ]


def _draw_cut_marks(canvas: Canvas, page_size: tuple[float, float]) -> None:
    """Short lines in the margins on the extension of every cut, never touching a card."""
    page_width, page_height = page_size
    left = (page_width - COLUMNS * CARD_WIDTH) / 2
    bottom = (page_height - ROWS * CARD_HEIGHT) / 2
    right, top = page_width - left, page_height - bottom
    side_length = min(CUT_MARK_LENGTH, left - CUT_MARK_GAP - CUT_MARK_PAPER_EDGE)
    end_length = min(CUT_MARK_LENGTH, bottom - CUT_MARK_GAP - CUT_MARK_PAPER_EDGE)
    canvas.saveState()
    canvas.setStrokeColorRGB(0, 0, 0)
    canvas.setLineWidth(0.3)
    lines = []
    if end_length > 0:
        for column in range(COLUMNS + 1):
            x = left + column * CARD_WIDTH
            lines.append((x, top + CUT_MARK_GAP, x, top + CUT_MARK_GAP + end_length))
            lines.append((x, bottom - CUT_MARK_GAP, x, bottom - CUT_MARK_GAP - end_length))
    if side_length > 0:
        for row in range(ROWS + 1):
            y = bottom + row * CARD_HEIGHT
            lines.append((left - CUT_MARK_GAP, y, left - CUT_MARK_GAP - side_length, y))
            lines.append((right + CUT_MARK_GAP, y, right + CUT_MARK_GAP + side_length, y))
    canvas.lines(lines)
    canvas.restoreState()

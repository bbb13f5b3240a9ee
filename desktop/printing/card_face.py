"""One loyalty card, drawn with its bottom-left corner at the canvas origin.

The card is credit-card size (ISO/IEC 7810 ID-1, 85.6 x 54 mm) with a 4 mm margin:

    +--------------------------------------------------+
    | [logo] SHOP NAME                                 |
    |        Programme name · 10 stamps: a free coffee |
    | Customer Name                                    |
    | [ ] [ ] [ ] [ ] [ ] [ ] [ ] [ ]   (stamps only)  |
    | ||||||||||||||||||||||||||||||         [QR]      |
    |        R7K3-M9Q2-X                     [QR]      |
    +--------------------------------------------------+

Every size below is fixed except the Code 128 module, which is as wide as fits (up to 0.38 mm,
so that its 10-module quiet zone stays inside the margin), and the text, which shrinks and
then is cut with an ellipsis to fit its line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from desktop.printing import code128, qr
from desktop.printing.fonts import BOLD, REGULAR
from desktop.printing.text_fit import fit_text

if TYPE_CHECKING:
    from desktop.printing.loyalty_cards import CardFace

CARD_WIDTH = 85.6 * mm
CARD_HEIGHT = 54 * mm
MARGIN = 4 * mm
ONE_ROW_STAMPS = 12  # up to this many stamp boxes in one row; more in two rows
MAX_STAMP_BOXES = 20  # a programme needing more stamps prints without boxes, like a points card

ASCENT = 0.93  # DejaVu Sans: top of an accented capital, in em
DESCENT = 0.24  # bottom of g, j, p, q, y, in em

# The bottom band: Code 128 on the left, the QR code on the right, their bottoms on the margin.
QR_SIZE = 12.5 * mm  # the symbol without its quiet zone; version 1 gives 0.6 mm modules
BAR_MODULE_MAX = 0.38 * mm
BARS_TOP = MARGIN + QR_SIZE
CODE_TEXT_SIZE = 8.5
CODE_TEXT_MIN = 6.0
CODE_TEXT_SPACING = 0.8  # points between characters: easier to read aloud or type
CODE_TEXT_BASELINE = MARGIN + 0.3 * mm
BARS_BOTTOM = CODE_TEXT_BASELINE + 0.75 * CODE_TEXT_SIZE + 1.3 * mm  # cap height plus a gap

# The header: logo, shop name and programme name.
TOP = CARD_HEIGHT - MARGIN
LOGO_HEIGHT = 9 * mm
LOGO_MAX_WIDTH = 22 * mm
LOGO_GAP = 2.5 * mm
SHOP_SIZE, SHOP_MIN = 12.0, 7.0
SHOP_BASELINE = TOP - ASCENT * SHOP_SIZE
PROGRAMME_SIZE, PROGRAMME_MIN = 7.5, 6.0
PROGRAMME_BASELINE = SHOP_BASELINE - DESCENT * SHOP_SIZE - 1 * mm - ASCENT * PROGRAMME_SIZE
HEADER_BOTTOM = min(TOP - LOGO_HEIGHT, PROGRAMME_BASELINE - DESCENT * PROGRAMME_SIZE)

# The customer's name, then the stamp boxes between it and the bottom band's quiet zone.
NAME_SIZE, NAME_MIN = 10.5, 8.0
NAME_BASELINE = HEADER_BOTTOM - 1.6 * mm - ASCENT * NAME_SIZE
STAMPS_TOP = NAME_BASELINE - DESCENT * NAME_SIZE - 1.4 * mm
STAMPS_BOTTOM = BARS_TOP + qr.QUIET_MODULES * QR_SIZE / qr.SMALLEST_SIDE + 0.6 * mm
STAMP_MAX = 8 * mm
STAMP_GAP = 1.5 * mm
STAMP_CORNER = 1.2 * mm

INK = (0.1, 0.1, 0.1)
MUTED = (0.38, 0.38, 0.38)
STAMP_LINE = (0.5, 0.5, 0.5)


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float


class CardDrawer:
    """Draws cards onto one canvas, each with its bottom-left corner at the current origin.

    What cards of one programme share (logo, shop name, programme name, stamp boxes) is drawn
    once as a form XObject and placed on each card by name: a smaller, faster PDF.
    """

    def __init__(self, canvas: Canvas, logo: ImageReader | None = None) -> None:
        self._canvas = canvas
        self._logo = logo
        self._backgrounds: dict[tuple[str, str, int | None], str] = {}

    def draw(self, face: CardFace) -> None:
        canvas = self._canvas
        canvas.doForm(self._background(face.shop_name, programme_line(face), face.stamps))
        _draw_line(canvas, face.customer_name, REGULAR, MARGIN, NAME_BASELINE, NAME_SIZE, NAME_MIN, INK)
        _draw_barcodes(canvas, face.code, face.code_display)

    def _background(self, shop_name: str, programme_name: str, stamps: int | None) -> str:
        key = (shop_name, programme_name, stamps)
        name = self._backgrounds.get(key)
        if name is None:
            name = self._backgrounds[key] = f"card_background_{len(self._backgrounds)}"
            canvas = self._canvas
            canvas.beginForm(name, 0, 0, CARD_WIDTH, CARD_HEIGHT)
            text_left = MARGIN
            if self._logo is not None:
                text_left += _draw_logo(canvas, self._logo) + LOGO_GAP
            _draw_line(canvas, shop_name, BOLD, text_left, SHOP_BASELINE, SHOP_SIZE, SHOP_MIN, INK)
            _draw_line(canvas, programme_name, REGULAR, text_left, PROGRAMME_BASELINE, PROGRAMME_SIZE,
                       PROGRAMME_MIN, MUTED)
            if stamps and stamps <= MAX_STAMP_BOXES:
                _draw_stamps(canvas, stamps)
            canvas.endForm()
        return name


def programme_line(face: CardFace) -> str:
    """The programme and its reward on one line: "Coffee card · 10 stamps: a free coffee"."""
    return " · ".join(part for part in (face.programme_name, face.reward) if part)


def _draw_logo(canvas: Canvas, logo: ImageReader) -> float:
    """Draws the logo at the top left, as big as fits LOGO_MAX_WIDTH x LOGO_HEIGHT; returns its width."""
    image_width, image_height = logo.getSize()
    scale = min(LOGO_HEIGHT / image_height, LOGO_MAX_WIDTH / image_width)
    width, height = image_width * scale, image_height * scale
    canvas.drawImage(logo, MARGIN, TOP - LOGO_HEIGHT + (LOGO_HEIGHT - height) / 2, width, height, mask="auto")
    return width


def _draw_line(canvas: Canvas, text: str, font: str, left: float, baseline: float, size: float,
               min_size: float, color: tuple[float, float, float]) -> None:
    fitted = fit_text(text, font, CARD_WIDTH - MARGIN - left, size, min_size)
    if fitted.text:
        canvas.setFillColorRGB(*color)
        canvas.setFont(font, fitted.size)
        canvas.drawString(left, baseline, fitted.text)


def stamp_boxes(count: int) -> list[Box]:
    """The stamp boxes, top left first: one row up to ONE_ROW_STAMPS, then two rows (the top one longer).

    Boxes are as big as fits, up to STAMP_MAX: 8 mm for up to 8 stamps, 5.1 mm for 12 in a row,
    5.5 mm for 20 in two rows of 10. Two rows keep 0.8 mm more air above and below than one,
    so that they do not crowd the name and the barcodes.
    """
    if not 1 <= count <= MAX_STAMP_BOXES:
        raise ValueError(f"stamp boxes must number between 1 and {MAX_STAMP_BOXES}, not {count}")
    rows = 1 if count <= ONE_ROW_STAMPS else 2
    per_row = -(-count // rows)
    width = CARD_WIDTH - 2 * MARGIN
    height = STAMPS_TOP - STAMPS_BOTTOM - (rows - 1) * (STAMP_GAP + 1.6 * mm)
    side = min(STAMP_MAX, height / rows, (width - (per_row - 1) * STAMP_GAP) / per_row)
    grid_top = (STAMPS_TOP + STAMPS_BOTTOM + rows * side + (rows - 1) * STAMP_GAP) / 2
    boxes = []
    for index in range(count):
        row, column = divmod(index, per_row)
        x = MARGIN + column * (side + STAMP_GAP)
        boxes.append(Box(x, grid_top - (row + 1) * side - row * STAMP_GAP, side, side))
    return boxes


def _draw_stamps(canvas: Canvas, count: int) -> None:
    canvas.setStrokeColorRGB(*STAMP_LINE)
    canvas.setLineWidth(0.6)
    for box in stamp_boxes(count):
        canvas.roundRect(box.x, box.y, box.width, box.height, STAMP_CORNER, stroke=1, fill=0)


def bar_module(code: str) -> float:
    """The Code 128 module: as wide as fits between the margin and the QR code, quiet zones kept.

    The left quiet zone lies in the card's margin; on the right, the gap to the QR code is at
    least the bars' quiet zone and the QR code's own (the two may overlap).
    """
    available = CARD_WIDTH - 2 * MARGIN - QR_SIZE
    modules = code128.symbol_modules(code)
    qr_quiet = qr.QUIET_MODULES * QR_SIZE / qr.SMALLEST_SIDE
    return min(BAR_MODULE_MAX, available / (modules + code128.QUIET_MODULES), (available - qr_quiet) / modules)


def _draw_barcodes(canvas: Canvas, code: str, display: str) -> None:
    canvas.setFillColorRGB(0, 0, 0)
    qr.draw_qr(canvas, code, CARD_WIDTH - MARGIN - QR_SIZE, MARGIN, QR_SIZE)
    module = bar_module(code)
    bars_width = code128.draw_code128(canvas, code, MARGIN, BARS_BOTTOM, module, BARS_TOP - BARS_BOTTOM)
    fitted = fit_text(display, BOLD, bars_width, CODE_TEXT_SIZE, CODE_TEXT_MIN)
    if fitted.text:
        spacing = CODE_TEXT_SPACING * fitted.size / CODE_TEXT_SIZE
        width = fitted.width + spacing * (len(fitted.text) - 1)
        if width > bars_width:
            spacing = 0.0
            width = fitted.width
        canvas.setFillColorRGB(*INK)
        canvas.setFont(BOLD, fitted.size)
        canvas.drawString(MARGIN + (bars_width - width) / 2, CODE_TEXT_BASELINE, fitted.text, charSpace=spacing)

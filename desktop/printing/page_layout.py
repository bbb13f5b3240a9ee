"""The page every shop document shares: the shop's header, the footer, text that wraps, and a flow down the pages.

Plain values in, drawing out; no Qt and no database. Customer and shop text (names, items,
notes, the shop's name, the privacy notice) is always drawn with drawString, never as a
Paragraph, so it prints literally: "<b>Ana & Co</b>" is those eleven characters, not bold markup.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import inch, mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from desktop.errors import translatable
from desktop.printing import code128
from desktop.printing.card_face import ASCENT, DESCENT
from desktop.printing.fonts import BOLD, REGULAR
from desktop.printing.loyalty_cards import PAPER_SIZES
from desktop.printing.pdf_output import pdf_canvas, read_logo
from desktop.printing.text_fit import FittedText, fit_text, one_line

MARGIN = 15 * mm
# Receipt rolls: the paper's width, a narrow margin (thermal heads print to about 4 mm of each edge),
# and as long a page as the document needs (measured on a first, throwaway pass).
ROLL_WIDTHS = {"80mm": 80 * mm, "58mm": 58 * mm}
ROLL_MARGIN = 4 * mm
ROLL_MEASURING_HEIGHT = 2000 * mm  # the page a roll document is first laid out on, to measure it
INK = (0.1, 0.1, 0.1)
MUTED = (0.42, 0.42, 0.42)  # labels and small print
LINE = (0.6, 0.6, 0.6)  # boxes to write in and rules

LOGO_HEIGHT = 18 * mm
LOGO_MAX_WIDTH = 50 * mm
LOGO_GAP = 5 * mm
SHOP_SIZE, SHOP_MIN = 18.0, 11.0
CONTACT_SIZE, CONTACT_MIN = 9.0, 7.0
CONTACT_GAP = 1.5 * mm  # between the shop's name and the contact line
TITLE_SIZE, TITLE_MIN = 15.0, 10.0
RULE_GAP = 3.5 * mm  # between the shop's block and the rule under it
TITLE_GAP = 5 * mm  # between the rule and the title, and again under the title
FOOTER_SIZE = 7.5
PAGE_NUMBER_WIDTH = 30 * mm
FOOTER_HEIGHT = 7 * mm  # kept free above the bottom margin for the footer

# Code 128 on paper: four dots of a 300 dpi printer per module (two at 150 dpi, eight at 600),
# so every bar has the same width whatever the printer rounds to.
BAR_MODULE = 4 / 300 * inch  # 0.34 mm
BAR_MODULE_MIN = 0.25 * mm  # narrower bars blur on an office printer: print the text alone
BAR_HEIGHT = 12 * mm
BAR_TEXT_SIZE, BAR_TEXT_MIN = 10.0, 7.0

Translate = Callable[[str], str]
Decorate = Callable[[Canvas, tuple[float, float]], None]  # draws on each new page before anything else
Color = tuple[float, float, float]


def untranslated(text: str) -> str:
    """The default translate: the English source text as it is."""
    return text


@dataclass(frozen=True)
class ShopHeader:
    name: str
    paper_size: str = "A4"  # a key of PAPER_SIZES, or of ROLL_WIDTHS for a receipt roll
    contact_line: str = ""  # address, phone, website: one line under the name
    logo_png: bytes | None = None  # PNG or JPEG bytes


@dataclass(frozen=True)
class NoticeText:
    """The shop's privacy notice, with the version a customer's consent refers to."""

    version: int
    text: str


def check_header(header: ShopHeader) -> None:
    """ValueError for an unknown paper size or an unreadable logo, found before anything is written."""
    _header_logo(header)


def is_roll(header: ShopHeader) -> bool:
    """Printed on a receipt roll rather than a sheet."""
    return header.paper_size in ROLL_WIDTHS


def _header_logo(header: ShopHeader) -> ImageReader | None:
    if header.paper_size not in PAPER_SIZES and not is_roll(header):
        known = ", ".join([*PAPER_SIZES, *ROLL_WIDTHS])
        raise ValueError(f"paper size must be one of {known}, not {header.paper_size!r}")
    return read_logo(header.logo_png) if header.logo_png is not None else None


# --- single lines and wrapped text ------------------------------------------------------------


def draw_line(canvas: Canvas, text: str, font: str, x: float, baseline: float, width: float, size: float,
              min_size: float, color: Color = INK, align: str = "left") -> FittedText:
    """One line that fits width (shrunk, then cut with an ellipsis), aligned "left", "right" or "centre"."""
    fitted = fit_text(text, font, width, size, min_size)
    if fitted.text:
        if align == "right":
            x += width - fitted.width
        elif align == "centre":
            x += (width - fitted.width) / 2
        canvas.setFillColorRGB(*color)
        canvas.setFont(font, fitted.size)
        canvas.drawString(x, baseline, fitted.text)
    return fitted


def wrap_text(text: str, font: str, size: float, width: float) -> list[str]:
    """The text as lines no wider than width, "" marking a paragraph break.

    The writer's line breaks are kept (runs of empty lines become one break), control
    characters go, and a word is broken only when it alone is wider than the line.
    """
    lines: list[str] = []
    for raw in text.splitlines():
        line = one_line(raw)
        if line:
            lines.extend(_wrap_paragraph(line, font, size, width))
        elif lines and lines[-1]:
            lines.append("")
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _wrap_paragraph(text: str, font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if stringWidth(candidate, font, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while stringWidth(current, font, size) > width:
            cut = _longest_start(current, font, size, width)
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    return lines


def _longest_start(word: str, font: str, size: float, width: float) -> int:
    """How many characters of word fit width (at least one), never parting a letter from its accent."""
    low, high = 1, len(word)
    while low < high:
        middle = (low + high + 1) // 2
        if stringWidth(word[:middle], font, size) <= width:
            low = middle
        else:
            high = middle - 1
    while 1 < low < len(word) and unicodedata.combining(word[low]):
        low -= 1
    return low


def line_height(line: str, leading: float) -> float:
    """A paragraph break ("") takes half a line."""
    return leading if line else leading / 2


def draw_lines(canvas: Canvas, lines: Sequence[str], x: float, top: float, font: str, size: float,
               leading: float, color: Color = INK, *, centre_in: float | None = None) -> float:
    """Draws wrap_text's lines from top down, each in the middle of its leading; returns the bottom of the last.

    With centre_in, each line is centred across that width from x.
    """
    canvas.setFillColorRGB(*color)
    canvas.setFont(font, size)
    y = top
    for line in lines:
        if line:
            left = x if centre_in is None else x + (centre_in - stringWidth(line, font, size)) / 2
            canvas.drawString(left, y - leading / 2 - (ASCENT - DESCENT) * size / 2, line)
        y -= line_height(line, leading)
    return y


def lines_fitting(lines: Sequence[str], leading: float, height: float) -> int:
    """How many of lines, from the first, fit in height."""
    used = 0.0
    for count, line in enumerate(lines):
        used += line_height(line, leading)
        if used > height + 0.01:
            return count
    return len(lines)


# --- tables ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    width: float  # including the gap to the next column
    font: str = REGULAR
    size: float = 10.0
    color: Color = INK


CELL_PAD = 1.8 * mm  # above and below a row's text
CELL_GAP = 4 * mm  # between a cell's text and the next column
TABLE_LEADING = 1.3  # times the largest type size
TABLE_HEADING_SIZE = 8.0


def draw_table(page: PageFlow, columns: Sequence[Column], rows: Sequence[Sequence[str]], *,
               x: float | None = None, heading: Sequence[str] = (), rules: bool = True) -> None:
    """Rows of wrapped cells down the page, a thin rule under each when `rules`.

    A row that does not fit goes to the next page, under the heading again; a row taller than
    a whole page is split between its lines.
    """
    left = page.left if x is None else x
    leading = max(column.size for column in columns) * TABLE_LEADING
    width = sum(column.width for column in columns) - CELL_GAP
    heading_height = TABLE_HEADING_SIZE * TABLE_LEADING + 2 * CELL_PAD if heading else 0.0

    def start() -> None:
        if heading:
            top = page.take(heading_height, keep_with_next=leading + 2 * CELL_PAD)
            cell_left = left
            for column, text in zip(columns, heading, strict=True):
                draw_line(page.canvas, text, BOLD, cell_left, top - CELL_PAD - ASCENT * TABLE_HEADING_SIZE,
                          column.width - CELL_GAP, TABLE_HEADING_SIZE, TABLE_HEADING_SIZE - 1.5, MUTED)
                cell_left += column.width
            _rule(page.canvas, left, top - heading_height, width, 0.8, MUTED)

    start()
    fresh = True  # nothing but the heading on this page yet
    for row in rows:
        cells = [wrap_text(text, column.font, column.size, column.width - CELL_GAP)
                 for column, text in zip(columns, row, strict=True)]
        while True:
            room = page.room() - 2 * CELL_PAD
            counts = [lines_fitting(lines, leading, room) for lines in cells]
            complete = all(count == len(lines) for count, lines in zip(counts, cells, strict=True))
            whole = heading_height + _cells_height(cells, leading) + 2 * CELL_PAD
            if not complete and not fresh and whole <= page.empty_room():
                page.new_page()  # the whole row fits on the next page: move it there
                start()
                fresh = True
                continue
            if not any(counts):
                counts = [min(1, len(lines)) for lines in cells]
            chunk = [lines[:count] for lines, count in zip(cells, counts, strict=True)]
            cells = [_trim(lines[count:]) for lines, count in zip(cells, counts, strict=True)]
            height = _cells_height(chunk, leading) + 2 * CELL_PAD
            top = page.take(height)
            cell_left = left
            for column, lines in zip(columns, chunk, strict=True):
                draw_lines(page.canvas, lines, cell_left, top - CELL_PAD, column.font, column.size, leading,
                           column.color)
                cell_left += column.width
            if rules:
                _rule(page.canvas, left, top - height, width, 0.4, LINE)
            fresh = False
            if not any(cells):
                break
            page.new_page()
            start()
            fresh = True


def _cells_height(cells: Sequence[Sequence[str]], leading: float) -> float:
    return max((sum(line_height(line, leading) for line in lines) for lines in cells), default=0.0) or leading


def _trim(lines: Sequence[str]) -> list[str]:
    """No paragraph break at the top of a continued cell."""
    lines = list(lines)
    while lines and not lines[0]:
        lines.pop(0)
    return lines


def _rule(canvas: Canvas, x: float, y: float, width: float, line_width: float, color: Color) -> None:
    canvas.setStrokeColorRGB(*color)
    canvas.setLineWidth(line_width)
    canvas.line(x, y, x + width, y)


def draw_details(page: PageFlow, rows: Sequence[tuple[str, str]], label_size: float, value_size: float, *,
                 x: float | None = None, width: float | None = None, least: float = 25 * mm,
                 most: float = 50 * mm) -> None:
    """Labelled values (the labels already translated): labels in a column beside their values on a sheet;
    on a receipt roll, too narrow for two columns, each label above its value across the whole width."""
    left = page.left if x is None else x
    width = page.width if width is None else width
    if page.roll:
        for label, value in rows:
            top = page.take(label_size * 1.3, keep_with_next=value_size * 1.3)
            draw_line(page.canvas, label, REGULAR, left, top - ASCENT * label_size, width, label_size,
                      label_size - 1, MUTED)
            page.text(wrap_text(value, REGULAR, value_size, width) or [""], REGULAR, value_size, value_size * 1.3,
                      x=left)
            page.skip(1 * mm)
        return
    label_width = label_column(page, [label for label, _ in rows], label_size, least=least, most=most)
    draw_table(page, [Column(label_width, REGULAR, label_size, MUTED),
                      Column(width - label_width + CELL_GAP, REGULAR, value_size)], rows, x=left)


def label_column(page: PageFlow, labels: Sequence[str], size: float, *, least: float = 25 * mm,
                 most: float = 50 * mm) -> float:
    """Wide enough for the longest of the (translated) labels and the gap after it, within least and most."""
    widest = max(stringWidth(one_line(label), REGULAR, size) for label in labels)
    return min(most, max(least, widest + CELL_GAP + 1))


# --- barcodes ----------------------------------------------------------------------------------


def barcode_fits(code: str, width: float) -> bool:
    """True when code can be printed as Code 128 within width, quiet zones included, with bars wide enough to scan."""
    if not code128.can_encode(code):
        return False
    return width / (code128.symbol_modules(code) + 2 * code128.QUIET_MODULES) >= BAR_MODULE_MIN


def barcode_height() -> float:
    """From the top of the bars to the bottom of the text under them."""
    return BAR_HEIGHT + 2 * mm + (ASCENT + DESCENT) * BAR_TEXT_SIZE


def draw_barcode(canvas: Canvas, code: str, display: str, centre_x: float, top: float, width: float) -> float:
    """Code 128 of code centred on centre_x, its quiet zones within width, display under it; returns the bottom.

    The caller checks barcode_fits first and keeps the width clear of anything else.
    """
    module = min(BAR_MODULE, width / (code128.symbol_modules(code) + 2 * code128.QUIET_MODULES))
    bars_width = code128.symbol_modules(code) * module
    canvas.setFillColorRGB(0, 0, 0)
    code128.draw_code128(canvas, code, centre_x - bars_width / 2, top - BAR_HEIGHT, module, BAR_HEIGHT)
    baseline = top - BAR_HEIGHT - 2 * mm - ASCENT * BAR_TEXT_SIZE
    draw_line(canvas, display, BOLD, centre_x - width / 2, baseline, width, BAR_TEXT_SIZE, BAR_TEXT_MIN,
              align="centre")
    return top - barcode_height()


# --- header and footer -------------------------------------------------------------------------


def draw_header(canvas: Canvas, header: ShopHeader, logo: ImageReader | None, title: str,
                page_size: tuple[float, float], *, title_size: float = TITLE_SIZE, centred: bool = False,
                margin: float = MARGIN) -> float:
    """The logo at the top left, the shop's name and contact line beside it, a rule, the title; returns the y below.

    The logo is scaled to fit LOGO_MAX_WIDTH x LOGO_HEIGHT; the name and contact line sit
    centred beside it, shrunk to fit the page's width.
    """
    page_width, page_height = page_size
    top = page_height - margin
    text_left = margin
    block_height = ASCENT * SHOP_SIZE + DESCENT * SHOP_SIZE
    if header.contact_line.strip():
        block_height += CONTACT_GAP + (ASCENT + DESCENT) * CONTACT_SIZE
    if logo is not None:
        image_width, image_height = logo.getSize()
        widest = min(LOGO_MAX_WIDTH, (page_width - 2 * margin) / 3)  # a receipt roll keeps room for the name
        scale = min(LOGO_HEIGHT / image_height, widest / image_width)
        width, height = image_width * scale, image_height * scale
        canvas.drawImage(logo, margin, top - height, width, height, mask="auto")
        text_left += width + LOGO_GAP
        text_top = top - max(0.0, (height - block_height) / 2)
        bottom = min(top - height, text_top - block_height)
    else:
        text_top = top
        bottom = top - block_height
    text_width = page_width - margin - text_left
    baseline = text_top - ASCENT * SHOP_SIZE
    draw_line(canvas, header.name, BOLD, text_left, baseline, text_width, SHOP_SIZE, SHOP_MIN)
    if header.contact_line.strip():
        baseline -= DESCENT * SHOP_SIZE + CONTACT_GAP + ASCENT * CONTACT_SIZE
        draw_line(canvas, header.contact_line, REGULAR, text_left, baseline, text_width, CONTACT_SIZE, CONTACT_MIN,
                  MUTED)
    rule = bottom - RULE_GAP
    canvas.setStrokeColorRGB(*LINE)
    canvas.setLineWidth(0.6)
    canvas.line(margin, rule, page_width - margin, rule)
    if not title:
        return rule - TITLE_GAP
    baseline = rule - TITLE_GAP - ASCENT * title_size
    draw_line(canvas, title, BOLD, margin, baseline, page_width - 2 * margin, title_size, TITLE_MIN,
              align="centre" if centred else "left")
    return baseline - DESCENT * title_size - TITLE_GAP


def draw_footer(canvas: Canvas, text: str, page_size: tuple[float, float], *, centred: bool = False,
                margin: float = MARGIN, numbered: bool = True) -> None:
    """Small print on the bottom margin, clear of the page number at the right (a roll has none)."""
    if text:
        number_room = PAGE_NUMBER_WIDTH if numbered else 0.0
        width = page_size[0] - 2 * margin - 2 * number_room
        draw_line(canvas, text, REGULAR, margin + number_room if centred else margin, margin, width,
                  FOOTER_SIZE, FOOTER_SIZE - 1, MUTED, align="centre" if centred else "left")


# --- a document flowing down its pages ---------------------------------------------------------


class PageFlow:
    """Hands out room down the page, below the last block, and starts a new page when a block does not fit.

    Every page gets the header and footer (both centred when `centred`, as on a certificate)
    after `decorate` has drawn its background. Page numbers ("Page 1 of 2") are form XObjects
    filled in by finish(), once the count is known; a one-page document has none.
    """

    def __init__(self, canvas: Canvas, header: ShopHeader, logo: ImageReader | None, title: str, *,
                 translate: Translate, footer: str = "", title_size: float = TITLE_SIZE, centred: bool = False,
                 decorate: Decorate | None = None, roll_height: float = ROLL_MEASURING_HEIGHT) -> None:
        self.canvas = canvas
        self.translate = translate
        self.roll = is_roll(header)
        self.page_size = (ROLL_WIDTHS[header.paper_size], roll_height) if self.roll else PAPER_SIZES[header.paper_size]
        self.margin = ROLL_MARGIN if self.roll else MARGIN
        self.left = self.margin
        self.right = self.page_size[0] - self.margin
        self.width = self.right - self.left
        self.bottom = self.margin + FOOTER_HEIGHT
        self.pages = 0
        self.y = self._page_top = 0.0
        self._header = header
        self._logo = logo
        self._title = title
        self._footer = footer
        self._title_size = title_size
        self._centred = centred
        self._decorate = decorate
        self._start_page()

    def tr(self, source: str, **values: object) -> str:
        """The translation of an English source text, with {name} placeholders filled in."""
        text = self.translate(source)
        return text.format(**values) if values else text

    @property
    def at_page_top(self) -> bool:
        return self.y >= self._page_top

    def room(self) -> float:
        """Height left on this page above the footer."""
        return self.y - self.bottom

    def empty_room(self) -> float:
        """Height between the header and the footer of a page with nothing on it yet."""
        return self._page_top - self.bottom

    def take(self, height: float, keep_with_next: float = 0.0) -> float:
        """The top of a block `height` tall, which moves the flow below it.

        The block goes on a new page unless it fits here together with keep_with_next of what
        follows (a heading with its first line); a block taller than a whole page goes where it is.
        """
        if height + keep_with_next > self.room() + 0.01 and not self.at_page_top:
            self.new_page()
        top = self.y
        self.y -= height
        return top

    def skip(self, height: float) -> None:
        """White space between blocks; none at the top of a page."""
        if not self.at_page_top:
            self.y -= height

    def text(self, lines: Sequence[str], font: str, size: float, leading: float, color: Color = INK,
             x: float | None = None, *, centre_in: float | None = None) -> None:
        """wrap_text's lines at x (the left margin by default), continued on new pages as needed."""
        remaining = list(lines)
        while remaining:
            count = lines_fitting(remaining, leading, self.room())
            if count == 0:
                if not self.at_page_top:
                    self.new_page()
                    continue
                count = 1
            chunk, remaining = remaining[:count], remaining[count:]
            self.y = draw_lines(self.canvas, chunk, self.left if x is None else x, self.y, font, size, leading, color,
                                centre_in=centre_in)
            if remaining:
                self.new_page()

    def new_page(self) -> None:
        self.canvas.showPage()
        self._start_page()

    def _start_page(self) -> None:
        self.pages += 1
        if self._decorate is not None:
            self._decorate(self.canvas, self.page_size)
        self.y = self._page_top = draw_header(self.canvas, self._header, self._logo, self._title, self.page_size,
                                              title_size=self._title_size, centred=self._centred,
                                              margin=self.margin)
        draw_footer(self.canvas, self._footer, self.page_size, centred=self._centred, margin=self.margin,
                    numbered=not self.roll)
        self.canvas.doForm(_page_number_form(self.pages))

    def used_height(self) -> float:
        """How tall the first page must be for what was put on it (a roll is cut there)."""
        return self.page_size[1] - self.y + self.bottom

    def finish(self) -> int:
        """Closes the last page and writes the page numbers; returns the page count."""
        self.canvas.showPage()
        for number in range(1, self.pages + 1):
            self.canvas.beginForm(_page_number_form(number))
            if self.pages > 1:
                text = self.tr(translatable("Page {page} of {pages}"), page=number, pages=self.pages)
                draw_line(self.canvas, text, REGULAR, self.right - PAGE_NUMBER_WIDTH, self.margin, PAGE_NUMBER_WIDTH,
                          FOOTER_SIZE, FOOTER_SIZE - 1, MUTED, align="right")
            self.canvas.endForm()
        return self.pages


def _page_number_form(number: int) -> str:
    return f"page_number_{number}"


@contextmanager
def open_document(out: Path | BinaryIO, header: ShopHeader, title: str, *, translate: Translate,
                  footer: str = "", title_size: float = TITLE_SIZE, centred: bool = False,
                  decorate: Decorate | None = None, roll_height: float = ROLL_MEASURING_HEIGHT) -> Iterator[PageFlow]:
    """A PageFlow on the first page of a new PDF, saved to out when the block ends without error.

    title and footer are English source texts, translated here. The header is checked before
    anything is written: a ValueError leaves out untouched. On a receipt roll the page is
    roll_height tall.
    """
    logo = _header_logo(header)
    shown_title = translate(title)
    page_size = (ROLL_WIDTHS[header.paper_size], roll_height) if is_roll(header) else PAPER_SIZES[header.paper_size]
    with pdf_canvas(out, page_size, title=one_line(shown_title), author=one_line(header.name)) as canvas:
        flow = PageFlow(canvas, header, logo, shown_title, translate=translate,
                        footer=translate(footer) if footer else "", title_size=title_size,
                        centred=centred, decorate=decorate, roll_height=roll_height)
        yield flow
        flow.finish()


def render_document(out: Path | BinaryIO, header: ShopHeader, title: str, body: Callable[[PageFlow], None], *,
                    translate: Translate, **options) -> int:
    """Opens the document, lets body fill it, and returns the page count.

    On a receipt roll the body is laid out twice: first on a very long page to measure it,
    then on a page exactly as long as it needs, so that the printer cuts right under it.
    """
    roll_height = ROLL_MEASURING_HEIGHT
    if is_roll(header):
        with open_document(io.BytesIO(), header, title, translate=translate, **options) as measuring:
            body(measuring)
        roll_height = measuring.used_height() if measuring.pages == 1 else ROLL_MEASURING_HEIGHT
    with open_document(out, header, title, translate=translate, roll_height=roll_height, **options) as page:
        body(page)
    return page.pages

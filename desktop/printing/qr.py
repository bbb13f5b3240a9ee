"""QR codes: segno builds the module matrix, and the dark modules are drawn as few rectangles.

ReportLab's QR widget costs about 33 ms per code and draws one rectangle per module; segno
encodes a short code in about 1 ms, four fifths of it trying all eight masks to pick the one
with the fewest confusing patterns. The mask is fixed instead (MASK: the one picked most often
for card codes): every mask makes a valid symbol, and a short version-1 code at level H reads
as well with any of them (the printed-card tests decode every card). Merging dark modules into horizontal runs,
then runs repeated on the rows below into taller rectangles, leaves a few dozen rectangles
(about 80 for a 9-character code) in one filled path.
"""

from __future__ import annotations

import segno
from reportlab.pdfgen.canvas import Canvas

from desktop.printing.pdf_paths import fill_rects

QUIET_MODULES = 4  # the quiet zone around the symbol, in modules (ISO/IEC 18004)
SMALLEST_SIDE = 21  # modules along a version 1 symbol: at a fixed size, the biggest modules
MASK = 7  # the data mask, fixed rather than chosen per symbol (see above)

Rect = tuple[int, int, int, int]  # column, row (from the top), width, height, in modules


def qr_matrix(text: str, error: str = "m") -> tuple[bytearray, ...]:
    """The symbol's modules, row by row from the top (1 = dark), without the quiet zone.

    The error correction level is raised above `error` whenever that fits in the same version.
    """
    return segno.make(text, error=error, micro=False, boost_error=True, mask=MASK).matrix


def dark_rects(matrix: tuple[bytearray, ...]) -> list[Rect]:
    """The dark modules as rectangles: runs along each row, merged with identical runs directly below."""
    done: list[Rect] = []
    open_runs: dict[tuple[int, int], list[int]] = {}  # (column, width) -> [first row, height]
    for row_index, row in enumerate(matrix):
        runs = _runs(row)
        for key in list(open_runs):
            if key not in runs:
                first_row, height = open_runs.pop(key)
                done.append((key[0], first_row, key[1], height))
        for key in runs:
            if key in open_runs:
                open_runs[key][1] += 1
            else:
                open_runs[key] = [row_index, 1]
    done.extend((column, first_row, width, height) for (column, width), (first_row, height) in open_runs.items())
    return done


def _runs(row: bytearray) -> set[tuple[int, int]]:
    runs = set()
    column, size = 0, len(row)
    while column < size:
        if row[column]:
            start = column
            while column < size and row[column]:
                column += 1
            runs.add((start, column - start))
        else:
            column += 1
    return runs


def draw_qr(canvas: Canvas, text: str, x: float, y: float, size: float) -> None:
    """Draws the symbol (without its quiet zone) as a square `size` points wide, bottom-left at (x, y).

    The caller keeps QUIET_MODULES modules clear around it; qr_module_size tells how big one is.
    """
    matrix = qr_matrix(text)
    module = size / len(matrix)
    top = y + size
    fill_rects(
        canvas,
        (
            (x + column * module, top - (row + height) * module, width * module, height * module)
            for column, row, width, height in dark_rects(matrix)
        ),
    )


def qr_modules(text: str) -> int:
    """Modules along one side of the symbol for this text (21 for version 1)."""
    return len(qr_matrix(text))

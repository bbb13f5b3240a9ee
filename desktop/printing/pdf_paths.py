"""Filled rectangles written straight into the page as PDF operators.

A barcode is a few dozen rectangles and a sheet of cards has thousands of barcodes;
ReportLab's path object formats every coordinate through a pure-Python routine that costs
more than the rest of a card together, so the operators are written here with plain
%-formatting (to a hundredth of a point, 0.0035 mm).
"""

from __future__ import annotations

from typing import Iterable

from reportlab.pdfgen.canvas import Canvas


def fill_rects(canvas: Canvas, rects: Iterable[tuple[float, float, float, float]]) -> None:
    """Fills (x, y, width, height) rectangles in the current fill colour, as one path."""
    operators = ["%.2f %.2f %.2f %.2f re" % rect for rect in rects]
    if operators:
        operators.append("f")
        canvas.addLiteral("\n".join(operators))

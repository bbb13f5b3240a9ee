"""One line of printed text that must fit a width: shrink it, then cut it with an ellipsis.

Text is always drawn with the canvas's plain string operations, never as a Paragraph, so
whatever a customer is called prints literally: "<b>Ana & Co</b>" is eleven characters of
name, not bold markup.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from reportlab.pdfbase.pdfmetrics import stringWidth

ELLIPSIS = "\u2026"


@dataclass(frozen=True)
class FittedText:
    text: str
    size: float  # font size in points
    width: float  # drawn width in points


def one_line(text: str) -> str:
    """NFC, every run of whitespace or control characters as one space, invisible format characters dropped."""
    text = unicodedata.normalize("NFC", text)
    out: list[str] = []
    gap = False
    for char in text:
        category = unicodedata.category(char)
        if category in ("Cf", "Cs"):  # zero-width joiners, bidi controls, soft hyphens, lone surrogates
            continue
        if char.isspace() or category in ("Cc", "Zl", "Zp"):
            gap = True
            continue
        if gap and out:
            out.append(" ")
        gap = False
        out.append(char)
    return "".join(out)


def fit_text(text: str, font: str, width: float, max_size: float, min_size: float) -> FittedText:
    """The largest size up to max_size at which the line fits; below min_size, the line cut to fit at min_size."""
    text = one_line(text)
    unit_width = stringWidth(text, font, 1)
    if unit_width * max_size <= width:
        return FittedText(text, max_size, unit_width * max_size)
    size = width / unit_width
    if size >= min_size:
        size = int(size * 10) / 10  # a tenth of a point below the exact fit, so rounding never overflows
        return FittedText(text, size, unit_width * size)
    cut = _cut_to_fit(text, font, width, min_size)
    return FittedText(cut, min_size, stringWidth(cut, font, min_size))


def _cut_to_fit(text: str, font: str, width: float, size: float) -> str:
    """The longest start of text, plus an ellipsis, that fits (binary search on the cut point)."""
    low, high = 0, len(text)  # text[:low] + ellipsis fits; text[:high] + ellipsis may not
    while low < high:
        middle = (low + high + 1) // 2
        if stringWidth(_with_ellipsis(text, middle), font, size) <= width:
            low = middle
        else:
            high = middle - 1
    return _with_ellipsis(text, low)


def _with_ellipsis(text: str, keep: int) -> str:
    while 0 < keep < len(text) and unicodedata.combining(text[keep]):
        keep -= 1  # never part a letter from its accent
    return text[:keep].rstrip() + ELLIPSIS

"""Code 128 (code set B) as a list of bars, drawn as one filled path.

Card codes are short printable ASCII, so code set B alone is the whole encoder: start B,
one symbol per character, the modulo-103 check symbol, stop. The bars are drawn as one filled
path (ReportLab's barcode widget draws each bar as its own rectangle, through its slow path
formatting).
"""

from __future__ import annotations

from reportlab.pdfgen.canvas import Canvas

from desktop.printing.pdf_paths import fill_rects

# Bar/space widths in modules for symbol values 0..106 (106 is the stop pattern, 13 modules).
_PATTERNS = (
    "212222 222122 222221 121223 121322 131222 122213 122312 132212 221213 221312 231212 112232 "
    "122132 122231 113222 123122 123221 223211 221132 221231 213212 223112 312131 311222 321122 "
    "321221 312212 322112 322211 212123 212321 232121 111323 131123 131321 112313 132113 132311 "
    "211313 231113 231311 112133 112331 132131 113123 113321 133121 313121 211331 231131 213113 "
    "213311 213131 311123 311321 331121 312113 312311 332111 314111 221411 431111 111224 111422 "
    "121124 121421 141122 141221 112214 112412 122114 122411 142112 142211 241211 221114 413111 "
    "241112 134111 111242 121142 121241 114212 124112 124211 411212 421112 421211 212141 214121 "
    "412121 111143 111341 131141 114113 114311 411113 411311 113141 114131 311141 411131 211412 "
    "211214 211232 2331112"
).split()
START_B = 104
STOP = 106
QUIET_MODULES = 10  # the quiet zone each side of the bars, in modules (ISO/IEC 15417)


def can_encode(text: str) -> bool:
    """True when code set B holds every character (printable ASCII, space to tilde)."""
    return bool(text) and all(" " <= ch <= "~" for ch in text)


def symbol_values(text: str) -> list[int]:
    """Start B, the characters, the check symbol and stop, as symbol values."""
    if not can_encode(text):
        raise ValueError(f"Code 128 set B cannot encode {text!r}")
    values = [START_B] + [ord(ch) - 32 for ch in text]
    check = (START_B + sum(position * value for position, value in enumerate(values[1:], start=1))) % 103
    return values + [check, STOP]


def bars(text: str) -> tuple[list[tuple[int, int]], int]:
    """The dark bars as (start module, width in modules), and the symbol's width in modules (no quiet zones)."""
    result: list[tuple[int, int]] = []
    position = 0
    for value in symbol_values(text):
        dark = True
        for width in _PATTERNS[value]:
            modules = ord(width) - 48
            if dark:
                result.append((position, modules))
            position += modules
            dark = not dark
    return result, position


def symbol_modules(text: str) -> int:
    """Width of the bars in modules: 11 per symbol plus 2 for the stop's final bar."""
    return 11 * (len(text) + 3) + 2


def draw_code128(canvas: Canvas, text: str, x: float, y: float, module: float, height: float) -> float:
    """Draws the bars with the first one at (x, y), bars `height` tall; returns the bars' width in points.

    The caller keeps QUIET_MODULES * module clear on each side.
    """
    dark, width = bars(text)
    fill_rects(canvas, ((x + start * module, y, modules * module, height) for start, modules in dark))
    return width * module

"""What every printed document does the same way: refuse a bad logo up front, and write the PDF whole or not at all.

A PDF saved over a path goes to a hidden private file beside it first (desktop/output_files.py)
and takes the path's name only once complete, so a failure half-way (a full disk, a bad value found late) never leaves a
truncated PDF, nor destroys the one that was there.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from desktop.output_files import private_output
from desktop.printing.fonts import REGULAR, register_fonts


def read_logo(source: str | os.PathLike[str] | bytes) -> ImageReader:
    """The logo, decoded once to be sure it can be: ValueError (mentioning the logo) if it cannot."""
    try:
        image = ImageReader(io.BytesIO(source) if isinstance(source, bytes) else os.fspath(source))
        image.getSize()
        image.getRGBData()  # a PNG whose header reads but whose data is broken fails only here
    except Exception as error:  # Pillow's many ways of saying "not an image"
        raise ValueError(f"cannot read the logo: {error}") from error
    return image


@contextmanager
def pdf_canvas(
    out: Path | BinaryIO, page_size: tuple[float, float], *, title: str, author: str
) -> Iterator[Canvas]:
    """A canvas writing to out (a path or a binary file); the PDF is saved when the block ends without error.

    For a path, nothing appears under its name unless the whole PDF was written.
    """
    register_fonts()
    if not isinstance(out, (str, os.PathLike)):
        canvas = _canvas(out, page_size, title, author)
        yield canvas
        canvas.save()
        return
    with private_output(out) as file:  # 0600: documents name customers
        canvas = _canvas(file, page_size, title, author)
        yield canvas
        canvas.save()


def _canvas(target: BinaryIO, page_size: tuple[float, float], title: str, author: str) -> Canvas:
    canvas = Canvas(target, pagesize=page_size, initialFontName=REGULAR)  # not Helvetica: no font left unembedded
    canvas.setTitle(title)
    canvas.setCreator("Regulars")
    canvas.setAuthor(author)
    canvas.setSubject("")
    return canvas

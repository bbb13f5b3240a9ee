"""CSV as Regulars writes and reads it: UTF-8, RFC 4180 quoting, safe in a spreadsheet, read strictly.

Writing: every cell that a spreadsheet would run as a formula (it starts with =, +, -, @,
a tab or a carriage return) gets a leading apostrophe, and so does a cell that starts
with an apostrophe, so reading strips exactly one and gives back what was written.

Reading: the whole file is checked as it is read; an unterminated quote, a row with the
wrong number of cells, bytes that are not UTF-8, an oversized cell or a header that is not
the expected one stops the read with the line number. Nothing is returned half-read.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import BinaryIO, TextIO

from desktop.errors import RegularsError, translatable

BOM = "\ufeff"
MAX_FIELD = 100_000  # characters in one cell: more is a damaged or hostile file
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")


class CsvRejected(RegularsError):
    """The file is not a well-formed CSV of the expected kind; nothing was read from it."""

    def __init__(self, template: str, *, line: int, name: str, **params) -> None:
        self.line = line
        self.name = name
        super().__init__(template, line=line, name=name, **params)


class _Dialect(csv.Dialect):
    delimiter = ","
    quotechar = '"'
    doublequote = True
    escapechar = None
    lineterminator = "\r\n"
    quoting = csv.QUOTE_MINIMAL
    skipinitialspace = False
    strict = True


def safe_cell(value: object) -> str:
    """The cell as written: None is empty, and a formula-like start is defused with an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def plain_cell(text: str) -> str:
    """The value safe_cell was given (as text): one defusing apostrophe removed."""
    return text[1:] if text.startswith("'") else text


def write_csv(out: TextIO, header: Sequence[str], rows: Iterable[Sequence[object]], *, bom: bool = False) -> int:
    """Writes header and rows to a text stream opened with newline=""; returns the number of rows."""
    if bom:
        out.write(BOM)
    writer = csv.writer(out, dialect=_Dialect)
    writer.writerow([safe_cell(name) for name in header])
    count = 0
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
        count += 1
    return count


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]], *, bom: bool = False) -> tuple[bytes, int]:
    """The CSV as UTF-8 bytes, and its row count."""
    buffer = io.StringIO(newline="")
    count = write_csv(buffer, header, rows, bom=bom)
    return buffer.getvalue().encode("utf-8"), count


def read_csv(
    source: bytes | BinaryIO, *, name: str, header: Sequence[str] | None = None, max_field: int = MAX_FIELD
) -> tuple[list[str], list[list[str]]]:
    """The header and every row, cells as written (apostrophes removed), or CsvRejected naming the line.

    header, when given, must match the file's header exactly (same names, same order).
    """
    data = source if isinstance(source, bytes) else source.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CsvRejected(
            translatable("{name}, line {line}: not UTF-8 text (save the file as UTF-8)."), line=line, name=name
        ) from None
    if text.startswith(BOM):
        text = text[1:]
    rows = list(_strict_rows(text, name, max_field))
    if not rows:
        raise CsvRejected(translatable("{name}, line {line}: the file is empty."), line=1, name=name)
    found, body = rows[0], rows[1:]
    if header is not None and found != list(header):
        raise CsvRejected(
            translatable("{name}, line {line}: the columns are not the expected ones ({expected})."),
            line=1,
            name=name,
            expected=", ".join(header),
        )
    return found, body


def _strict_rows(text: str, name: str, max_field: int) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), dialect=_Dialect)
    width = None
    csv.field_size_limit(max(max_field, 1) + 2)  # one more than allowed, so too long is an error we name
    try:
        for row in reader:
            line = reader.line_num
            if any(len(cell) > max_field for cell in row):
                raise CsvRejected(
                    translatable("{name}, line {line}: a cell is longer than {max} characters."),
                    line=line,
                    name=name,
                    max=max_field,
                )
            if width is None:
                width = len(row)
            elif len(row) != width:
                raise CsvRejected(
                    translatable("{name}, line {line}: {count} cells where the header has {width}."),
                    line=line,
                    name=name,
                    count=len(row),
                    width=width,
                )
            yield [plain_cell(cell) for cell in row]
    except csv.Error as error:
        message = str(error)
        if "field larger than field limit" in message:
            raise CsvRejected(
                translatable("{name}, line {line}: a cell is longer than {max} characters."),
                line=reader.line_num,
                name=name,
                max=max_field,
            ) from None
        template = (
            translatable("{name}, line {line}: a quoted cell is never closed.")
            if "EOF" in message or "unexpected end of data" in message
            else translatable("{name}, line {line}: badly formed CSV ({problem}).")
        )
        raise CsvRejected(template, line=reader.line_num, name=name, problem=message) from None

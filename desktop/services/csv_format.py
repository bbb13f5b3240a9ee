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
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import BinaryIO, TextIO

from desktop.errors import RegularsError, translatable

BOM = "\ufeff"
MAX_FIELD = 100_000  # characters in one cell: more is a damaged or hostile file
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
_FIELD_LIMIT_LOCK = threading.Lock()


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


# Bulk export: SQLite defuses each formula-like cell (defused_sql) and joins a row's values
# with the ASCII unit separator (a control character no stored text may hold); csv_lines
# turns a batch of such rows into CSV lines exactly as write_csv writes them, quoting only
# the rare cells that need it. A million rows take seconds instead of a minute.
UNIT_SEPARATOR = "\x1f"
_RECORD_SEPARATOR = "\x1e"
_QUOTE_IF_ANY = (",", '"', "\r", "\n")  # QUOTE_MINIMAL for this dialect: delimiter, quote, line breaks


def defused_sql(expression: str) -> str:
    """SQL giving safe_cell's text for the value of expression (NULL stays NULL)."""
    printable = "".join(start for start in _FORMULA_STARTS if start.isprintable() and start != "-")
    controls = ", ".join(str(ord(start)) for start in _FORMULA_STARTS if not start.isprintable())
    pattern = "'[-" + printable.replace("'", "''") + "'" + (f" || char({controls})" if controls else "") + " || ']*'"
    return f"(CASE WHEN {expression} GLOB {pattern} THEN char(39) || {expression} ELSE {expression} END)"


def joined_row_sql(expressions: Sequence[str]) -> str:
    """SQL joining the values of expressions with UNIT_SEPARATOR, NULL as empty: one text per row."""
    return " || char(31) || ".join(f"coalesce({expression}, '')" for expression in expressions)


def csv_lines(joined: Sequence[str], width: int) -> list[str | None]:
    """The CSV line (without its line break) of each row that joined_row_sql made of width defused cells.

    A row whose text holds a separator itself cannot be split back into its cells: its
    line is None, and the caller writes that row's cells another way.
    """
    if not joined:
        return []
    batch = _RECORD_SEPARATOR.join(joined)
    if (
        batch.count(UNIT_SEPARATOR) == len(joined) * (width - 1)
        and batch.count(_RECORD_SEPARATOR) == len(joined) - 1
        and not any(char in batch for char in _QUOTE_IF_ANY)
    ):
        return batch.replace(UNIT_SEPARATOR, ",").split(_RECORD_SEPARATOR)
    return [_one_line(row, width) for row in joined]


def _one_line(row: str, width: int) -> str | None:
    cells = row.split(UNIT_SEPARATOR)
    if len(cells) != width or _RECORD_SEPARATOR in row:
        return None
    if any(char in row for char in _QUOTE_IF_ANY):
        cells = [f'"{cell.replace(chr(34), chr(34) * 2)}"' if any(c in cell for c in _QUOTE_IF_ANY) else cell
                 for cell in cells]
    return ",".join(cells)


def write_csv_lines(out: TextIO, header: Sequence[str], batches: Iterable[Sequence[str]]) -> int:
    """As write_csv, for batches of finished lines (csv_lines); returns the row count."""
    writer = csv.writer(out, dialect=_Dialect)
    writer.writerow([safe_cell(name) for name in header])
    count = 0
    for lines in batches:
        if lines:
            out.write("\r\n".join(lines))
            out.write("\r\n")
            count += len(lines)
    return count


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
    with _field_limit(max_field):
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


@contextmanager
def _field_limit(max_field: int) -> Iterator[None]:
    """The csv module's limit, which is process-wide, set for one read and then put back.

    It is one more than a cell may hold plus the defusing apostrophe, so a cell that is
    too long is an error we name ourselves, and other readers are left as they were.
    """
    with _FIELD_LIMIT_LOCK:
        before = csv.field_size_limit(max(max_field, 1) + 2)
        try:
            yield
        finally:
            csv.field_size_limit(before)


def _strict_rows(text: str, name: str, max_field: int) -> Iterator[list[str]]:
    """Rows with apostrophes removed; errors name the line where the offending row begins."""
    reader = csv.reader(io.StringIO(text, newline=""), dialect=_Dialect)
    width = None
    row_line = 1  # where the next row begins: a quoted cell may hold line breaks
    try:
        for raw in reader:
            row = [plain_cell(cell) for cell in raw]
            if any(len(cell) > max_field for cell in row):
                raise CsvRejected(
                    translatable("{name}, line {line}: a cell is longer than {max} characters."),
                    line=row_line,
                    name=name,
                    max=max_field,
                )
            if width is None:
                width = len(row)
            elif len(row) != width:
                raise CsvRejected(
                    translatable("{name}, line {line}: {count} cells where the header has {width}."),
                    line=row_line,
                    name=name,
                    count=len(row),
                    width=width,
                )
            yield row
            row_line = reader.line_num + 1
    except csv.Error as error:
        message = str(error)
        if "field larger than field limit" in message:
            raise CsvRejected(
                translatable("{name}, line {line}: a cell is longer than {max} characters."),
                line=row_line,
                name=name,
                max=max_field,
            ) from None
        if "EOF" in message or "unexpected end of data" in message:
            # The reader is at the end of the file by now; the quote was opened on the row's line.
            raise CsvRejected(
                translatable("{name}, line {line}: a quoted cell is never closed."), line=row_line, name=name
            ) from None
        raise CsvRejected(
            translatable("{name}, line {line}: badly formed CSV ({problem})."),
            line=reader.line_num,
            name=name,
            problem=message,
        ) from None

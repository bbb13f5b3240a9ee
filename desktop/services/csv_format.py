"""CSV as Regulars writes and reads it: UTF-8, RFC 4180 quoting, safe in a spreadsheet, read strictly.

Writing: every cell that a spreadsheet would run as a formula (it starts with =, +, -, @,
a tab or a carriage return) gets a leading apostrophe, and so does a cell that starts
with an apostrophe, so reading strips exactly one and gives back what was written.

Spreadsheets whose list separator is ";" (Excel in Portugal, Brazil, the Netherlands,
Greece...) open a comma-separated file split at every ";" and every line break, quoted or
not: only a cell that begins a line stays whole, any other is cut at its first ";" and
the rest starts a cell of its own. So a cell holding ";" is quoted (it then stays whole
where it begins a line), and inside any cell, what follows a ";", a line feed or a
carriage return gets the same apostrophe when it starts like a formula, with an
apostrophe or with a double quote (the cut may start with a quoted field). Reading
removes exactly those apostrophes again.

Reading: the whole file is checked as it is read; an unterminated quote, a row with the
wrong number of cells, bytes that are not UTF-8, an oversized cell or a header that is not
the expected one stops the read with the line number. Nothing is returned half-read.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import BinaryIO, TextIO

from desktop.errors import RegularsError, translatable

BOM = "\ufeff"
MAX_FIELD = 100_000  # characters in one cell: more is a damaged or hostile file
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
# Where a ";"-separated reading cuts a cell, and what may not follow the cut undefused.
_AFTER_A_CUT = re.compile("(?<=[;\n\r])(?=[=+\\-@\t\r'\"])")  # where an apostrophe goes in
_DEFUSED_CUT = re.compile("(?<=[;\n\r])'")  # and the apostrophe there, taken out
# A cell holding one of these is quoted: the delimiter, ";" for ";"-separator spreadsheets, the quote, line breaks.
_QUOTE_IF_ANY = (",", ";", '"', "\r", "\n")
_NEEDS_QUOTES = re.compile('[,;"\r\n]')
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
    quoting = csv.QUOTE_MINIMAL  # for reading; writing quotes ";" too (_line)
    skipinitialspace = False
    strict = True


def safe_cell(value: object) -> str:
    """The cell as written: None is empty, and a formula-like start is defused with an apostrophe.

    So is each part of the cell after a ";" or a line break (see the module's docstring).
    """
    text = "" if value is None else str(value)
    if ";" in text or "\n" in text or "\r" in text:
        text = _defuse_cuts(text)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def plain_cell(text: str) -> str:
    """The value safe_cell was given (as text): the defusing apostrophes removed."""
    if text.startswith("'"):
        text = text[1:]
    if "'" in text and (";" in text or "\n" in text or "\r" in text):
        text = _DEFUSED_CUT.sub("", text)
    return text


def _defuse_cuts(text: str) -> str:
    """An apostrophe after each ";" or line break that a formula, an apostrophe or a double quote follows."""
    return _AFTER_A_CUT.sub("'", text)


def _line(cells: Sequence[str]) -> str:
    """One CSV record (without its line break): cells holding a delimiter, ";", a quote or a line break quoted."""
    if len(cells) == 1 and not cells[0]:
        return '""'  # a lone empty cell, so the record is not a blank line
    needs_quotes = _NEEDS_QUOTES.search
    return ",".join(['"' + cell.replace('"', '""') + '"' if needs_quotes(cell) else cell for cell in cells])


def write_csv(out: TextIO, header: Sequence[str], rows: Iterable[Sequence[object]], *, bom: bool = False) -> int:
    """Writes header and rows to a text stream opened with newline=""; returns the number of rows."""
    if bom:
        out.write(BOM)
    out.write(_line([safe_cell(name) for name in header]) + "\r\n")
    count = 0
    for row in rows:
        out.write(_line([safe_cell(value) for value in row]) + "\r\n")
        count += 1
    return count


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]], *, bom: bool = False) -> tuple[bytes, int]:
    """The CSV as UTF-8 bytes, and its row count."""
    buffer = io.StringIO(newline="")
    count = write_csv(buffer, header, rows, bom=bom)
    return buffer.getvalue().encode("utf-8"), count


# Bulk export: SQLite defuses each formula-like cell (defused_sql), joins a row's values
# with the ASCII unit separator and a batch's rows with the record separator (control
# characters no stored text may hold); csv_block_of_batch turns such a batch into CSV lines
# exactly as write_csv writes them, quoting (and defusing after a ";" or a line break) only
# the rare cells that need it. A million rows take seconds instead of a minute.
UNIT_SEPARATOR = "\x1f"
RECORD_SEPARATOR = "\x1e"


def defused_sql(expression: str) -> str:
    """SQL giving safe_cell's text for the value of expression (NULL stays NULL).

    The first character's code point, compared with a short list, costs less than a GLOB.
    """
    starts = ", ".join(str(ord(start)) for start in _FORMULA_STARTS)
    return f"(CASE WHEN unicode({expression}) IN ({starts}) THEN char(39) || {expression} ELSE {expression} END)"


def joined_row_sql(expressions: Sequence[str]) -> str:
    """SQL joining the values of expressions with UNIT_SEPARATOR, NULL as empty: one text per row.

    concat_ws builds the row's text once; a chain of || copies it again at every cell.
    """
    cells = ", ".join(f"coalesce({expression}, '')" for expression in expressions)
    return f"concat_ws(char(31), {cells})"


def csv_lines(joined: Sequence[str], width: int) -> list[str | None]:
    """The CSV line (without its line break) of each row that joined_row_sql made of width defused cells.

    A row whose text holds a separator itself cannot be split back into its cells: its
    line is None, and the caller writes that row's cells another way. Row by row: for the
    rare batch csv_block_of_batch cannot take whole.
    """
    return [_one_line(row, width) for row in joined]


def csv_block_of_batch(batch: str, rows: int, width: int) -> str | None:
    """The CSV lines, each with its line break, of rows that joined_row_sql made, joined with
    RECORD_SEPARATOR (by SQLite: tables.batch_sql); None when a cell holds a separator itself
    (then the caller goes row by row with csv_lines).

    Done in a few passes over the batch as one string, whatever the rows hold: the cells
    that need quoting (a comma in an address, a line break in a note) are found with
    str.find and quoted one by one, the rest are left alone.
    """
    if rows == 0:
        return ""
    if batch.count(UNIT_SEPARATOR) != rows * (width - 1) or batch.count(RECORD_SEPARATOR) != rows - 1:
        return None
    if not any(char in batch for char in _QUOTE_IF_ANY):
        return batch.replace(UNIT_SEPARATOR, ",").replace(RECORD_SEPARATOR, "\r\n") + "\r\n"
    return _quote_cells(batch).replace(UNIT_SEPARATOR, ",").replace(RECORD_SEPARATOR, "\r\n") + "\r\n"


def _quote_cells(batch: str) -> str:
    """The batch (cells between separators) with each cell that needs it quoted and defused after its cuts."""
    found = []
    for char in _QUOTE_IF_ANY:
        at = batch.find(char)
        while at != -1:
            found.append(at)
            at = batch.find(char, at + 1)
    found.sort()
    pieces = []
    done = 0  # batch[:done] is in pieces; batch[done] is the separator after the last quoted cell
    for at in found:
        if at < done:
            continue  # in the cell just quoted
        start = max(batch.rfind(UNIT_SEPARATOR, done, at), batch.rfind(RECORD_SEPARATOR, done, at)) + 1
        end, row_end = batch.find(UNIT_SEPARATOR, at), batch.find(RECORD_SEPARATOR, at)
        if end == -1 or 0 <= row_end < end:
            end = row_end if row_end != -1 else len(batch)
        cell = batch[start:end]
        if ";" in cell or "\n" in cell or "\r" in cell:
            cell = _defuse_cuts(cell)
        pieces.append(batch[done:start])
        pieces.append('"' + cell.replace('"', '""') + '"' if '"' in cell else '"' + cell + '"')
        done = end
    pieces.append(batch[done:])
    return "".join(pieces)


def _one_line(row: str, width: int) -> str | None:
    if row.count(UNIT_SEPARATOR) != width - 1 or RECORD_SEPARATOR in row:
        return None
    needs_quotes = _NEEDS_QUOTES.search
    if needs_quotes(row) is None:
        return row.replace(UNIT_SEPARATOR, ",")
    # The start of each cell is defused already (defused_sql); the parts after a cut, only in
    # cells that are quoted anyway, are not.
    return ",".join([
        '"' + _defuse_cuts(cell).replace('"', '""') + '"' if needs_quotes(cell) else cell
        for cell in row.split(UNIT_SEPARATOR)
    ])


def header_line(header: Sequence[str]) -> str:
    """The header record as write_csv writes it, line break included (to go before csv_lines' lines)."""
    return _line([safe_cell(name) for name in header]) + "\r\n"


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


def read_csv_lines(
    lines: Iterable[str], *, name: str, header: Sequence[str], accepts: Callable[[list[str]], bool] | None = None,
    max_field: int = MAX_FIELD,
) -> Iterator[list[str]]:
    """The rows, as read_csv reads them, of a file given line by line (each with its line break), as
    they come: for files too large to hold whole. The first line must be header exactly (or one
    that accepts(found) takes, when given: an older file's header, say).

    The csv module's own cell limit stays as it is (it is process-wide, and this read lasts as
    long as its caller takes): cells are checked against max_field here.
    """
    lines = iter(lines)
    first = next(lines, "")
    rows = _strict_rows(itertools.chain([first.removeprefix(BOM)], lines), name, max_field)
    found = next(rows, None)
    if found is None:
        raise CsvRejected(translatable("{name}, line {line}: the file is empty."), line=1, name=name)
    if not (accepts(found) if accepts is not None else found == list(header)):
        raise CsvRejected(
            translatable("{name}, line {line}: the columns are not the expected ones ({expected})."),
            line=1,
            name=name,
            expected=", ".join(header),
        )
    yield from rows


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


def _strict_rows(text: str | Iterable[str], name: str, max_field: int) -> Iterator[list[str]]:
    """Rows with apostrophes removed (of a text, or of its lines); errors name the line where the
    offending row begins."""
    lines = io.StringIO(text, newline="") if isinstance(text, str) else text
    reader = csv.reader(lines, dialect=_Dialect)
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

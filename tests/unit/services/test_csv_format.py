"""CSV as Regulars writes it: defused formulas, RFC 4180 quoting, and reading that refuses damage with a line number.

Every file written here is also read by Python's own csv module in its strictest settings,
and scanned as a spreadsheet would see it: no cell may start like a formula.
"""

from __future__ import annotations

import csv
import io
import threading

import pytest

from desktop.services.csv_format import (
    BOM,
    MAX_FIELD,
    CsvRejected,
    csv_bytes,
    plain_cell,
    read_csv,
    safe_cell,
    write_csv,
)

FORMULAS = [
    "=1+1",
    '=HYPERLINK("http://x","y")',
    "+5511987654321",
    "-3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "'already quoted",
    "''two",
    "=cmd|' /C calc'!A0",
]
AWKWARD = [
    'She said "hi"',
    "a,b,c",
    "line one\r\nline two",
    "line one\nline two",
    "ends with CR\r",
    "São João, Coração",
    "Γιώργος Παπαδόπουλος",
    "",
    " leading space",
    "tab\tinside",
    "emoji 🥐",
    "semi;colon",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def strict_reader(data: bytes) -> list[list[str]]:
    """Python's csv module at its strictest: RFC 4180 quoting, errors on any malformed quote."""
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=",", quotechar='"', doublequote=True, strict=True))


def spreadsheet_cells(data: bytes) -> list[list[str]]:
    """The cells a spreadsheet would see on opening the file: plain csv, no dialect sniffing, BOM removed."""
    text = data.decode("utf-8")
    if text.startswith(BOM):
        text = text[1:]
    return list(csv.reader(io.StringIO(text, newline=""), dialect="excel"))


def assert_no_formula(data: bytes) -> None:
    for row in spreadsheet_cells(data):
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), repr(cell)


# Writing: formulas are defused


@pytest.mark.parametrize("value", FORMULAS)
def test_a_formula_like_cell_is_defused_in_the_raw_bytes_and_read_back_as_written(value):
    data, count = csv_bytes(["value"], [[value]])
    assert count == 1
    assert_no_formula(data)
    raw_cell = strict_reader(data)[1][0]
    assert raw_cell == {"\r=1+1": "'\r'=1+1"}.get(value, "'" + value)  # what follows the CR is defused too
    assert read_csv(data, name="t.csv") == (["value"], [[value]])


def test_safe_and_plain_cells_are_inverse():
    for value in [*FORMULAS, *AWKWARD]:
        assert plain_cell(safe_cell(value)) == value
    assert safe_cell(None) == ""
    assert safe_cell(-3) == "'-3"
    assert safe_cell(42) == "42"
    assert safe_cell("a=b") == "a=b"  # only the start counts


def test_header_names_are_defused_too():
    data, _ = csv_bytes(["=name", "ok"], [["a", "b"]])
    assert_no_formula(data)
    assert read_csv(data, name="t.csv", header=["=name", "ok"])[0] == ["=name", "ok"]


# Writing for spreadsheets whose list separator is ";" (Portugal, Brazil, the Netherlands, Greece)


def semicolon_cells(data: bytes) -> list[list[str]]:
    """The cells such a spreadsheet sees: the same file split at ";", quotes honoured only where a cell begins."""
    text = data.decode("utf-8")
    if text.startswith(BOM):
        text = text[1:]
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"', doublequote=True))


def assert_no_formula_when_split_at_semicolons(data: bytes) -> None:
    for row in semicolon_cells(data):
        for cell in row:
            # a cut just before a closing quote at the end of a record gives a cell starting with that line break
            assert not cell.lstrip("\r\n").startswith(FORMULA_STARTS), repr(cell)


SEMICOLONS = [
    "Rua A;=X",
    "x;=1+1;",
    "x;=cmd|' /C calc'!A0;y",
    "a;+5511987654321",
    "a;-3",
    "a;@SUM(A1)",
    "a;\t=1",
    "a;\r=1",
    'x;"=1',
    'x;""=1',
    "x;'kept",
    "x;;=1",
    "ends with;",
    ";=starts",
    "notes\n=1+1",
    "notes\r\n-2 items",
    "notes\r\r=1",
    "=both;=parts",
]


def test_a_cell_holding_a_semicolon_is_quoted_and_stays_one_cell_where_a_line_begins():
    data, _ = csv_bytes(["address", "city"], [["Rua A;=X", "Porto"]])
    assert data == b'address,city\r\n"Rua A;\'=X",Porto\r\n'
    assert semicolon_cells(data)[1] == ["Rua A;'=X,Porto"]  # one cell, and not a formula
    assert read_csv(data, name="t.csv") == (["address", "city"], [["Rua A;=X", "Porto"]])


@pytest.mark.parametrize("value", SEMICOLONS)
@pytest.mark.parametrize("position", [0, 1, 2])
def test_no_cell_starts_like_a_formula_when_the_file_is_split_at_semicolons(value, position):
    """Quoting alone is not enough: a cell that does not begin the line is cut at its ";" and line breaks."""
    row = ["Ana", "Souza", "Lisboa"]
    row[position] = value
    data, _ = csv_bytes(["first_name", "last_name", "city"], [row, ["Bia", value, value]])
    assert_no_formula_when_split_at_semicolons(data)
    assert_no_formula(data)
    assert read_csv(data, name="t.csv")[1] == [row, ["Bia", value, value]]
    assert [[plain_cell(c) for c in r] for r in strict_reader(data)[1:]] == [row, ["Bia", value, value]]


def test_every_awkward_and_formula_cell_is_safe_split_at_semicolons_too():
    values = AWKWARD + FORMULAS + SEMICOLONS
    rows = [[values[i], values[(i + 1) % len(values)], values[(i + 2) % len(values)]] for i in range(len(values))]
    data, _ = csv_bytes(["a", "b", "c"], rows)
    assert_no_formula_when_split_at_semicolons(data)
    assert read_csv(data, name="t.csv", header=["a", "b", "c"])[1] == rows


def test_what_follows_a_semicolon_or_a_line_break_is_defused_and_read_back():
    assert safe_cell("Rua A;=X") == "Rua A;'=X"
    assert safe_cell("x;'kept") == "x;''kept"  # an apostrophe there is doubled, so reading removes exactly one
    assert safe_cell('x;"=1') == "x;'\"=1"
    assert safe_cell("x;1=2") == "x;1=2"  # only the start of each part counts
    assert safe_cell("notes\r\n-2") == "notes\r\n'-2"
    assert safe_cell("\r=1") == "'\r'=1"
    for value in SEMICOLONS:
        assert plain_cell(safe_cell(value)) == value


# Writing: RFC 4180 quoting, accents and line breaks


def test_awkward_cells_round_trip_through_read_csv_and_the_strict_csv_module():
    rows = [[value, str(index)] for index, value in enumerate(AWKWARD + FORMULAS)]
    data, count = csv_bytes(["text", "n"], rows)
    assert count == len(rows)
    assert read_csv(data, name="t.csv", header=["text", "n"]) == (["text", "n"], rows)
    strict = strict_reader(data)
    assert strict[0] == ["text", "n"]
    assert [[plain_cell(c) for c in row] for row in strict[1:]] == rows
    assert_no_formula(data)


def test_records_end_in_crlf_and_quotes_are_doubled():
    data, _ = csv_bytes(["a", "b"], [['x "y"', "1,2"], ["plain", "line\nbreak"]])
    assert data == b'a,b\r\n"x ""y""","1,2"\r\nplain,"line\nbreak"\r\n'


def test_a_lone_empty_cell_is_quoted_so_the_row_is_not_a_blank_line():
    data, _ = csv_bytes(["only"], [[""], ["x"]])
    assert read_csv(data, name="t.csv") == (["only"], [[""], ["x"]])


def test_text_is_utf8_without_bom_unless_asked():
    data, _ = csv_bytes(["name"], [["São"]])
    assert not data.startswith(b"\xef\xbb\xbf")
    assert "São".encode() in data
    with_bom, _ = csv_bytes(["name"], [["São"]], bom=True)
    assert with_bom == b"\xef\xbb\xbf" + data
    assert read_csv(with_bom, name="t.csv") == (["name"], [["São"]])
    assert strict_reader(with_bom)[0] == ["name"]  # utf-8-sig: the BOM is not part of the first name


def test_write_csv_to_a_text_stream_counts_rows():
    buffer = io.StringIO(newline="")
    assert write_csv(buffer, ["a"], iter([["1"], ["2"], ["3"]]), bom=True) == 3
    assert buffer.getvalue() == BOM + "a\r\n1\r\n2\r\n3\r\n"


def test_read_csv_takes_a_binary_stream():
    data, _ = csv_bytes(["a"], [["Ω"]])
    assert read_csv(io.BytesIO(data), name="t.csv") == (["a"], [["Ω"]])


# Reading strictly: every refusal names the file and the line


def rejected(data: bytes, **kwargs) -> CsvRejected:
    with pytest.raises(CsvRejected) as caught:
        read_csv(data, name="customers.csv", **kwargs)
    assert str(caught.value).startswith(f"customers.csv, line {caught.value.line}:")
    assert caught.value.name == "customers.csv"
    return caught.value


def test_a_ragged_row_is_refused_with_its_line():
    error = rejected(b"a,b\r\n1,2\r\n3\r\n4,5\r\n")
    assert error.line == 3
    assert "1 cells where the header has 2" in str(error)
    assert rejected(b"a,b\r\n1,2,3\r\n").line == 2


def test_a_ragged_row_after_a_multiline_cell_names_the_line_the_row_starts_on():
    assert rejected(b'a,b\r\n"x\r\ny",1\r\n"p\r\nq",2,3\r\n').line == 4


def test_an_unterminated_quote_is_refused_at_the_line_where_it_opens():
    error = rejected(b'a,b\r\n1,2\r\n"never closed,3\r\nmore\r\nand more\r\n')
    assert error.line == 3
    assert "never closed" in str(error)


def test_a_stray_quote_after_a_quoted_cell_is_refused():
    error = rejected(b'a,b\r\n1,2\r\n"x"y,2\r\n')
    assert error.line == 3
    assert "badly formed" in str(error)


def test_bytes_that_are_not_utf8_are_refused_with_their_line():
    error = rejected("a,b\r\n1,2\r\nJoão,3\r\n".encode("latin-1"))
    assert error.line == 3
    assert "UTF-8" in str(error)


def test_an_oversized_cell_is_refused_with_its_line():
    data, _ = csv_bytes(["a"], [["short"], ["x" * 11], ["y"]])
    error = rejected(data, max_field=10)
    assert error.line == 3
    assert "longer than 10" in str(error)
    far_too_long, _ = csv_bytes(["a"], [["short"], ["x" * 500]])
    assert rejected(far_too_long, max_field=10).line == 3


def test_a_cell_of_exactly_the_maximum_is_read_even_when_defused():
    value = "=" + "x" * 9
    data, _ = csv_bytes(["a"], [[value], ["x" * 10]])
    assert read_csv(data, name="t.csv", max_field=10)[1] == [[value], ["x" * 10]]


def test_the_default_maximum_allows_long_notes_and_refuses_more():
    data, _ = csv_bytes(["a"], [["n" * MAX_FIELD]])
    assert read_csv(data, name="t.csv")[1] == [["n" * MAX_FIELD]]
    assert rejected(csv_bytes(["a"], [["n" * (MAX_FIELD + 1)]])[0]).line == 2


def test_reading_leaves_the_csv_modules_field_limit_as_it_was():
    before = csv.field_size_limit()
    read_csv(b"a\r\nb\r\n", name="t.csv", max_field=5)
    rejected(b"a\r\nbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\r\n", max_field=5)
    assert csv.field_size_limit() == before
    # other readers still take long cells
    assert strict_reader(csv_bytes(["a"], [["z" * 1000]])[0])[1] == ["z" * 1000]


def test_reads_on_several_threads_keep_their_own_limits():
    small, _ = csv_bytes(["a"], [["x" * 50]])
    big, _ = csv_bytes(["a"], [["x" * 5000]])
    failures = []

    def read_many(data: bytes, max_field: int, should_pass: bool) -> None:
        for _ in range(200):
            try:
                read_csv(data, name="t.csv", max_field=max_field)
                ok = True
            except CsvRejected:
                ok = False
            if ok != should_pass:
                failures.append((max_field, ok))

    threads = [
        threading.Thread(target=read_many, args=(small, 10, False)),
        threading.Thread(target=read_many, args=(big, 10_000, True)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_a_wrong_header_is_refused_on_line_one():
    data, _ = csv_bytes(["email", "first_name"], [["a@b.c", "Ana"]])
    error = rejected(data, header=["email", "first_name", "last_name"])
    assert error.line == 1
    assert "email, first_name, last_name" in str(error)
    assert rejected(data, header=["first_name", "email"]).line == 1  # order matters


def test_an_empty_file_is_refused():
    assert rejected(b"").line == 1
    assert rejected(b"\xef\xbb\xbf").line == 1


def test_a_blank_line_in_the_middle_is_a_ragged_row():
    assert rejected(b"a,b\r\n1,2\r\n\r\n3,4\r\n").line == 3


def test_lf_and_cr_line_ends_are_understood():
    assert read_csv(b"a,b\n1,2\n", name="t.csv") == (["a", "b"], [["1", "2"]])
    assert read_csv(b"a,b\r1,2\r", name="t.csv") == (["a", "b"], [["1", "2"]])

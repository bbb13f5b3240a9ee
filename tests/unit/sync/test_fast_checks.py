"""The fast paths sync relies on give exactly what the services' own rules give."""

from __future__ import annotations

import csv
import io

import sqlcipher3.dbapi2 as sqlcipher
from email_validator import EmailNotValidError, validate_email
from hypothesis import example, given, settings
from hypothesis import strategies as st

from desktop.services.csv_format import (
    RECORD_SEPARATOR,
    csv_block_of_batch,
    csv_bytes,
    csv_lines,
    defused_sql,
    joined_row_sql,
    read_csv,
)
from desktop.services.phones import parse_e164, parse_phone
from desktop.services.text import clean_text, is_clean_text
from desktop.sync.validation import is_stored_email

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)) | st.sampled_from("\t\r\n ,;\"'=+-@\x1f\x1e"),
               max_size=30)


@settings(max_examples=300, deadline=None)
@given(value=TEXT, multiline=st.booleans(), max_length=st.integers(0, 40))
def test_is_clean_text_agrees_with_clean_text(value, multiline, max_length):
    assert is_clean_text(value, max_length=max_length, multiline=multiline) == (
        clean_text(value, max_length=max_length, multiline=multiline) == value
    )


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.lists(st.one_of(st.none(), TEXT, st.integers(-10**6, 10**6)), min_size=3, max_size=3),
                     min_size=1, max_size=6))
def test_lines_built_in_sql_are_what_write_csv_writes(rows):
    """Every cell kind, formula-like starts, quotes, line breaks, and the separators themselves."""
    conn = sqlcipher.connect(":memory:")
    conn.execute("CREATE TABLE t (a, b, c)")
    conn.executemany("INSERT INTO t VALUES (?, ?, ?)", rows)
    joined = conn.execute(f"SELECT {joined_row_sql([defused_sql(c) for c in 'abc'])} FROM t ORDER BY rowid").fetchall()
    lines = csv_lines([text for (text,) in joined], 3)
    expected = csv_bytes(["a", "b", "c"], rows)[0].decode("utf-8").split("\r\n", 1)[1]
    written = [line for line in lines if line is not None]
    if len(written) == len(rows):
        assert "\r\n".join(written) + "\r\n" == expected
    else:  # a cell held a separator: those rows are left for the caller to write cell by cell
        assert any("\x1f" in str(cell) or "\x1e" in str(cell) for row in rows for cell in row)
    batch, count = conn.execute(  # as the export reads it: the whole batch as one text, joined by SQLite
        f"SELECT group_concat(line, char(30)), count(*) FROM (SELECT {joined_row_sql([defused_sql(c) for c in 'abc'])}"
        " AS line FROM t ORDER BY rowid)").fetchone()
    block = csv_block_of_batch(batch, count, 3)  # unless a cell holds a separator
    if block is None:
        assert any("\x1f" in str(cell) or "\x1e" in str(cell) for row in rows for cell in row)
    else:
        assert block == expected
    for (text,), line, row in zip(joined, lines, rows):
        if line is not None:
            assert read_csv(("a,b,c\r\n" + line + "\r\n").encode(), name="t.csv")[1] == [
                ["" if cell is None else str(cell) for cell in row]]
            assert next(csv.reader(io.StringIO(line, newline=""), strict=True))  # strictly readable


def _block(rows: list[str], width: int) -> str | None:
    return csv_block_of_batch(RECORD_SEPARATOR.join(rows), len(rows), width)


def test_a_batch_is_one_block_with_only_the_cells_that_need_it_quoted():
    assert _block(["a\x1fb", "'=c\x1f"], 2) == "a,b\r\n'=c,\r\n"
    assert csv_block_of_batch("", 0, 2) == ""
    for awkward in (",", ";", '"', "\r", "\n", "\r\n"):
        rows = ["a\x1fb", f"c{awkward}\x1fd", f"e\x1f{awkward}f", f"{awkward}\x1f{awkward}"]
        assert _block(rows, 2) == "\r\n".join(csv_lines(rows, 2)) + "\r\n"
    assert _block(["a\x1fb", 'Rua A, 1;=X\x1f"q"'], 2) == 'a,b\r\n"Rua A, 1;\'=X","""q"""\r\n'
    assert _block(["a\x1fb", "c\x1fd\x1fe"], 2) is None  # a cell holding a separator: row by row
    assert _block(["a\x1fb", "c\x1ed,\x1fe"], 2) is None
    assert _block(["a\x1eb\x1fc"], 2) is None  # a record separator in a cell too


@settings(max_examples=200, deadline=None)
@given(digits=st.text(alphabet="0123456789", min_size=6, max_size=14), plus=st.sampled_from(["+1", "+55", "+30", "+351",
                                                                                           "+39", "+44", "+31", "+7"]))
def test_parse_e164_accepts_exactly_what_parse_phone_stores(digits, plus):
    text = plus + digits
    full = parse_phone(text, "ZZ")
    fast = parse_e164(text)
    assert hasattr(fast, "e164") == (hasattr(full, "e164") and full.e164 == text)
    if hasattr(fast, "e164"):
        assert fast == full


def test_known_numbers_parse_fast():
    for number in ("+5511987654321", "+306941234567", "+390612345678", "+31612345678", "+447911123456"):
        assert parse_e164(number) == parse_phone(number, "ZZ")
    for number in ("+5511", "5511987654321", "+55 11 98765 4321", "+999123456"):
        assert not hasattr(parse_e164(number), "e164")


@example(local="WWW", domain="example.com")  # email_validator lowercases a few role mailboxes
@settings(max_examples=200, deadline=None)
@given(local=st.from_regex(r"[A-Za-z0-9._%+=-]{1,12}", fullmatch=True),
       domain=st.sampled_from(["example.com", "EXAMPLE.com", "gmail.com", "xn--bcher-kva.de", "bücher.de", "localhost",
                               "a..b.com", "sub.example.org", "-x.com", "example.c", "123.456"]))
def test_stored_emails_are_checked_as_the_customer_service_stores_them(local, domain):
    email = f"{local}@{domain}"
    try:
        expected = validate_email(email, check_deliverability=False).normalized == email
    except EmailNotValidError:
        expected = False
    assert is_stored_email(email) == expected


def test_the_sync_package_needs_no_qt():
    import subprocess
    import sys

    code = ("import sys, desktop.sync.export, desktop.sync.importer, desktop.cli.sync; "
            "assert not [m for m in sys.modules if m.startswith('PySide6')]")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0

"""A sync bundle opens in 7-Zip with the sync passphrase, and its CSVs, read back by Python's csv module with
the strictest settings and by a spreadsheet-style reader, match the shop file field for field."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess

import pytest

from desktop.services.csv_format import plain_cell, safe_cell
from desktop.sync.export import export_bundle
from desktop.sync.tables import TABLES, select_sql
from tests.sync_helpers import AWKWARD_NOTES, SYNC_PASSPHRASE, fill_book


def seven_zip() -> str:
    found = shutil.which("7z") or shutil.which("7zz") or shutil.which("7za")
    if found is None:
        pytest.fail("7-Zip is not installed: run ./dev test (it installs the 7zip package)")
    return found


class Strict(csv.Dialect):
    delimiter, quotechar, doublequote, escapechar = ",", '"', True, None
    lineterminator, quoting, skipinitialspace, strict = "\r\n", csv.QUOTE_MINIMAL, False, True


def spreadsheet_value(cell: str) -> str:
    """The value: the apostrophes that mark text (at the start, and after a ";" or a line break) removed."""
    return plain_cell(cell)


def test_seven_zip_opens_the_bundle_and_every_field_matches(shop, tmp_path):
    fill_book(shop)
    bundle = tmp_path / "bundle.zip"
    export_bundle(shop, bundle, passphrase=SYNC_PASSPHRASE, full=True)
    out = tmp_path / "extracted"

    wrong = subprocess.run([seven_zip(), "x", "-pnot-the-passphrase", f"-o{tmp_path / 'wrong'}", str(bundle)],
                           capture_output=True, text=True)
    assert wrong.returncode != 0
    done = subprocess.run([seven_zip(), "x", f"-p{SYNC_PASSPHRASE}", f"-o{out}", str(bundle)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr

    with shop.reading() as session:
        conn = session.connection()
        for spec in TABLES:
            raw = (out / spec.file).read_bytes()
            text = raw.decode("utf-8", errors="strict")
            rows = list(csv.reader(io.StringIO(text, newline=""), dialect=Strict))
            assert tuple(rows[0]) == spec.header
            for row in rows[1:]:
                assert len(row) == len(spec.header)
                assert not row or not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for cell in row)
            in_file = sorted(tuple(spreadsheet_value(cell) for cell in row) for row in rows[1:])
            in_shop = sorted(tuple("" if v is None else str(v) for v in row)
                             for row in conn.exec_driver_sql(select_sql(spec)).all())
            assert in_file == in_shop, spec.name
        notes = conn.exec_driver_sql("SELECT notes FROM customers WHERE notes LIKE 'Prefers%'").scalar()
    assert notes == AWKWARD_NOTES.replace("\r\n", "\n")  # accents, quotes, tab and line breaks, exactly
    assert ";'\ttab" in safe_cell(notes)  # a tab after ";" starts a cell in a ";"-separator spreadsheet: defused
    quoted = '"' + safe_cell(notes).replace('"', '""') + '"'  # RFC 4180: one quoted cell, line breaks and all
    assert quoted in (out / "customers.csv").read_text(encoding="utf-8")

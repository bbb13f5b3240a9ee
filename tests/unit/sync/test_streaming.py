"""The bundle's rows read as a stream, in pieces of any size, are exactly the rows read whole."""

from __future__ import annotations

import pytest

from desktop.services.csv_format import read_csv
from desktop.sync import bundle as bundle_module
from desktop.sync.bundle import BundleRefused, open_bundle
from desktop.sync.export import export_bundle
from desktop.sync.tables import TABLES
from tests.sync_helpers import SYNC_PASSPHRASE, fill_book, members, rezip


@pytest.fixture
def exported(shop, tmp_path):
    fill_book(shop)  # accents, Greek, quoted cells with line breaks, formula-like text
    return export_bundle(shop, tmp_path / "a.zip", passphrase=SYNC_PASSPHRASE).path


@pytest.mark.parametrize("piece", [1, 7, 1 << 20])
def test_rows_read_in_pieces_are_the_rows_read_whole(exported, monkeypatch, piece):
    monkeypatch.setattr(bundle_module, "READ_BYTES", piece)
    whole = {name: read_csv(data, name=name)[1] for name, data in members(exported).items() if name.endswith(".csv")}
    with open_bundle(exported, SYNC_PASSPHRASE) as bundle:
        streamed = {spec.file: [row for batch in bundle.batches(spec.name, size=2) for row in batch]
                    for spec in TABLES}
    assert streamed == whole
    assert sum(map(len, streamed.values())) > 30


def test_a_fault_far_into_a_file_names_its_line_whatever_the_pieces(exported, tmp_path, monkeypatch):
    monkeypatch.setattr(bundle_module, "READ_BYTES", 5)
    files = members(exported)
    data = files["customers.csv"]
    at = len(data) * 3 // 4
    files["customers.csv"] = data[:at] + b"\xff" + data[at:]
    line = data[:at].count(b"\n") + 1  # a cell with line breaks spans several lines of the file
    assert line > 5
    with open_bundle(rezip(tmp_path / "bad.zip", files), SYNC_PASSPHRASE) as bundle:
        with pytest.raises(BundleRefused, match=f"customers.csv, line {line}: not UTF-8 text"):
            list(bundle.rows("customers"))

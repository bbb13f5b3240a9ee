"""Bad rows are rejected one by one with their reason (and what depends on them); cancelling leaves nothing."""

from __future__ import annotations

import csv
import io

import pytest
import pyzipper

from desktop.output_files import DiskFull
from desktop.services.csv_format import csv_bytes, plain_cell
from desktop.services.shop import shop_settings
from desktop.sync.bundle import SyncCancelled
from desktop.sync.export import export_bundle
from desktop.sync.importer import import_bundle
from desktop.sync.tables import BY_NAME
from tests.sync_helpers import (
    SYNC_PASSPHRASE,
    dump,
    fill_book,
    import_count,
    members,
    rezip,
)


def edit_rows(files: dict[str, bytes], table: str, change) -> None:
    """Rewrites one CSV of the bundle through csv_format, change(row dict) applied to every row."""
    text = files[f"{table}.csv"].decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    for row in rows:
        for name, value in row.items():
            row[name] = plain_cell(value)  # as written: defusing removed
        change(row)
    header = BY_NAME[table].header
    files[f"{table}.csv"], _count = csv_bytes(header, [[row[name] for name in header] for row in rows])


def test_bad_rows_are_rejected_with_reasons_and_the_rest_applies(shop, till_b, tmp_path):
    made = fill_book(shop)
    export_bundle(shop, tmp_path / "a.zip", passphrase=SYNC_PASSPHRASE)
    files = members(tmp_path / "a.zip")
    with shop.reading() as session:
        uuids = dict(session.connection().exec_driver_sql("SELECT id, uuid FROM customers").all())
    ana, giorgos = uuids[made["ana"]], uuids[made["giorgos"]]
    formula = [uuids[i] for i in made["formula"]]

    def damage(row):
        if row["uuid"] == formula[0]:
            row["email"] = "not an email"
        elif row["uuid"] == formula[1]:
            row["first_name"] = "x" * 101
        elif row["uuid"] == formula[2]:
            row["notes"] = "bell\x07"

    edit_rows(files, "customers", damage)
    edit_rows(files, "customer_phones", lambda row: row.update(e164="+5511123") if row["customer_uuid"] == giorgos
              else None)
    rezip(tmp_path / "bad.zip", files)

    report = import_bundle(till_b, tmp_path / "bad.zip", passphrase=SYNC_PASSPHRASE)

    reasons = {(row.file, row.uuid): row.reason for row in report.rejected}
    assert "email" in reasons[("customers.csv", formula[0])]
    assert "first_name: longer than 100" in reasons[("customers.csv", formula[1])]
    assert "notes" in reasons[("customers.csv", formula[2])]
    assert "phone row" in reasons[("customers.csv", giorgos)]
    assert any(row.file == "customer_phones.csv" and "e164" in row.reason for row in report.rejected)
    # What hangs on a rejected customer is rejected with it, and says why.
    assert any(row.file == "warranties.csv" and "was not applied" in row.reason for row in report.rejected)
    assert report.counts("customers").added == 3  # Ana and the two formula customers left alone
    with till_b.reading() as session:
        applied = set(session.connection().exec_driver_sql("SELECT uuid FROM customers").scalars())
    assert ana in applied and giorgos not in applied and formula[3] in applied


def test_a_cancelled_export_leaves_no_file_and_moves_nothing(shop, tmp_path):
    fill_book(shop)
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(SyncCancelled):
        export_bundle(shop, tmp_path / "a.zip", passphrase=SYNC_PASSPHRASE, cancelled=cancelled)

    assert list(tmp_path.iterdir()) == [tmp_path / "shop"]  # no bundle, no temporary part
    with shop.reading() as session:
        settings = shop_settings(session)
        assert settings.last_export_at is None and settings.sync_watermark is None


def test_a_failure_while_the_zip_is_written_leaves_no_file_and_moves_nothing(shop, tmp_path, monkeypatch):
    """The zip is written on a thread of its own: what fails there fails the export, with nothing left behind."""
    fill_book(shop)
    real_write = pyzipper.zipfile._ZipWriteFile.write
    written = []

    def failing_write(member, data):
        written.append(len(data))
        if len(written) > 2:
            raise OSError(28, "No space left on device")
        return real_write(member, data)

    monkeypatch.setattr(pyzipper.zipfile._ZipWriteFile, "write", failing_write)
    with pytest.raises(DiskFull, match="The disk is full"):
        export_bundle(shop, tmp_path / "a.zip", passphrase=SYNC_PASSPHRASE)

    assert list(tmp_path.iterdir()) == [tmp_path / "shop"]  # no bundle, no temporary part
    with shop.reading() as session:
        assert shop_settings(session).sync_watermark is None


def test_a_cancelled_import_writes_nothing(shop, till_b, tmp_path):
    fill_book(shop)
    export_bundle(shop, tmp_path / "a.zip", passphrase=SYNC_PASSPHRASE)
    before = dump(till_b)
    seen = []

    def progress(done, total):
        seen.append((done, total))

    with pytest.raises(SyncCancelled):
        import_bundle(till_b, tmp_path / "a.zip", passphrase=SYNC_PASSPHRASE, progress=progress,
                      cancelled=lambda: len(seen) > 3)

    assert dump(till_b) == before and import_count(till_b) == 0
    report = import_bundle(till_b, tmp_path / "a.zip", passphrase=SYNC_PASSPHRASE, progress=progress)
    assert report.total("added") > 0 and seen[-1][0] == seen[-1][1]  # and then it can be done in full


def test_progress_counts_up_to_the_total(shop, tmp_path):
    fill_book(shop)
    seen = []
    export_bundle(shop, tmp_path / "a.zip", passphrase=SYNC_PASSPHRASE, progress=lambda d, t: seen.append((d, t)))
    assert seen[0][0] == 0 and all(done <= total for done, total in seen)
    assert [done for done, _total in seen] == sorted(done for done, _total in seen)

"""Export on one till, import on another: the same book, field for field, and nothing twice."""

from __future__ import annotations

from desktop.models.shop import Shop

import csv
import io

import pytest

from desktop.services.csv_format import BOM, read_csv
from desktop.services.shop import shop_settings
from desktop.sync.bundle import SyncPassphraseNeeded, WrongSyncPassphrase
from desktop.sync.export import export_bundle
from desktop.sync.importer import import_bundle
from tests.sync_helpers import (
    AWKWARD_NOTES,
    FORMULA_NAMES,
    SYNC_PASSPHRASE,
    dump,
    fill_book,
    import_count,
    members,
    rezip,
    shop_uuid,
)


def export(database, path, **options):
    return export_bundle(database, path, passphrase=SYNC_PASSPHRASE, **options)


def test_a_new_till_gets_the_whole_book(shop, till_b, tmp_path):
    fill_book(shop)
    report = export(shop, tmp_path / "a.zip")
    assert report.manifest.full and report.encrypted

    imported = import_bundle(till_b, tmp_path / "a.zip", passphrase=SYNC_PASSPHRASE)

    assert dump(till_b) == dump(shop)
    assert imported.adopted_shop and shop_uuid(till_b) == shop_uuid(shop)
    assert imported.total("rejected") == 0
    assert imported.counts("customers").added == 7
    assert imported.counts("loyalty_entries").added == 5
    # Choices seeded by each shop file are the same records: nothing to reconcile.
    assert imported.counts("choices").unchanged == 9 and imported.counts("choices").added == 1


def test_importing_the_same_bundle_again_changes_nothing(shop, till_b, tmp_path):
    fill_book(shop)
    export(shop, tmp_path / "a.zip")
    import_bundle(till_b, tmp_path / "a.zip", passphrase=SYNC_PASSPHRASE)
    before = dump(till_b)

    again = import_bundle(till_b, tmp_path / "a.zip", passphrase=SYNC_PASSPHRASE)

    assert dump(till_b) == before
    assert (again.total("added"), again.total("updated"), again.total("conflicts"), again.total("rejected")) == (
        0, 0, 0, 0)
    assert again.total("unchanged") > 0 and not again.changed
    assert again.previously_imported_at is not None
    assert import_count(till_b) == 2


def test_formula_like_cells_are_defused_in_the_file_and_come_back_exactly(shop, till_b, tmp_path):
    made = fill_book(shop)
    export(shop, tmp_path / "a.zip")
    raw = members(tmp_path / "a.zip")["customers.csv"].decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(raw, newline=""), strict=True))
    first_names = {row["first_name"] for row in rows}
    for name in FORMULA_NAMES:
        assert "'" + name in first_names  # one apostrophe: a spreadsheet shows it as text
    assert all(row["last_name"] != "-minus" for row in rows)
    # a tab after ";" would start a cell in a ";"-separator spreadsheet: defused like a cell's start
    assert any(row["notes"] == AWKWARD_NOTES.replace("\r\n", "\n").replace(";\t", ";'\t") for row in rows)
    phones = list(csv.DictReader(io.StringIO(members(tmp_path / "a.zip")["customer_phones.csv"].decode(), newline="")))
    assert all(row["e164"].startswith("'+") for row in phones)

    import_bundle(till_b, tmp_path / "a.zip", passphrase=SYNC_PASSPHRASE)

    with till_b.reading() as session:
        names = session.connection().exec_driver_sql(
            "SELECT first_name, last_name, notes FROM customers WHERE last_name = '-minus' ORDER BY first_name"
        ).all()
    assert sorted(first for first, _last, _notes in names) == sorted(FORMULA_NAMES)
    assert {notes for _first, _last, notes in names} == {"@mention"}
    assert len(made["formula"]) == len(FORMULA_NAMES)


def test_a_bom_at_the_start_of_a_csv_is_understood(shop, till_b, tmp_path):
    fill_book(shop)
    export(shop, tmp_path / "a.zip")
    files = members(tmp_path / "a.zip")
    files["customers.csv"] = BOM.encode() + files["customers.csv"]
    rezip(tmp_path / "bom.zip", files)

    report = import_bundle(till_b, tmp_path / "bom.zip", passphrase=SYNC_PASSPHRASE)

    assert report.total("rejected") == 0
    assert dump(till_b) == dump(shop)


def test_a_plain_bundle_is_readable_by_anyone_but_imports_only_with_the_sync_passphrase(shop, till_b, tmp_path):
    fill_book(shop)
    report = export_bundle(shop, tmp_path / "plain.zip", passphrase=SYNC_PASSPHRASE, plain=True)
    assert not report.encrypted
    assert "first_name" in members(tmp_path / "plain.zip", None)["customers.csv"].decode()
    with pytest.raises(SyncPassphraseNeeded, match="give the sync passphrase"):
        import_bundle(till_b, tmp_path / "plain.zip", passphrase=None)
    with pytest.raises(WrongSyncPassphrase, match="Wrong sync passphrase"):
        import_bundle(till_b, tmp_path / "plain.zip", passphrase="another sync passphrase")

    import_bundle(till_b, tmp_path / "plain.zip", passphrase=SYNC_PASSPHRASE)

    assert dump(till_b) == dump(shop)


def test_export_records_its_time_and_the_next_watermark(shop, tmp_path):
    fill_book(shop)
    report = export(shop, tmp_path / "a.zip")
    with shop.reading() as session:
        settings = shop_settings(session)
        assert settings.last_export_at is not None
        # The next export starts at the change number this one opened.
        assert session.get(Shop, 1).sync_since_seq == session.get(Shop, 1).change_seq
    assert report.manifest.watermark_from is None  # the first export covers everything

    second = export(shop, tmp_path / "b.zip")
    assert not second.manifest.full and second.manifest.watermark_from is not None


def test_every_row_goes_once_whatever_the_batch_size_and_a_damaged_cell_goes_whole(shop, tmp_path, monkeypatch):
    """Batches are read by id (tables.batch_sql); a cell holding a separator (a hand-edited file) sends its batch
    row by row."""
    from desktop.sync import export as export_module

    fill_book(shop)
    damaged = "made\x1fby\x1ehand, with \"quotes\""
    with shop.writing() as session:
        session.connection().exec_driver_sql(
            "UPDATE customers SET notes = ? WHERE id = (SELECT min(id) + 2 FROM customers)", (damaged,))
        ids_uuids = session.connection().exec_driver_sql("SELECT uuid, notes FROM customers ORDER BY id").all()
    whole = members(export(shop, tmp_path / "whole.zip", full=True).path)
    monkeypatch.setattr(export_module, "BATCH", 2)
    small = members(export(shop, tmp_path / "small.zip", full=True).path)

    assert {name: data for name, data in small.items() if name not in ("manifest.json", "manifest.mac")} == {
        name: data for name, data in whole.items() if name not in ("manifest.json", "manifest.mac")}
    header, rows = read_csv(small["customers.csv"], name="customers.csv")  # the strict reader, apostrophes off
    notes_at = header.index("notes")
    assert [(row[0], row[notes_at]) for row in rows] == [(uuid, notes or "") for uuid, notes in ids_uuids]
    assert damaged in [row[notes_at] for row in rows]


def test_an_incremental_export_is_the_same_whatever_the_batch_size(shop, tmp_path, monkeypatch):
    """Its batches are lists of the changed rows' ids, found once; a damaged cell still goes whole."""
    from desktop.sync import export as export_module

    fill_book(shop)
    export(shop, tmp_path / "first.zip")
    with shop.writing() as session:
        conn = session.connection()
        conn.exec_driver_sql("UPDATE shop SET sync_since_seq = 1")  # both see it all
        conn.exec_driver_sql(
            "UPDATE customers SET notes = 'hand\x1fedited', updated_at = strftime('%Y-%m-%d %H:%M:%f000', 'now')"
            " WHERE id = (SELECT max(id) FROM customers)")
    whole = members(export(shop, tmp_path / "whole.zip").path)
    with shop.writing() as session:
        session.connection().exec_driver_sql("UPDATE shop SET sync_since_seq = 1")
    monkeypatch.setattr(export_module, "BATCH", 2)
    report = export(shop, tmp_path / "small.zip")
    small = members(report.path)

    assert not report.manifest.full and report.customers > 2
    assert {name: data for name, data in small.items() if name not in ("manifest.json", "manifest.mac")} == {
        name: data for name, data in whole.items() if name not in ("manifest.json", "manifest.mac")}
    header, rows = read_csv(small["customers.csv"], name="customers.csv")
    assert "hand\x1fedited" in [row[header.index("notes")] for row in rows]

"""A bundle that is not exactly what was exported is refused whole, with a clear message, and nothing is written."""

from __future__ import annotations

import json

import pytest

from desktop.services.customers import CustomerDetails, add_customer
from desktop.sync import bundle as bundle_module
from desktop.sync.bundle import (
    BundleRefused,
    SyncPassphraseNeeded,
    WrongSyncPassphrase,
    verify_bundle,
)
from desktop.sync.export import export_bundle
from desktop.sync.importer import import_bundle
from tests.sync_helpers import (
    SYNC_PASSPHRASE,
    dump,
    fill_book,
    import_count,
    members,
    rezip,
    shop_uuid,
)


@pytest.fixture
def bundle(shop, tmp_path):
    fill_book(shop)
    export_bundle(shop, tmp_path / "a.zip", passphrase=SYNC_PASSPHRASE)
    return tmp_path / "a.zip"


def refused(database, path, passphrase=SYNC_PASSPHRASE, kind=BundleRefused) -> str:
    before, imports, uuid = dump(database), import_count(database), shop_uuid(database)
    with pytest.raises(kind) as caught:
        import_bundle(database, path, passphrase=passphrase)
    assert dump(database) == before and import_count(database) == imports and shop_uuid(database) == uuid
    return str(caught.value)


@pytest.mark.parametrize("offset", [0.2, 0.5, 0.8])
def test_one_changed_byte_refuses_the_bundle(till_b, bundle, tmp_path, offset):
    data = bytearray(bundle.read_bytes())
    data[int(len(data) * offset)] ^= 0x01
    (tmp_path / "tampered.zip").write_bytes(bytes(data))
    message = refused(till_b, tmp_path / "tampered.zip")
    assert "tampered.zip" in message and "nothing was imported" in message


def test_a_truncated_bundle_is_refused(till_b, bundle, tmp_path):
    data = bundle.read_bytes()
    (tmp_path / "cut.zip").write_bytes(data[: len(data) * 2 // 3])
    assert "cut short" in refused(till_b, tmp_path / "cut.zip")


def test_a_wrong_passphrase_is_named(till_b, bundle):
    message = refused(till_b, bundle, passphrase="not the sync passphrase", kind=WrongSyncPassphrase)
    assert "Wrong sync passphrase" in message


def test_an_encrypted_bundle_without_a_passphrase_asks_for_it(till_b, bundle):
    refused(till_b, bundle, passphrase=None, kind=SyncPassphraseNeeded)


def test_a_bundle_from_another_shop_is_refused_by_a_till_with_customers(till_b, bundle):
    with till_b.writing() as session:
        add_customer(session, CustomerDetails(first_name="Zé", phones=["(11) 91234-5678"]), "BR")
    assert "another shop" in refused(till_b, bundle)


def test_a_checksum_that_does_not_match_names_the_file(till_b, bundle, tmp_path):
    files = members(bundle)
    files["consents.csv"] = files["consents.csv"].replace(b"counter", b"paper")
    rezip(tmp_path / "edited.zip", files, fix_manifest=False)
    message = refused(till_b, tmp_path / "edited.zip")
    assert "consents.csv" in message and "checksum" in message


def test_a_row_count_that_does_not_match_is_refused(till_b, bundle, tmp_path):
    files = members(bundle)
    manifest = json.loads(files["manifest.json"])
    next(entry for entry in manifest["files"] if entry["name"] == "customers.csv")["rows"] += 1
    files["manifest.json"] = json.dumps(manifest).encode()
    message = refused(till_b, rezip(tmp_path / "count.zip", files))
    assert "customers.csv" in message and "rows" in message


def test_a_bundle_from_a_newer_regulars_is_refused(till_b, bundle, tmp_path):
    files = members(bundle)
    manifest = json.loads(files["manifest.json"])
    manifest["format_version"] = bundle_module.FORMAT_VERSION + 1
    files["manifest.json"] = json.dumps(manifest).encode()
    assert "newer version" in refused(till_b, rezip(tmp_path / "newer.zip", files))


def test_a_file_the_manifest_does_not_list_is_refused(till_b, bundle, tmp_path):
    files = members(bundle)
    files["extra.csv"] = b"a,b\r\n1,2\r\n"
    assert "does not hold the files" in refused(till_b, rezip(tmp_path / "extra.zip", files))


def _first_data_line(data: bytes) -> int:
    return data.index(b"\r\n") + 2


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda data: data[: _first_data_line(data)] + b"one,two\r\n" + data[_first_data_line(data):],
         "customers.csv, line 2: 2 cells where the header has 21"),
        (lambda data: data + b'"never closed,' + b"x," * 17 + b"\r\n",
         "a quoted cell is never closed"),
        (lambda data: data[: _first_data_line(data)] + b"\xff\xfe" + data[_first_data_line(data):],
         "customers.csv, line 2: not UTF-8 text"),
    ],
    ids=["ragged row", "unterminated quote", "bad UTF-8"],
)
def test_a_malformed_csv_refuses_the_bundle_naming_file_and_line(till_b, bundle, tmp_path, damage, expected):
    files = members(bundle)
    files["customers.csv"] = damage(files["customers.csv"])
    message = refused(till_b, rezip(tmp_path / "bad.zip", files))
    assert expected in message and "Nothing was imported" in message


def test_a_manifest_that_is_not_json_is_refused(till_b, bundle, tmp_path):
    files = members(bundle)
    files["manifest.json"] = b"{not json"
    assert "damaged manifest" in refused(till_b, rezip(tmp_path / "manifest.zip", files, fix_manifest=False))


def test_what_is_not_a_zip_at_all_is_refused(till_b, tmp_path):
    (tmp_path / "notes.zip").write_text("just some text")
    assert "not a sync bundle" in refused(till_b, tmp_path / "notes.zip")
    assert "no file" in refused(till_b, tmp_path / "missing.zip")


def test_any_changed_byte_anywhere_is_caught_as_damage(shop, tmp_path, monkeypatch):
    """Headers, directory, data, seal: a sample of every region of the file, each byte flipped in turn,
    and each said to be damage, never a wrong passphrase."""
    monkeypatch.setattr(bundle_module, "KDF_N", 1 << 10)  # the seal's key at its lowest cost: 1,400 reads
    fill_book(shop)
    bundle = export_bundle(shop, tmp_path / "a.zip", passphrase=SYNC_PASSPHRASE).path
    data = bundle.read_bytes()
    damaged = tmp_path / "flipped.zip"
    for offset in range(0, len(data), 6):
        changed = bytearray(data)
        changed[offset] ^= 0x10
        damaged.write_bytes(bytes(changed))
        with pytest.raises(BundleRefused) as caught:
            verify_bundle(damaged, SYNC_PASSPHRASE)
        assert "damaged" in str(caught.value) and not isinstance(caught.value, WrongSyncPassphrase), offset
    verify_bundle(bundle, SYNC_PASSPHRASE)  # the untouched one still reads

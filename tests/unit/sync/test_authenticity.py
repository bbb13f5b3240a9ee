"""Only a till that knows the sync passphrase can make a bundle that imports, plain or encrypted; a damaged
file is told apart from a wrong passphrase; bundles from before the seal import only when encrypted."""

from __future__ import annotations

import json
import struct

import pytest
import pyzipper

from desktop.sync.bundle import (
    SEAL,
    DamagedBundle,
    ForgedBundle,
    WrongSyncPassphrase,
    verify_bundle,
)
from desktop.sync.export import export_bundle
from desktop.sync.importer import import_bundle
from desktop.sync.tables import CUSTOMERS
from desktop.sync.tombstones import tombstone_uuid
from tests.sync_helpers import SYNC_PASSPHRASE, dump, fill_book, import_count, members, rezip

FUTURE = "2099-01-01 00:00:00.000000"


@pytest.fixture
def synced(shop, till_b, tmp_path):
    """Till B holds till A's book; returns a fresh full bundle of A's (encrypted and plain)."""
    fill_book(shop)
    encrypted = export_bundle(shop, tmp_path / "a.zip", passphrase=SYNC_PASSPHRASE, full=True).path
    plain = export_bundle(shop, tmp_path / "plain.zip", passphrase=SYNC_PASSPHRASE, plain=True, full=True).path
    import_bundle(till_b, encrypted, passphrase=SYNC_PASSPHRASE)
    return {"encrypted": encrypted, "plain": plain}


def refused(database, path, kind) -> str:
    before, imports = dump(database), import_count(database)
    with pytest.raises(kind) as caught:
        import_bundle(database, path, passphrase=SYNC_PASSPHRASE)
    assert dump(database) == before and import_count(database) == imports
    return str(caught.value)


def lines(data: bytes) -> list[str]:
    return data.decode("utf-8").split("\r\n")


def a_customer_from_the_future(files: dict[str, bytes]) -> dict[str, bytes]:
    """The first customer renamed, and changed "in 2099" so that it would beat every real edit."""
    rows = lines(files["customers.csv"])
    cells = rows[1].split(",")
    cells[CUSTOMERS.index("first_name")] = "Forged"
    cells[CUSTOMERS.index("updated_at")] = FUTURE
    rows[1] = ",".join(cells)
    return {**files, "customers.csv": "\r\n".join(rows).encode("utf-8")}


def an_erasure_nobody_made(files: dict[str, bytes]) -> dict[str, bytes]:
    """A tombstone that would erase the first customer for good."""
    customer = lines(files["customers.csv"])[1].split(",")[0]
    row = f"{tombstone_uuid('customers', customer)},customers,{customer},erased,{FUTURE},{FUTURE}\r\n"
    manifest = json.loads(files["manifest.json"])
    next(entry for entry in manifest["files"] if entry["table"] == "tombstones")["rows"] += 1
    return {**files, "tombstones.csv": files["tombstones.csv"] + row.encode("utf-8"),
            "manifest.json": json.dumps(manifest).encode()}


FORGERIES = {"customer from 2099": a_customer_from_the_future, "forged erasure": an_erasure_nobody_made}


@pytest.mark.parametrize("kind", ["plain", "encrypted"])
@pytest.mark.parametrize("forge", FORGERIES.values(), ids=FORGERIES.keys())
def test_a_bundle_changed_by_hand_is_refused_and_nothing_is_written(synced, till_b, tmp_path, kind, forge):
    passphrase = SYNC_PASSPHRASE if kind == "encrypted" else None
    files = forge(members(synced[kind], passphrase))
    # Rebuilt as carefully as can be: checksums and row counts right, the exported seal kept.
    forged = rezip(tmp_path / "forged.zip", files, passphrase, seal=None)

    message = refused(till_b, forged, ForgedBundle)

    assert "seal does not match" in message and "Nothing was imported" in message


@pytest.mark.parametrize("forge", FORGERIES.values(), ids=FORGERIES.keys())
def test_a_bundle_sealed_with_another_passphrase_is_refused(synced, till_b, tmp_path, forge):
    files = forge(members(synced["plain"], None))
    forged = rezip(tmp_path / "forged.zip", files, None, seal="a passphrase the forger chose")

    assert "Wrong sync passphrase" in refused(till_b, forged, WrongSyncPassphrase)


def test_a_plain_bundle_without_its_seal_is_refused(synced, till_b, tmp_path):
    files = a_customer_from_the_future(members(synced["plain"], None))
    del files[SEAL]
    message = refused(till_b, rezip(tmp_path / "unsealed.zip", files, None, seal=None), ForgedBundle)
    assert "without a seal" in message and "Export a new bundle" in message


def test_an_encrypted_bundle_of_this_version_without_its_seal_is_refused(synced, till_b, tmp_path):
    files = members(synced["encrypted"])
    del files[SEAL]
    assert "seal does not match" in refused(till_b, rezip(tmp_path / "unsealed.zip", files, seal=None), ForgedBundle)


def older_bundle(path, passphrase: str | None, out) -> object:
    """The bundle as Regulars wrote it before the seal: format version 1, no manifest.mac."""
    files = members(path, passphrase)
    del files[SEAL]
    manifest = json.loads(files["manifest.json"])
    manifest["format_version"] = 1
    files["manifest.json"] = json.dumps(manifest).encode()
    return rezip(out, files, passphrase, seal=None)


def test_an_older_encrypted_bundle_still_imports_with_a_warning(shop, till_b, tmp_path):
    fill_book(shop)
    bundle = older_bundle(export_bundle(shop, tmp_path / "a.zip", passphrase=SYNC_PASSPHRASE).path,
                          SYNC_PASSPHRASE, tmp_path / "old.zip")

    report = import_bundle(till_b, bundle, passphrase=SYNC_PASSPHRASE)

    assert dump(till_b) == dump(shop)
    assert report.warnings and "carries no seal" in report.warnings[0]
    assert "carries no seal" in json.dumps(report.to_json())


def test_an_older_plain_bundle_is_refused(synced, till_b, tmp_path):
    bundle = older_bundle(synced["plain"], None, tmp_path / "old.zip")
    message = refused(till_b, bundle, ForgedBundle)
    assert "older Regulars" in message and "Export a new bundle on the other till" in message


def entry_data_offsets(path) -> dict[str, int]:
    """Where each entry's data begins in the file (for AES entries: the salt, then the password check)."""
    data = path.read_bytes()
    offsets = {}
    with pyzipper.AESZipFile(path) as archive:
        for info in archive.infolist():
            name_length, extra_length = struct.unpack_from("<2H", data, info.header_offset + 26)
            offsets[info.filename] = info.header_offset + 30 + name_length + extra_length
    return offsets


def flipped(path, offset: int, out):
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    out.write_bytes(bytes(data))
    return out


@pytest.mark.parametrize("kind", ["encrypted", "plain"])
def test_a_damaged_bundle_says_it_is_damaged_and_a_wrong_passphrase_says_so(synced, till_b, tmp_path, kind):
    bundle = synced[kind]
    starts = entry_data_offsets(bundle)
    places = {
        "customers.csv salt": starts["customers.csv"],  # once taken for a wrong passphrase
        "customers.csv password check": starts["customers.csv"] + 17,
        "customers.csv data": starts["customers.csv"] + 40,
        "manifest": starts["manifest.json"] + 20,
        "seal's verifier": starts[SEAL] + 150,
        "directory": bundle.stat().st_size - 60,
        "middle": bundle.stat().st_size // 2,
    }
    for place, offset in places.items():
        message = refused(till_b, flipped(bundle, offset, tmp_path / "flipped.zip"), DamagedBundle)
        assert "is damaged" in message and "Copy it again" in message, place
        assert "passphrase" not in message, place

    before = dump(till_b)
    with pytest.raises(WrongSyncPassphrase, match="Wrong sync passphrase"):
        import_bundle(till_b, bundle, passphrase="not the sync passphrase")
    assert dump(till_b) == before
    verify_bundle(bundle, SYNC_PASSPHRASE)  # the file itself is whole

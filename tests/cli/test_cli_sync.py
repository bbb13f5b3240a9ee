"""regulars export / regulars import: bundles between two tills, from the command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from desktop.cli.sync import SYNC_PASSPHRASE_ENV
from desktop.db.engine import open_shop_file
from desktop.db.key_file import key_file_path
from desktop.sync.bundle import SEAL
from tests.conftest import PASSPHRASE
from tests.sync_helpers import SYNC_PASSPHRASE, dump, members, rezip


@pytest.fixture
def sync_env(monkeypatch):
    monkeypatch.setenv(SYNC_PASSPHRASE_ENV, SYNC_PASSPHRASE)


@pytest.fixture
def till_a(cli, shop_path) -> Path:
    for first, phone in (("Ana", "(11) 98765-4321"), ("Γιώργος", "+30 691 234 5678")):
        assert cli(shop_path, "customers", "add", "--first-name", first, "--phone", phone)[0] == 0
    assert cli(shop_path, "loyalty", "programs", "add", "--name", "Café", "--reward-at", "10", "--reward",
               "Um café")[0] == 0
    assert cli(shop_path, "loyalty", "stamp", "1", "--program", "Café")[0] == 0
    return shop_path


@pytest.fixture
def till_b_path(shop_template, tmp_path) -> Path:
    """A new till: `regulars init` there gives it its own shop, as the copy here does after the change below."""
    path = tmp_path / "b" / "shop.regulars"
    path.parent.mkdir()
    shutil.copy2(shop_template, path)
    shutil.copy2(key_file_path(shop_template), key_file_path(path))
    database = open_shop_file(path, PASSPHRASE)
    with database.writing() as session:
        session.connection().exec_driver_sql("UPDATE shop SET uuid = '11111111-2222-4333-8444-555555555555'")
    database.close()
    return path


def books(*paths: Path) -> list[dict]:
    result = []
    for path in paths:
        database = open_shop_file(path, PASSPHRASE)
        try:
            result.append(dump(database))
        finally:
            database.close()
    return result


def test_export_then_import_on_a_new_till(cli, sync_env, till_a, till_b_path, tmp_path):
    bundle = tmp_path / "a.zip"
    status, out, err = cli(till_a, "export", "--out", str(bundle))
    assert status == 0, err
    assert "Exported 2 customers" in out and "encrypted with the sync passphrase" in out
    assert err == ""

    status, out, err = cli(till_b_path, "import", str(bundle))
    assert status == 0, err
    assert "joined the bundle's shop" in out and "Added" in out
    a, b = books(till_a, till_b_path)
    assert a == b

    status, out, _err = cli(till_b_path, "import", str(bundle), "--json")
    report = json.loads(out)
    assert status == 0 and report["totals"]["added"] == 0 and report["totals"]["updated"] == 0
    assert report["previously_imported_at"] is not None


def test_export_json_and_incremental(cli, sync_env, till_a, tmp_path):
    status, out, _err = cli(till_a, "export", "--out", str(tmp_path / "full.zip"), "--json")
    first = json.loads(out)
    assert status == 0 and first["full"] and first["encrypted"] and first["rows"]["customers"] == 2
    status, out, _err = cli(till_a, "export", "--out", str(tmp_path / "next.zip"), "--json")
    second = json.loads(out)
    assert not second["full"] and second["watermark_from"] is not None
    status, out, _err = cli(till_a, "export", "--out", str(tmp_path / "again.zip"), "--full", "--json")
    assert json.loads(out)["full"]


def test_plain_export_warns_on_stderr_and_needs_the_sync_passphrase_on_both_tills(cli, sync_env, till_a,
                                                                                  till_b_path, tmp_path, monkeypatch):
    bundle = tmp_path / "plain.zip"
    status, out, err = cli(till_a, "export", "--out", str(bundle), "--plain")
    assert status == 0 and "NOT encrypted" in err and "sealed with the sync passphrase" in out

    monkeypatch.delenv(SYNC_PASSPHRASE_ENV)
    status, _out, err = cli(till_a, "export", "--out", str(tmp_path / "again.zip"), "--plain")
    assert status == 1 and SYNC_PASSPHRASE_ENV in err and not (tmp_path / "again.zip").exists()
    status, _out, err = cli(till_b_path, "import", str(bundle))
    assert status == 1 and SYNC_PASSPHRASE_ENV in err

    monkeypatch.setenv(SYNC_PASSPHRASE_ENV, SYNC_PASSPHRASE)
    status, _out, err = cli(till_b_path, "import", str(bundle))
    assert status == 0, err
    assert books(till_a) == books(till_b_path)


def test_an_older_encrypted_bundle_imports_with_a_warning_on_stderr(cli, sync_env, till_a, till_b_path, tmp_path):
    bundle = tmp_path / "a.zip"
    assert cli(till_a, "export", "--out", str(bundle))[0] == 0
    files = members(bundle)
    del files[SEAL]
    manifest = json.loads(files["manifest.json"])
    manifest["format_version"] = 1
    files["manifest.json"] = json.dumps(manifest).encode()
    rezip(tmp_path / "old.zip", files, seal=None)

    status, out, err = cli(till_b_path, "import", str(tmp_path / "old.zip"), "--json")
    assert status == 0 and json.loads(out)["warnings"]
    assert "regulars: warning:" in err and "carries no seal" in err


def test_without_a_sync_passphrase_nothing_happens(cli, till_a, tmp_path, monkeypatch):
    monkeypatch.delenv(SYNC_PASSPHRASE_ENV, raising=False)
    status, _out, err = cli(till_a, "export", "--out", str(tmp_path / "a.zip"))
    assert status == 1 and SYNC_PASSPHRASE_ENV in err
    assert not (tmp_path / "a.zip").exists()


def test_a_short_sync_passphrase_is_refused(cli, till_a, tmp_path, monkeypatch):
    monkeypatch.setenv(SYNC_PASSPHRASE_ENV, "short")
    status, _out, err = cli(till_a, "export", "--out", str(tmp_path / "a.zip"))
    assert status == 1 and "at least 12 characters" in err and SYNC_PASSPHRASE_ENV in err


def test_refused_imports_say_why_and_write_nothing(cli, sync_env, till_a, till_b_path, tmp_path, monkeypatch):
    bundle = tmp_path / "a.zip"
    assert cli(till_a, "export", "--out", str(bundle))[0] == 0
    before = books(till_b_path)

    monkeypatch.setenv(SYNC_PASSPHRASE_ENV, "the wrong sync passphrase")
    status, _out, err = cli(till_b_path, "import", str(bundle))
    assert status == 1 and "Wrong sync passphrase" in err

    monkeypatch.setenv(SYNC_PASSPHRASE_ENV, SYNC_PASSPHRASE)
    (tmp_path / "cut.zip").write_bytes(bundle.read_bytes()[:500])
    status, _out, err = cli(till_b_path, "import", str(tmp_path / "cut.zip"))
    assert status == 1 and "nothing was imported" in err and "damaged" in err and "Copy it again" in err

    assert cli(till_b_path, "customers", "add", "--first-name", "Zé", "--phone", "(11) 91234-5678")[0] == 0
    status, _out, err = cli(till_b_path, "import", str(bundle))
    assert status == 1 and "another shop" in err
    assert books(till_b_path)[0]["customers"] != before[0]["customers"]  # only Zé was added, by hand


def test_customers_edit_changes_only_what_it_names(cli, ana, shop_path):
    from tests.cli.helpers import ok_json, refused

    edited = ok_json(cli, shop_path, "customers", "edit", str(ana["id"]), "--city", "Lisboa", "--email",
                     "ana@example.com", "--add-phone", "(11) 91111-2222", "--remove-phone", "(11) 98765-4321",
                     "--json")
    assert (edited["city"], edited["email"], edited["last_name"]) == ("Lisboa", "ana@example.com", "Conceição")
    assert [phone["e164"] for phone in edited["phones"]] == ["+5511911112222"]
    complaint = refused(cli, shop_path, "customers", "edit", str(ana["id"]), "--remove-phone", "(11) 90000-0000")
    assert "--add-phone/--remove-phone" in complaint and "(11) 90000-0000" in complaint
    assert refused(cli, shop_path, "customers", "edit", str(ana["id"]), "--email", "not an email").startswith(
        "regulars: --email")


def test_sync_conflicts_are_listed_and_taken_back(cli, ana, shop_path, shop_template, tmp_path, sync_env):
    from tests.cli.helpers import ok, ok_json
    from tests.sync_helpers import new_till

    new_till(shop_template, tmp_path, "b").close()
    till_b = tmp_path / "b" / "shop.regulars"
    ok(cli, shop_path, "export", "--out", str(tmp_path / "start.zip"))
    ok(cli, till_b, "import", str(tmp_path / "start.zip"))
    ok(cli, shop_path, "customers", "edit", ana["uuid"], "--notes", "likes espresso")
    ok(cli, till_b, "customers", "edit", ana["uuid"], "--notes", "likes tea")  # later: kept
    ok(cli, till_b, "export", "--out", str(tmp_path / "b.zip"))
    ok(cli, shop_path, "import", str(tmp_path / "b.zip"))

    [conflict] = ok_json(cli, shop_path, "sync", "conflicts", "--json")
    assert (conflict["field"], conflict["mine"], conflict["theirs"], conflict["kept"]) == (
        "notes", "likes espresso", "likes tea", "theirs")
    assert "likes espresso" in ok(cli, shop_path, "sync", "conflicts")
    ok(cli, shop_path, "sync", "conflicts", "resolve", str(conflict["id"]), "--keep", "mine")
    assert ok_json(cli, shop_path, "customers", "show", ana["uuid"], "--json")["notes"] == "likes espresso"
    assert ok(cli, shop_path, "sync", "conflicts").strip() == "No sync conflicts to review."
    with pytest.raises(SystemExit) as usage:
        cli(shop_path, "sync", "conflicts", "resolve", str(conflict["id"]), "--keep", "yours")
    assert usage.value.code == 2


def test_a_bundle_stamped_days_ahead_is_refused_unless_accepted(cli, ana, shop_path, shop_template, tmp_path,
                                                                 sync_env):
    from datetime import timedelta

    from desktop.models.base import utc_now
    from desktop.services.customers import change_customer
    from desktop.sync.export import export_bundle
    from desktop.sync.importer import import_bundle
    from tests.cli.helpers import ok, ok_json, refused
    from tests.sync_helpers import new_till

    ok(cli, shop_path, "export", "--out", str(tmp_path / "start.zip"))
    ahead = new_till(shop_template, tmp_path, "ahead")
    try:
        import_bundle(ahead, tmp_path / "start.zip", passphrase=SYNC_PASSPHRASE)
        ahead.clock = lambda: utc_now() + timedelta(days=2)
        with ahead.writing() as session:
            change_customer(session, ana["uuid"], "BR", changes={"city": "Porto"})
        export_bundle(ahead, tmp_path / "ahead.zip", passphrase=SYNC_PASSPHRASE)
    finally:
        ahead.close()
    complaint = refused(cli, shop_path, "import", str(tmp_path / "ahead.zip"))
    assert "more than a day ahead" in complaint and "--accept-clock-ahead" in complaint
    assert ok_json(cli, shop_path, "customers", "show", ana["uuid"], "--json")["city"] == ""
    ok(cli, shop_path, "import", str(tmp_path / "ahead.zip"), "--accept-clock-ahead")
    assert ok_json(cli, shop_path, "customers", "show", ana["uuid"], "--json")["city"] == "Porto"

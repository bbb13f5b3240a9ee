"""The command line for erasure and the retention review: `privacy erase` and `privacy retention`."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import text

from desktop.cli import privacy as privacy_cli
from desktop.services.erasure_register import read_register, register_path
from tests.cli.helpers import ok, ok_json, refused, shop_session
from tests.erasure_helpers import NAME


def answer(monkeypatch, typed: str) -> None:
    """stdin is a terminal on which the owner types ``typed``."""

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(privacy_cli.sys, "stdin", Terminal(typed))


def first_name(db: Path, customer_id: int) -> str:
    with shop_session(db) as session:
        return session.execute(text("SELECT first_name FROM customers WHERE id = :id"),
                               {"id": customer_id}).scalar_one()


@pytest.fixture
def zuleika(cli, shop_path) -> dict:
    customer = ok_json(cli, shop_path, "customers", "add", "--first-name", NAME[0], "--last-name", NAME[1],
                       "--phone", "(11) 97531-8642", "--email", "zuleika@example.org", "--json")
    ok(cli, shop_path, "reservations", "add", "--customer", str(customer["id"]), "--item", "Bolo Quintaflor",
       "--expected", "2099-12-24")
    return customer


def test_erase_with_yes_anonymises_and_writes_the_register(cli, shop_path, zuleika):
    report = ok_json(cli, shop_path, "privacy", "erase", str(zuleika["id"]), "--yes", "--json")
    assert report["customer_id"] == zuleika["id"] and report["customer_uuid"] == zuleika["uuid"]
    assert report["already_erased"] is False
    assert report["anonymised"] == {"customers": 1, "reservations": 1}
    assert report["kept"]["reservations"] == 1 and report["kept"]["reservation_events"] == 1
    assert report["register"] == str(register_path(shop_path))
    assert list(read_register(shop_path)) == [zuleika["uuid"]]
    assert first_name(shop_path, zuleika["id"]) == ""
    found = ok_json(cli, shop_path, "customers", "find", NAME[0], "--json")
    assert found == []


def test_erase_plain_output_says_what_stays(cli, shop_path, zuleika):
    out = ok(cli, shop_path, "privacy", "erase", zuleika["uuid"], "--yes")
    assert f"Erased customer #{zuleika['id']}." in out
    assert "reservations: 1" in out and "reservation events: 1" in out
    assert NAME[0] not in out
    again = ok(cli, shop_path, "privacy", "erase", zuleika["uuid"], "--yes")
    assert "again" in again


def test_erase_without_a_terminal_needs_yes_and_changes_nothing(cli, shop_path, zuleika):
    err = refused(cli, shop_path, "privacy", "erase", str(zuleika["id"]))
    assert "--yes" in err
    assert first_name(shop_path, zuleika["id"]) == NAME[0]
    assert not register_path(shop_path).exists()


def test_erase_asks_on_a_terminal_naming_the_customer(cli, shop_path, zuleika, monkeypatch):
    answer(monkeypatch, "n\n")
    status, out, err = cli(shop_path, "privacy", "erase", str(zuleika["id"]))
    assert status == 1 and "Nothing was erased" in err
    assert f"Erase customer #{zuleika['id']} {NAME[0]} {NAME[1]} for good" in out
    assert first_name(shop_path, zuleika["id"]) == NAME[0]

    answer(monkeypatch, "y\n")
    status, out, err = cli(shop_path, "privacy", "erase", str(zuleika["id"]))
    assert (status, err) == (0, "") and "Erased customer" in out
    assert first_name(shop_path, zuleika["id"]) == ""


def test_erase_an_unknown_customer_is_named(cli, shop_path, zuleika):
    err = refused(cli, shop_path, "privacy", "erase", "99", "--yes")
    assert "No customer 99" in err
    assert first_name(shop_path, zuleika["id"]) == NAME[0]


def _age(db: Path, customer_id: int, moment: str) -> None:
    with shop_session(db, write=True) as session:
        session.execute(text("UPDATE customers SET last_seen_at = :at WHERE id = :id"),
                        {"at": moment, "id": customer_id})
        session.execute(text("UPDATE reservations SET updated_at = :at WHERE customer_id = :id"),
                        {"at": moment, "id": customer_id})


def test_retention_lists_and_anonymises_the_inactive(cli, shop_path, zuleika):
    assert "No customer has been inactive for 3 years or more." in ok(cli, shop_path, "privacy", "retention")
    _age(shop_path, zuleika["id"], "2020-03-04 10:00:00.000000")

    out = ok(cli, shop_path, "privacy", "retention")
    assert "1 customers inactive for 3 years or more" in out
    assert f"{NAME[0]} {NAME[1]}" in out and "2020-03-04" in out and "--anonymise" in out
    listed = ok_json(cli, shop_path, "privacy", "retention", "--years", "5", "--json")
    assert listed["years"] == 5 and [c["id"] for c in listed["customers"]] == [zuleika["id"]]
    assert listed["customers"][0]["last_active_at"].startswith("2020-03-04T10:00")

    err = refused(cli, shop_path, "privacy", "retention", "--anonymise")
    assert "--yes" in err and first_name(shop_path, zuleika["id"]) == NAME[0]
    done = ok_json(cli, shop_path, "privacy", "retention", "--anonymise", "--yes", "--json")
    assert done["anonymised"] == 1 and [c["uuid"] for c in done["customers"]] == [zuleika["uuid"]]
    assert first_name(shop_path, zuleika["id"]) == ""
    assert list(read_register(shop_path)) == [zuleika["uuid"]]
    assert "No customer has been inactive" in ok(cli, shop_path, "privacy", "retention")


def test_retention_anonymise_asks_on_a_terminal(cli, shop_path, zuleika, monkeypatch):
    _age(shop_path, zuleika["id"], "2020-03-04 10:00:00.000000")
    answer(monkeypatch, "no\n")
    status, out, err = cli(shop_path, "privacy", "retention", "--anonymise")
    assert status == 1 and "Nothing was anonymised" in err and "Anonymise these 1 customers" in out
    assert first_name(shop_path, zuleika["id"]) == NAME[0]
    answer(monkeypatch, "yes\n")
    status, out, err = cli(shop_path, "privacy", "retention", "--anonymise")
    assert (status, err) == (0, "") and "Anonymised 1 of them" in out
    assert first_name(shop_path, zuleika["id"]) == ""


@pytest.mark.parametrize("years", ["0", "51", "-2"])
def test_retention_years_are_checked_naming_the_option(cli, shop_path, years):
    err = refused(cli, shop_path, "privacy", "retention", "--years", years)
    assert err.strip() == "regulars: --years: Enter a whole number of years from 1 to 50."


def test_a_restored_backup_from_before_the_erasure_forgets_the_customer_again(cli, shop_path, zuleika, tmp_path):
    backup = tmp_path / "backups" / "before.regulars"
    backup.parent.mkdir()
    ok(cli, shop_path, "backup", "--out", str(backup))
    ok(cli, shop_path, "privacy", "erase", str(zuleika["id"]), "--yes")
    assert sorted(p.name for p in backup.parent.iterdir()) == ["before.regulars", "before.regulars.key"]

    out = ok(cli, shop_path, "restore", str(backup), "--replace", "--yes")
    assert "Erased again 1 customers" in out
    assert first_name(shop_path, zuleika["id"]) == ""
    report = ok_json(cli, shop_path, "restore", str(backup), "--replace", "--yes", "--json")
    assert report["erased_again"] == 1
    elsewhere = tmp_path / "elsewhere" / "shop.regulars"  # no register beside it: restored as it was
    assert ok_json(cli, elsewhere, "restore", str(backup), "--json")["erased_again"] == 0
    assert first_name(elsewhere, zuleika["id"]) == NAME[0]

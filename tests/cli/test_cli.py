"""The command line: a few real runs of `python -m desktop`, the rest in-process through main()."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from desktop.cli import PASSPHRASE_ENV, main
from desktop.db.engine import open_shop_file
from desktop.services.customers import record_visit
from desktop.services.shop import shop_settings
from tests.cli.helpers import count_rows

PASSPHRASE = "correct horse battery"  # the shared template's (tests/conftest.py)
MATCH_KEYS = {"id", "uuid", "first_name", "last_name", "phone", "email", "last_seen_at", "matched_by"}


# --- helpers ------------------------------------------------------------------------------


def run_process(db: Path, *args: str, passphrase: str | None = PASSPHRASE, stdin=subprocess.DEVNULL):
    """`python -m desktop --db DB ARGS...` as a script would run it."""
    env = {k: v for k, v in os.environ.items() if k != PASSPHRASE_ENV}
    if passphrase is not None:
        env[PASSPHRASE_ENV] = passphrase
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "--db", str(db), *args],
        env=env,
        stdin=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result




def count_customers(db: Path) -> int:
    return count_rows(db, "customers")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def add(cli, db: Path, first: str, *args: str) -> dict:
    status, out, err = cli(db, "customers", "add", "--first-name", first, *args, "--json")
    assert status == 0, err
    return json.loads(out)


# --- init ---------------------------------------------------------------------------------


def test_init_creates_an_encrypted_shop(cli, tmp_path):
    db = tmp_path / "shop.regulars"
    status, out, err = cli(db, "init", "--shop-name", "Bakkerij de Molen", "--region", "nl")
    assert (status, err) == (0, "")
    assert "Bakkerij de Molen" in out and "EUR" in out
    database = open_shop_file(db, PASSPHRASE)
    try:
        with database.reading() as session:
            shop = shop_settings(session)
            assert (shop.name, shop.region, shop.currency, shop.paper_size) == ("Bakkerij de Molen", "NL", "EUR", "A4")
    finally:
        database.close()


def test_init_with_currency_and_paper(cli, tmp_path):
    db = tmp_path / "shop.regulars"
    status, out, _ = cli(db, "init", "--shop-name", "Deli", "--region", "PT", "--currency", "usd", "--paper", "Letter")
    assert status == 0
    assert "USD" in out


def test_init_refuses_an_existing_file(cli, shop_path):
    before = digest(shop_path)
    status, out, err = cli(shop_path, "init", "--shop-name", "Outra", "--region", "BR")
    assert status == 1
    assert "already exists" in err and str(shop_path) in err
    assert out == ""
    assert digest(shop_path) == before


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--region", "XX"], "region: "),
        (["--region", "Brasil"], "region: "),
        (["--region", "BR", "--currency", "REAL"], "currency: "),
    ],
)
def test_init_with_bad_settings_creates_nothing(cli, tmp_path, args, says):
    db = tmp_path / "new" / "shop.regulars"
    status, out, err = cli(db, "init", "--shop-name", "Padaria", *args)
    assert status == 1
    assert err.startswith("regulars: ") and says in err
    assert not db.exists()
    assert list(tmp_path.iterdir()) == []


def test_init_with_a_short_passphrase_creates_nothing(cli, tmp_path, monkeypatch):
    monkeypatch.setenv(PASSPHRASE_ENV, "short")
    db = tmp_path / "shop.regulars"
    status, _, err = cli(db, "init", "--shop-name", "Padaria", "--region", "BR")
    assert status == 1
    assert "passphrase" in err and "8" in err
    assert list(tmp_path.iterdir()) == []


# --- customers add ------------------------------------------------------------------------


def test_add_json(cli, shop_path):
    record = add(cli, shop_path, "Ana", "--last-name", "Souza", "--phone", "(11) 98765-4321",
                 "--email", " Ana.Souza@Example.COM ")
    assert isinstance(record["id"], int)
    assert len(record["uuid"]) == 36
    assert (record["first_name"], record["last_name"]) == ("Ana", "Souza")
    assert record["phone"] == "+5511987654321"
    assert record["email"] == "Ana.Souza@example.com"
    assert record["phones"] == [{"e164": "+5511987654321", "display": "(11) 98765-4321", "label": ""}]
    assert count_customers(shop_path) == 1


def test_add_plain_output_and_several_phones(cli, shop_path):
    status, out, err = cli(shop_path, "customers", "add", "--first-name", "Bia", "--phone", "011 98765-4321",
                           "--phone", "+351 912 345 678", "--city", "Porto", "--birthday", "1990-04-01")
    assert (status, err) == (0, "")
    assert out.strip() == "Added customer #1: Bia"
    status, out, _ = cli(shop_path, "customers", "show", "1", "--json")
    record = json.loads(out)
    assert [p["e164"] for p in record["phones"]] == ["+5511987654321", "+351912345678"]
    assert (record["city"], record["birthday"]) == ("Porto", "1990-04-01")


def test_duplicate_phone_names_the_existing_customer(cli, shop_path):
    first = add(cli, shop_path, "Ana", "--last-name", "Souza", "--phone", "(11) 98765-4321")
    status, out, err = cli(shop_path, "customers", "add", "--first-name", "Bia", "--phone", "+55 11 98765 4321")
    assert status == 1
    assert out == ""
    assert "Ana Souza" in err and f"#{first['id']}" in err
    assert "--allow-duplicate" in err
    assert count_customers(shop_path) == 1


def test_duplicate_email_is_refused(cli, shop_path):
    add(cli, shop_path, "Ana", "--email", "ana@example.com")
    status, _, err = cli(shop_path, "customers", "add", "--first-name", "Bia", "--email", "ANA@example.com")
    assert status == 1
    assert "email" in err and "Ana" in err
    assert count_customers(shop_path) == 1


def test_allow_duplicate(cli, shop_path):
    add(cli, shop_path, "Ana", "--phone", "(11) 3456-7890")
    second = add(cli, shop_path, "Bia", "--phone", "(11) 3456-7890", "--allow-duplicate")
    assert second["phone"] == "+551134567890"
    assert count_customers(shop_path) == 2
    status, out, _ = cli(shop_path, "customers", "find", "(11) 3456-7890", "--json")
    assert {m["first_name"] for m in json.loads(out)} == {"Ana", "Bia"}


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--phone", "123"], "phone: "),
        (["--phone", "(11) 98765-4321", "--phone", "999"], "phone 2: "),
        (["--email", "ana@"], "email: "),
        (["--phone", "(11) 98765-4321", "--notes", "card 4111 1111 1111 1111"], "notes: "),
        (["--phone", "(11) 98765-4321", "--birthday", "31/12/1990"], "birthday: "),
        ([], "phone: "),
    ],
)
def test_invalid_input_names_the_field_and_writes_nothing(cli, shop_path, args, says):
    status, out, err = cli(shop_path, "customers", "add", "--first-name", "Ana", *args)
    assert status == 1
    assert out == ""
    assert says in err
    assert count_customers(shop_path) == 0


def test_every_bad_field_is_listed(cli, shop_path):
    status, _, err = cli(shop_path, "customers", "add", "--first-name", " ", "--phone", "12", "--email", "x@")
    assert status == 1
    for label in ("first name: ", "phone: ", "email: "):
        assert label in err
    assert count_customers(shop_path) == 0


# --- customers find -----------------------------------------------------------------------


@pytest.fixture
def book(cli, shop_path) -> dict[str, dict]:
    return {
        "ana": add(cli, shop_path, "Ana", "--last-name", "Souza", "--phone", "(11) 98765-4321", "--email",
                   "ana@example.com"),
        "joao": add(cli, shop_path, "João", "--last-name", "da Silva", "--phone", "(21) 99876-1234"),
        "eleni": add(cli, shop_path, "Ελένη", "--last-name", "Παπαδοπούλου", "--phone", "+30 694 123 4567"),
    }


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("(11) 98765-4321", "ana"),
        ("+55 11 98765 4321", "ana"),
        ("011 98765-4321", "ana"),
        ("11987654321", "ana"),
        ("4321", "ana"),
        ("1234", "joao"),
        ("ana", "ana"),
        ("SOUZA", "ana"),
        ("joao", "joao"),
        ("silva joão", "joao"),
        ("ελενη", "eleni"),
        ("ΠΑΠΑΔΟΠΟΥΛΟΥ", "eleni"),
        ("ana@example", "ana"),
    ],
)
def test_find(cli, shop_path, book, query, who):
    status, out, err = cli(shop_path, "customers", "find", query)
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == 1
    assert lines[0].split()[0] == str(book[who]["id"])
    assert book[who]["first_name"] in lines[0]


def test_find_shows_phones_in_the_shops_format(cli, shop_path, book):
    _, out, _ = cli(shop_path, "customers", "find", "4321")
    assert "(11) 98765-4321" in out
    _, out, _ = cli(shop_path, "customers", "find", "ελενη")
    assert "+30 694 123 4567" in out


def test_find_json_shape(cli, shop_path, book):
    status, out, _ = cli(shop_path, "customers", "find", "4321", "--json")
    assert status == 0
    matches = json.loads(out)
    assert isinstance(matches, list) and len(matches) == 1
    (match,) = matches
    assert set(match) == MATCH_KEYS
    assert match["id"] == book["ana"]["id"]
    assert match["uuid"] == book["ana"]["uuid"]
    assert match["phone"] == "+5511987654321"
    assert match["email"] == "ana@example.com"
    assert match["matched_by"] == "phone_end"
    datetime.fromisoformat(match["last_seen_at"])
    _, out, _ = cli(shop_path, "customers", "find", "joao", "--json")
    assert json.loads(out)[0]["email"] is None


def test_find_nothing(cli, shop_path, book):
    status, out, err = cli(shop_path, "customers", "find", "Zacarias")
    assert (status, out) == (0, "")
    assert "No customer found" in err
    status, out, _ = cli(shop_path, "customers", "find", "Zacarias", "--json")
    assert (status, json.loads(out)) == (0, [])


def test_empty_query_lists_recent_first_with_limit(cli, shop_path, book):
    status, out, _ = cli(shop_path, "customers", "find", "--json")
    assert status == 0
    assert [m["id"] for m in json.loads(out)] == [book[k]["id"] for k in ("eleni", "joao", "ana")]
    assert {m["matched_by"] for m in json.loads(out)} == {"recent"}

    database = open_shop_file(shop_path, PASSPHRASE)
    try:
        with database.writing() as session:
            record_visit(session, book["ana"]["id"])
    finally:
        database.close()
    _, out, _ = cli(shop_path, "customers", "find", "", "--limit", "2", "--json")
    assert [m["id"] for m in json.loads(out)] == [book["ana"]["id"], book["eleni"]["id"]]
    _, out, _ = cli(shop_path, "customers", "find", "--limit", "1")
    assert len(out.splitlines()) == 1 and "Ana" in out


def test_find_limit_must_be_positive(cli, shop_path, book):
    status, out, err = cli(shop_path, "customers", "find", "ana", "--limit", "0")
    assert status == 1
    assert "--limit" in err and out == ""


# --- customers show -----------------------------------------------------------------------


def test_show_by_id_and_by_uuid(cli, shop_path, book):
    ana = book["ana"]
    _, by_id, _ = cli(shop_path, "customers", "show", str(ana["id"]), "--json")
    _, by_uuid, _ = cli(shop_path, "customers", "show", ana["uuid"], "--json")
    _, by_upper_uuid, _ = cli(shop_path, "customers", "show", ana["uuid"].upper(), "--json")
    assert json.loads(by_id) == json.loads(by_uuid) == json.loads(by_upper_uuid)
    record = json.loads(by_id)
    assert (record["id"], record["uuid"], record["first_name"]) == (ana["id"], ana["uuid"], "Ana")
    status, out, _ = cli(shop_path, "customers", "show", str(ana["id"]))
    assert status == 0
    assert "first name: Ana" in out
    assert "(11) 98765-4321" in out
    assert "birthday" not in out  # empty fields are left out


@pytest.mark.parametrize("ref", ["999", "00000000-0000-4000-8000-000000000000", "nobody"])
def test_show_unknown(cli, shop_path, book, ref):
    status, out, err = cli(shop_path, "customers", "show", ref)
    assert status == 1
    assert out == ""
    assert "No customer" in err and ref in err


# --- demo and check -----------------------------------------------------------------------


def _demo_names(db: Path) -> list[tuple]:
    database = open_shop_file(db, PASSPHRASE)
    try:
        with database.reading() as session:
            return session.execute(text("SELECT id, first_name, last_name, email FROM customers ORDER BY id")).all()
    finally:
        database.close()


def _uuids(path) -> list[str]:
    database = open_shop_file(path, PASSPHRASE)
    try:
        with database.reading() as session:
            return list(session.scalars(text("SELECT uuid FROM customers")))
    finally:
        database.close()


def test_demo_is_deterministic_for_a_seed(cli, tmp_path):
    first, second, other = tmp_path / "a.regulars", tmp_path / "b.regulars", tmp_path / "c.regulars"
    for db, seed in ((first, "3"), (second, "3"), (other, "4")):
        status, out, err = cli(db, "demo", "--customers", "50", "--seed", seed)
        assert (status, err) == (0, "")
        assert "50" in out
    names = _demo_names(first)
    assert len(names) == 50
    assert names == _demo_names(second)
    assert names != _demo_names(other)
    uuids = [_uuids(db) for db in (first, second)]
    assert not set(uuids[0]) & set(uuids[1])  # same people, yet distinct records for sync
    database = open_shop_file(first, PASSPHRASE)
    try:
        with database.reading() as session:
            assert shop_settings(session).region == "BR"
            phones = session.execute(text("SELECT count(DISTINCT customer_id) FROM customer_phones")).scalar_one()
            assert phones == 50  # every demo customer can be looked up by phone
            # Something in every list staff work from: reservations, warranties, calls, consents.
            for table, least in (("reservations", 8), ("warranties", 6), ("phone_calls", 4), ("consents", 12)):
                assert session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() >= least, table
    finally:
        database.close()


def test_demo_shows_its_progress_on_a_terminal_only(cli, tmp_path, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    status, out, _ = cli(tmp_path / "shop.regulars", "demo", "--customers", "12000")
    assert status == 0 and "Added 12000 demo customers" in out
    shown = terminal.getvalue()
    assert "Making demo customers… 41%" in shown and "Making demo customers… 100%" in shown
    assert shown.endswith("\n")


def test_demo_adds_to_an_existing_shop(cli, shop_path, book):
    status, _, _ = cli(shop_path, "demo", "--customers", "20", "--seed", "1")
    assert status == 0
    assert count_customers(shop_path) == 23
    status, out, _ = cli(shop_path, "customers", "find", "ana", "--json")
    assert book["ana"]["id"] in [m["id"] for m in json.loads(out)]


def test_check(cli, shop_path, book):
    status, out, err = cli(shop_path, "check")
    assert (status, err) == (0, "")
    assert "ok" in out


def test_check_reports_damage(cli, tmp_path):
    db = tmp_path / "shop.regulars"
    assert cli(db, "demo", "--customers", "3000", "--seed", "2")[0] == 0
    data = bytearray(db.read_bytes())
    data[(len(data) // 4096 // 2) * 4096 + 1000] ^= 0xFF
    db.write_bytes(bytes(data))
    status, out, err = cli(db, "check")
    assert status == 1
    assert out == ""
    assert "damaged" in err and "HMAC" in err


# --- errors -------------------------------------------------------------------------------


def test_unknown_file(cli, tmp_path):
    db = tmp_path / "missing.regulars"
    status, out, err = cli(db, "customers", "find", "ana")
    assert status == 1 and out == ""
    assert str(db) in err
    assert not db.exists()


def test_usage_error_in_process(cli, shop_path, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--db", str(shop_path), "customers", "add", "--phone", "(11) 98765-4321"])
    assert caught.value.code == 2
    assert "--first-name" in capsys.readouterr().err
    assert count_customers(shop_path) == 0


# --- real processes -----------------------------------------------------------------------


def test_end_to_end_in_a_real_process(tmp_path):
    db = tmp_path / "shop.regulars"
    created = run_process(db, "init", "--shop-name", "Padaria Central", "--region", "BR")
    assert created.returncode == 0, created.stderr
    added = run_process(db, "customers", "add", "--first-name", "Ana", "--last-name", "Souza", "--phone",
                        "(11) 98765-4321", "--email", "ana@example.com", "--json")
    assert added.returncode == 0, added.stderr
    record = json.loads(added.stdout)
    assert record["phone"] == "+5511987654321"
    found = run_process(db, "customers", "find", "4321", "--json")
    assert found.returncode == 0
    assert [m["uuid"] for m in json.loads(found.stdout)] == [record["uuid"]]
    duplicate = run_process(db, "customers", "add", "--first-name", "Bia", "--phone", "011 98765-4321")
    assert duplicate.returncode == 1
    assert "Ana Souza" in duplicate.stderr


def test_wrong_passphrase_in_a_real_process(shop_path):
    before = digest(shop_path)
    result = run_process(shop_path, "customers", "find", "ana", passphrase="wrong passphrase")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "passphrase" in result.stderr and str(shop_path) in result.stderr
    assert digest(shop_path) == before


def test_usage_error_in_a_real_process(shop_path):
    result = run_process(shop_path, "customers", "frobnicate")
    assert result.returncode == 2
    assert "usage:" in result.stderr


def test_no_passphrase_and_no_terminal(shop_path):
    result = run_process(shop_path, "customers", "find", "ana", passphrase=None)
    assert result.returncode == 1
    assert PASSPHRASE_ENV in result.stderr
    assert result.stdout == ""

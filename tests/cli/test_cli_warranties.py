"""The `warranties` commands, run in-process through main() against a real shop file."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from desktop.services.warranties import expiry
from tests.cli.helpers import ok, ok_json, refused

TODAY = date.today()
RECORD_KEYS = {
    "id", "customer_id", "customer_name", "product", "serial_number", "purchase_date", "months", "expires_on",
    "covered", "notes", "claims",
}


# --- helpers ------------------------------------------------------------------------------


def register(cli, db: Path, *args: str) -> dict:
    record = ok_json(cli, db, "warranties", "add", *args, "--json")
    assert set(record) == RECORD_KEYS
    return record


def expiring(cli, db: Path, days: str = "3660") -> list[dict]:
    return ok_json(cli, db, "warranties", "expiring", "--days", days, "--json")


@pytest.fixture
def nikos(cli, shop_path) -> dict:
    return ok_json(cli, shop_path, "customers", "add", "--first-name", "Νίκος", "--last-name", "Ιωάννου",
                   "--email", "nikos@example.gr", "--json")


@pytest.fixture
def kettle(cli, shop_path, nikos) -> dict:
    bought = (TODAY - timedelta(days=40)).isoformat()
    return register(cli, shop_path, "--customer", "1", "--product", "Chaleira eléctrica", "--serial", "KT-2024/0042",
                    "--purchased", bought, "--notes", "Caixa aberta")


# --- add and find -------------------------------------------------------------------------


def test_add_prints_the_expiry(cli, shop_path, nikos):
    out = ok(cli, shop_path, "warranties", "add", "--customer", "1", "--product", "Torradeira", "--serial",
             "TS 1234", "--purchased", "2024-03-15")
    assert out.splitlines() == [
        "Warranty #1: Torradeira (serial TS 1234) for Νίκος Ιωάννου, 12 months.",
        "Covered until 2025-03-14.",
    ]
    out = ok(cli, shop_path, "warranties", "add", "--customer", "1", "--product", "Torradeira", "--serial",
             "TS 5678", "--purchased", "2024-02-29", "--months", "1")
    assert out.splitlines()[1:] == ["Covered until 2024-03-28."]
    assert "1 month." in out


def test_add_json(cli, shop_path, nikos, kettle):
    bought = TODAY - timedelta(days=40)
    assert kettle == {
        "id": 1, "customer_id": 1, "customer_name": "Νίκος Ιωάννου", "product": "Chaleira eléctrica",
        "serial_number": "KT-2024/0042", "purchase_date": bought.isoformat(), "months": 12,
        "expires_on": expiry(bought, 12).isoformat(), "covered": True, "notes": "Caixa aberta", "claims": [],
    }


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--purchased", "15/03/2024"], "--purchased: Write the date as YYYY-MM-DD"),
        (["--purchased", (TODAY + timedelta(days=1)).isoformat()], "--purchased: The purchase date cannot be in"),
        (["--purchased", "2024-03-15", "--months", "0"], "--months: Enter the warranty length in months"),
        (["--purchased", "2024-03-15", "--months", "doze"], "--months: "),
        (["--purchased", "2024-03-15", "--months", "121"], "--months: "),
        (["--purchased", "2024-03-15", "--serial", "A-1"], "--serial: A serial number has at least 3"),
        (["--purchased", "2024-03-15", "--product", ""], "--product: Say which product is covered."),
    ],
)
def test_add_refuses_bad_input(cli, shop_path, nikos, args, says):
    base = {"--customer": "1", "--product": "Torradeira", "--serial": "TS-1234"}
    for name, value in zip(args[::2], args[1::2]):
        base[name] = value
    assert says in refused(cli, shop_path, "warranties", "add", *[x for pair in base.items() for x in pair])
    assert expiring(cli, shop_path) == []


def test_add_for_an_unknown_customer(cli, shop_path, nikos):
    assert "No customer 42." in refused(cli, shop_path, "warranties", "add", "--customer", "42", "--product", "Fogão",
                                        "--serial", "F-999", "--purchased", "2024-03-15")
    assert expiring(cli, shop_path) == []


def test_a_serial_is_registered_once_per_product(cli, shop_path, nikos, kettle):
    err = refused(cli, shop_path, "warranties", "add", "--customer", "1", "--product", "chaleira electrica",
                  "--serial", "kt 2024 0042", "--purchased", "2024-03-15")
    assert "--serial: This serial number is already registered for Chaleira eléctrica (warranty #1)." in err
    assert len(expiring(cli, shop_path)) == 1


def test_find_however_the_serial_is_typed(cli, shop_path, nikos, kettle):
    for typed in ("KT-2024/0042", "kt 2024 0042", "kt20240042"):
        assert ok_json(cli, shop_path, "warranties", "find", typed, "--json") == [kettle]
    out = ok(cli, shop_path, "warranties", "find", "kt20240042")
    assert out.splitlines() == [
        "#1  Chaleira eléctrica (serial KT-2024/0042)",
        f"    Νίκος Ιωάννου (customer #1), bought {kettle['purchase_date']}, covered to {kettle['expires_on']}",
    ]


@pytest.mark.parametrize("serial", ["ZZ-0000", "KT"])
def test_find_nothing(cli, shop_path, nikos, kettle, serial):
    for more in ([], ["--json"]):
        err = refused(cli, shop_path, "warranties", "find", serial, *more)
        assert err.strip() == f"regulars: No warranty with serial number {serial}."


# --- expiring -----------------------------------------------------------------------------


def test_expiring(cli, shop_path, nikos):
    soon = register(cli, shop_path, "--customer", "1", "--product", "Liquidificador", "--serial", "LQ-1001",
                    "--purchased", (TODAY - timedelta(days=350)).isoformat())
    register(cli, shop_path, "--customer", "1", "--product", "Forno", "--serial", "FR-2002",
             "--purchased", TODAY.isoformat())
    register(cli, shop_path, "--customer", "1", "--product", "Batedeira", "--serial", "BT-3003",
             "--purchased", "2020-01-01")  # expired long ago
    assert [w["product"] for w in expiring(cli, shop_path, "30")] == ["Liquidificador"]
    assert ok_json(cli, shop_path, "warranties", "expiring", "--json") == [soon]  # default: 30 days
    assert [w["product"] for w in expiring(cli, shop_path, "400")] == ["Liquidificador", "Forno"]
    lines = ok(cli, shop_path, "warranties", "expiring", "--days", "400").splitlines()
    assert lines[0].split() == ["#", "Expires", "Customer", "Product", "Serial"]
    assert lines[1].split() == ["1", soon["expires_on"], "Νίκος", "Ιωάννου", "Liquidificador", "LQ-1001"]
    assert all(len(line) <= 100 for line in lines)


def test_expiring_none_and_bad_days(cli, shop_path):
    status, out, err = cli(shop_path, "warranties", "expiring")
    assert (status, out) == (0, "") and "No warranty expires in the next 30 days." in err
    assert "--days: Enter a number of days from 0 to 3660." in refused(cli, shop_path, "warranties", "expiring",
                                                                       "--days", "-1")


# --- claims -------------------------------------------------------------------------------


def test_claim_and_outcome(cli, shop_path, nikos, kettle):
    out = ok(cli, shop_path, "warranties", "claim", "1", "--problem", "Não aquece")
    assert out.strip() == f"Claim #1 on warranty #1, {TODAY.isoformat()}."
    claimed = (TODAY - timedelta(days=2)).isoformat()
    record = ok_json(cli, shop_path, "warranties", "claim", "1", "--problem", "Tampa partida",
                     "--date", claimed, "--outcome", "Tampa trocada", "--json")
    assert record == {"warranty_id": 1, "id": 2, "claimed_on": claimed, "problem": "Tampa partida",
                      "outcome": "Tampa trocada"}
    out = ok(cli, shop_path, "warranties", "outcome", "1", "Reparada")
    assert out.strip() == "Claim #1 on warranty #1: Reparada"
    claims = ok_json(cli, shop_path, "warranties", "find", "KT20240042", "--json")[0]["claims"]
    assert claims == [  # in the order they happened
        {"id": 2, "claimed_on": claimed, "problem": "Tampa partida", "outcome": "Tampa trocada"},
        {"id": 1, "claimed_on": TODAY.isoformat(), "problem": "Não aquece", "outcome": "Reparada"},
    ]
    text_out = ok(cli, shop_path, "warranties", "find", "KT20240042")
    assert f"    claim #1 on {TODAY.isoformat()}: Não aquece -> Reparada" in text_out


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["1", "--problem", " "], "--problem: Describe the problem."),
        (["1", "--problem", "Partiu", "--date", "2000-01-01"], "--date: The claim date must be between"),
        (["1", "--problem", "Partiu", "--date", "ontem"], "--date: Write the date as YYYY-MM-DD"),
        (["9", "--problem", "Partiu"], "No warranty 9."),
    ],
)
def test_claim_refusals(cli, shop_path, nikos, kettle, args, says):
    assert says in refused(cli, shop_path, "warranties", "claim", *args)
    assert ok_json(cli, shop_path, "warranties", "find", "KT20240042", "--json")[0]["claims"] == []


def test_outcome_refusals(cli, shop_path, nikos, kettle):
    ok(cli, shop_path, "warranties", "claim", "1", "--problem", "Não aquece")
    assert "outcome: Describe what was done." in refused(cli, shop_path, "warranties", "outcome", "1", "  ")
    assert "No warranty claim 5." in refused(cli, shop_path, "warranties", "outcome", "5", "Reparada")
    claims = ok_json(cli, shop_path, "warranties", "find", "KT20240042", "--json")[0]["claims"]
    assert [c["outcome"] for c in claims] == [""]

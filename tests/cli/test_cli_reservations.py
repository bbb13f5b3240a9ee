"""The `reservations` commands, run in-process through main() against a real shop file."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from desktop.services import card_codes
from desktop.services.reservations import NewReservation, add_reservation
from tests.cli.helpers import ok, ok_json, refused, shop_session

TODAY = date.today()
SOON = (TODAY + timedelta(days=3)).isoformat()
LATER = (TODAY + timedelta(days=20)).isoformat()
DISPLAY = re.compile(r"\bB[0-9A-Z]{3}-[0-9A-Z]{4}-[0-9A-Z]\b")
RECORD_KEYS = {
    "id", "reference", "reference_display", "customer_id", "customer_name", "customer_phone", "item", "quantity",
    "deposit_cents", "deposit", "expected_on", "notes", "status", "status_changed_at", "created_at",
}


# --- helpers ------------------------------------------------------------------------------


def listed(cli, db: Path, *which: str) -> list[dict]:
    return ok_json(cli, db, "reservations", "list", *which, "--json")


def reserve(cli, db: Path, *args: str) -> dict:
    record = ok_json(cli, db, "reservations", "add", *args, "--json")
    assert set(record) == RECORD_KEYS
    return record


@pytest.fixture
def cake(cli, shop_path, ana) -> dict:
    return reserve(cli, shop_path, "--customer", "1", "--item", "Bolo de chocolate", "--quantity", "2",
                   "--deposit", "12,50", "--expected", SOON, "--staff", "Rita")


# --- add ----------------------------------------------------------------------------------


def test_add_prints_the_reference_in_display_form(cli, shop_path, ana):
    out = ok(cli, shop_path, "reservations", "add", "--customer", "1", "--item", "Pão de forma",
             "--expected", SOON)
    assert out.splitlines()[0] == f"Reserved 1 x Pão de forma for Ana Conceição, expected {SOON}."
    shown = DISPLAY.findall(out)
    assert len(shown) == 1 and out.splitlines()[1] == f"Reference: {shown[0]}"
    assert card_codes.is_valid(shown[0], card_codes.RESERVATION_PREFIX)
    assert [r["reference_display"] for r in listed(cli, shop_path)] == shown


def test_add_json(cli, shop_path, ana, cake):
    assert cake == {
        "id": 1, "reference": cake["reference"], "reference_display": card_codes.display(cake["reference"]),
        "customer_id": 1, "customer_name": "Ana Conceição", "customer_phone": "+5511987654321",
        "item": "Bolo de chocolate", "quantity": 2, "deposit_cents": 1250, "deposit": "R$ 12,50",
        "expected_on": SOON, "notes": "", "status": "open", "status_changed_at": cake["status_changed_at"],
        "created_at": cake["created_at"],
    }


def test_add_by_uuid_and_card_code(cli, shop_path, ana):
    code = ok_json(cli, shop_path, "loyalty", "card", "1", "--json")["display"]
    for ref in (ana["uuid"], code):
        assert reserve(cli, shop_path, "--customer", ref, "--item", "Broa", "--expected", SOON)["customer_id"] == 1


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--expected", "2026-13-01"], "--expected: Write the date as YYYY-MM-DD"),
        (["--expected", "24/12/2026"], "--expected: Write the date as YYYY-MM-DD"),
        (["--expected", (TODAY - timedelta(days=1)).isoformat()], "--expected: The expected date has passed"),
        (["--expected", SOON, "--quantity", "0"], "--quantity: Enter a whole number from 1 to 999."),
        (["--expected", SOON, "--quantity", "dois"], "--quantity: "),
        (["--expected", SOON, "--quantity", "1000"], "--quantity: "),
        (["--expected", SOON, "--deposit", "doze"], "--deposit: "),
        (["--expected", SOON, "--item", " "], "--item: Say what is reserved."),
        (["--expected", SOON, "--staff", "Ri\x00ta"], "--staff: "),
    ],
)
def test_add_refuses_bad_input(cli, shop_path, ana, args, says):
    base = ["--customer", "1", "--item", "Bolo"]
    if "--item" in args:
        base = ["--customer", "1"]
    assert says in refused(cli, shop_path, "reservations", "add", *base, *args)
    assert listed(cli, shop_path, "--open") == []


def test_add_names_every_bad_field(cli, shop_path, ana):
    err = refused(cli, shop_path, "reservations", "add", "--customer", "1", "--item", "Bolo", "--quantity", "0",
                  "--expected", "soon")
    assert "--quantity: " in err and "--expected: " in err


def test_add_for_an_unknown_customer(cli, shop_path, ana):
    assert "No customer 99." in refused(cli, shop_path, "reservations", "add", "--customer", "99", "--item", "Bolo",
                                        "--expected", SOON)
    assert "No active card" in refused(cli, shop_path, "reservations", "add", "--customer", "R234-5678-9",
                                       "--item", "Bolo", "--expected", SOON)
    assert listed(cli, shop_path, "--open") == []


# --- lists --------------------------------------------------------------------------------


def test_lists(cli, shop_path, ana, cake):
    later = reserve(cli, shop_path, "--customer", "1", "--item", "Panetone", "--expected", LATER)
    with shop_session(shop_path, write=True) as session:  # an overdue one can only be made in the past
        add_reservation(session, NewReservation(customer_id=1, item="Sonhos", expected_on=TODAY - timedelta(days=2)),
                        today=TODAY - timedelta(days=5))
    ok(cli, shop_path, "reservations", "add", "--customer", "1", "--item", "Broa", "--expected", SOON)
    ok(cli, shop_path, "reservations", "status", "4", "ready")

    assert [r["item"] for r in listed(cli, shop_path)] == ["Sonhos", "Bolo de chocolate", "Panetone"]  # every open one
    assert [r["item"] for r in listed(cli, shop_path, "--due-this-week")] == ["Bolo de chocolate"]
    assert [r["item"] for r in listed(cli, shop_path, "--open")] == ["Sonhos", "Bolo de chocolate", "Panetone"]
    assert [r["item"] for r in listed(cli, shop_path, "--overdue")] == ["Sonhos"]
    assert [r["item"] for r in listed(cli, shop_path, "--ready")] == ["Broa"]
    by_customer = listed(cli, shop_path, "--customer", ana["uuid"])
    assert [r["item"] for r in by_customer] == ["Broa", "Sonhos", "Panetone", "Bolo de chocolate"]
    assert later in by_customer


def test_list_table(cli, shop_path, ana, cake):
    ok(cli, shop_path, "customers", "add", "--first-name", "Παναγιώτα", "--last-name", "Χατζηγεωργίου-Παπαδοπούλου",
       "--phone", "+30 691 234 5678")
    ok(cli, shop_path, "reservations", "add", "--customer", "2", "--item", "Τούρτα σοκολάτα με φράουλες " * 3,
       "--expected", SOON)
    lines = ok(cli, shop_path, "reservations", "list").splitlines()
    assert lines[0].split() == ["Reference", "Expected", "Status", "Customer", "Item", "Qty", "Deposit"]
    assert lines[1].split() == [cake["reference_display"], SOON, "open", "Ana", "Conceição", "Bolo", "de",
                                "chocolate", "2", "R$", "12,50"]
    assert "Παναγιώτα Χατζηγεωρ…" in lines[2] and lines[2].rstrip().endswith("1             -")
    assert all(len(line) <= 100 for line in lines)


def test_empty_lists(cli, shop_path, ana):
    lists = [((), "No open reservations"), (("--due-this-week",), "due this week"), (("--ready",), "ready"),
             (("--customer", "1"), "no reservations")]
    for which, says in lists:
        status, out, err = cli(shop_path, "reservations", "list", *which)
        assert (status, out) == (0, "") and says in err


def test_list_options_exclude_each_other(cli, shop_path, capsys):
    from desktop.cli import main

    with pytest.raises(SystemExit) as caught:
        main(["--db", str(shop_path), "reservations", "list", "--ready", "--overdue"])
    assert caught.value.code == 2
    assert "not allowed with" in capsys.readouterr().err


# --- status and show ----------------------------------------------------------------------


def test_status_moves_and_history(cli, shop_path, ana, cake):
    typed = cake["reference"].lower()  # as typed, without the dashes
    out = ok(cli, shop_path, "reservations", "status", typed, "ready", "--staff", "Rita")
    assert out.strip() == f"{cake['reference_display']} (Bolo de chocolate for Ana Conceição) is now ready."
    record = ok_json(cli, shop_path, "reservations", "status", cake["reference_display"], "collected",
                     "--json")
    assert set(record) == RECORD_KEYS and record["status"] == "collected"

    shown = ok_json(cli, shop_path, "reservations", "show", cake["reference_display"], "--json")
    assert set(shown) == RECORD_KEYS | {"history"}
    assert [(h["status"], h["staff"]) for h in shown["history"]] == [("open", "Rita"), ("ready", "Rita"),
                                                                     ("collected", "")]
    assert all(isinstance(h["changed_at"], str) for h in shown["history"])

    text_out = ok(cli, shop_path, "reservations", "show", cake["reference"])
    assert f" reference: {cake['reference_display']}" in text_out
    assert "  customer: Ana Conceição (customer #1)" in text_out
    assert "     phone: (11) 98765-4321" in text_out and "   deposit: R$ 12,50" in text_out
    history = text_out.split("history:\n")[1].splitlines()
    assert [line.split()[2:] for line in history] == [["open", "by", "Rita"], ["ready", "by", "Rita"],
                                                     ["collected"]]


@pytest.mark.parametrize(
    ("moves", "bad", "says"),
    [
        ([], "collected", "status: A reservation that is open can only become: ready, cancelled."),
        (["ready"], "ready", "status: A reservation that is ready can only become: collected, cancelled."),
        (["cancelled"], "ready", "status: This reservation is cancelled and cannot change any more."),
        (["ready", "collected"], "cancelled", "status: This reservation is collected and cannot change any more."),
    ],
)
def test_status_refuses_a_bad_move(cli, shop_path, ana, cake, moves, bad, says):
    for move in moves:
        ok(cli, shop_path, "reservations", "status", cake["reference"], move)
    assert says in refused(cli, shop_path, "reservations", "status", cake["reference"], bad)
    shown = ok_json(cli, shop_path, "reservations", "show", cake["reference"], "--json")
    assert [h["status"] for h in shown["history"]] == ["open", *moves]  # nothing more was written


def test_an_unknown_reference(cli, shop_path, ana, cake):
    assert "No reservation B234-5678-9." in refused(cli, shop_path, "reservations", "status", "B234-5678-9", "ready")
    assert "No reservation 7." in refused(cli, shop_path, "reservations", "show", "7")

"""The `loyalty` commands, run in-process through main() against a real shop file."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.cli import main
from desktop.services import card_codes
from tests.cli.helpers import count_rows, ok, ok_json

BALANCE_KEYS = {"program", "kind", "status", "balance", "reward_at", "rewards_due", "reward"}


# --- helpers ------------------------------------------------------------------------------


def entries(db: Path) -> int:
    return count_rows(db, "loyalty_entries")


def add_customer(cli, db: Path, first: str, phone: str) -> dict:
    return ok_json(cli, db, "customers", "add", "--first-name", first, "--phone", phone, "--json")


def balances(cli, db: Path, customer: str) -> dict[str, dict]:
    records = ok_json(cli, db, "loyalty", "balance", customer, "--json")
    return {r["program"]: r for r in records}


def held(cli, db: Path, customer: str, program: str) -> int:
    return balances(cli, db, customer)[program]["balance"]


def card_code(cli, db: Path, customer: str, *more: str) -> str:
    record = ok_json(cli, db, "loyalty", "card", customer, "--json", *more)
    assert record["display"] == card_codes.display(record["code"])
    return record["code"]


@pytest.fixture
def ana(cli, shop_path) -> dict:
    return add_customer(cli, shop_path, "Ana", "(11) 98765-4321")


@pytest.fixture
def coffee(cli, shop_path) -> str:
    ok(cli, shop_path, "loyalty", "programs", "add", "--name", "Coffee card", "--reward-at", "3",
       "--reward", "Free coffee")
    return "Coffee card"


# --- programmes ---------------------------------------------------------------------------


def test_programs_add_and_list(cli, shop_path):
    out = ok(cli, shop_path, "loyalty", "programs", "add", "--name", "Coffee card", "--reward-at", "10",
             "--reward", "Free coffee")
    assert "stamps" in out and "Coffee card" in out and "10" in out
    ok(cli, shop_path, "loyalty", "programs", "add", "--name", "Bread club", "--reward-at", "5",
       "--reward", "A free loaf", "--spend-per-stamp", "10,00")
    out = ok(cli, shop_path, "loyalty", "programs", "add", "--name", "Points", "--reward-at", "500",
             "--reward", "R$ 10 off", "--points-per-unit", "2")
    assert "points" in out
    programs = ok_json(cli, shop_path, "loyalty", "programs", "list", "--json")
    assert programs == [
        {"id": 1, "name": "Coffee card", "kind": "stamps", "reward_at": 10, "reward": "Free coffee",
         "status": "active"},
        {"id": 2, "name": "Bread club", "kind": "stamps", "reward_at": 5, "reward": "A free loaf",
         "status": "active"},
        {"id": 3, "name": "Points", "kind": "points", "reward_at": 500, "reward": "R$ 10 off",
         "status": "active"},
    ]
    listed = ok(cli, shop_path, "loyalty", "programs", "list")
    assert [line.split()[1] for line in listed.splitlines()] == ["Coffee", "Bread", "Points"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--name", "coffee CARD", "--reward-at", "3", "--reward", "Free coffee"], "--name: "),
        (["--name", "Tea card", "--reward-at", "0", "--reward", "Free tea"], "--reward-at: "),
        (["--name", "Tea card", "--reward-at", "3", "--reward", " "], "--reward: "),
        (["--name", "Tea card", "--reward-at", "3", "--reward", "Tea", "--points-per-unit", "0"],
         "--points-per-unit: "),
        (["--name", "Tea card", "--reward-at", "3", "--reward", "Tea", "--spend-per-stamp", "lots"],
         "--spend-per-stamp: "),
    ],
)
def test_programs_add_refuses_bad_settings(cli, shop_path, coffee, args, says):
    status, out, err = cli(shop_path, "loyalty", "programs", "add", *args)
    assert status == 1
    assert err.startswith("regulars: ") and says in err
    assert out == ""
    assert [p["name"] for p in ok_json(cli, shop_path, "loyalty", "programs", "list", "--json")] == [coffee]


def test_pause_resume_and_end(cli, shop_path, ana, coffee):
    ok(cli, shop_path, "loyalty", "stamp", "1", "--program", coffee)
    out = ok(cli, shop_path, "loyalty", "programs", "pause", coffee)
    assert "paused" in out and "balances are kept" in out
    assert ok_json(cli, shop_path, "loyalty", "programs", "list", "--json")[0]["status"] == "paused"

    status, out, err = cli(shop_path, "loyalty", "stamp", "1", "--program", coffee)
    assert status == 1 and out == ""
    assert "paused" in err
    status, _, err = cli(shop_path, "loyalty", "redeem", "1", "--program", coffee, "--yes")
    assert status == 1 and "paused" in err
    assert entries(shop_path) == 1
    assert balances(cli, shop_path, "1")[coffee] == {
        "program": coffee, "kind": "stamps", "status": "paused", "balance": 1, "reward_at": 3, "rewards_due": 0,
        "reward": "Free coffee",
    }

    ok(cli, shop_path, "loyalty", "programs", "resume", "1")  # by number
    assert ok_json(cli, shop_path, "loyalty", "stamp", "1", "--program", coffee, "--json")["balance"] == 2

    ok(cli, shop_path, "loyalty", "programs", "end", coffee)
    status, _, err = cli(shop_path, "loyalty", "programs", "resume", coffee)
    assert status == 1 and "cannot restart" in err
    assert ok_json(cli, shop_path, "loyalty", "programs", "list", "--json")[0]["status"] == "ended"
    assert balances(cli, shop_path, "1")[coffee]["status"] == "ended"  # a balance is left, so it shows
    assert held(cli, shop_path, "1", coffee) == 2


def test_status_of_an_unknown_programme(cli, shop_path):
    status, out, err = cli(shop_path, "loyalty", "programs", "pause", "Tea card")
    assert (status, out) == (1, "")
    assert "No loyalty programme Tea card" in err


# --- stamps and balances ------------------------------------------------------------------


def test_stamp_by_number_uuid_and_card_code(cli, shop_path, ana, coffee):
    code = card_code(cli, shop_path, str(ana["id"]))
    out = ok(cli, shop_path, "loyalty", "stamp", str(ana["id"]), "--program", coffee)
    assert out.strip() == "Coffee card: 1 of 3 stamps"
    ok(cli, shop_path, "loyalty", "stamp", ana["uuid"], "--program", "coffee card")
    out = ok(cli, shop_path, "loyalty", "stamp", card_codes.display(code).lower(), "--program", "1")
    assert "REWARD DUE: Free coffee (x1)" in out
    record = ok_json(cli, shop_path, "loyalty", "stamp", code, "--program", coffee, "--json")
    assert record == {
        "program": coffee, "kind": "stamps", "status": "active", "balance": 4, "reward_at": 3, "rewards_due": 1,
        "reward": "Free coffee",
    }
    assert entries(shop_path) == 4


def test_balance_json_shape(cli, shop_path, ana, coffee):
    ok(cli, shop_path, "loyalty", "programs", "add", "--name", "Points", "--reward-at", "20",
       "--reward", "R$ 5 off", "--points-per-unit", "2")
    ok(cli, shop_path, "loyalty", "stamp", "1", "--program", "Points", "--purchase", "12,50")
    records = ok_json(cli, shop_path, "loyalty", "balance", "1", "--json")
    assert isinstance(records, list)
    assert all(set(r) == BALANCE_KEYS for r in records)
    assert records == [
        {"program": "Coffee card", "kind": "stamps", "status": "active", "balance": 0, "reward_at": 3,
         "rewards_due": 0, "reward": "Free coffee"},
        {"program": "Points", "kind": "points", "status": "active", "balance": 24, "reward_at": 20,
         "rewards_due": 1, "reward": "R$ 5 off"},
    ]
    text_out = ok(cli, shop_path, "loyalty", "balance", "1")
    assert text_out.splitlines() == [
        "Coffee card: 0 of 3 stamps",
        "Points: 24 of 20 points  REWARD DUE: R$ 5 off (x1)",
    ]


def test_balance_with_no_programmes(cli, shop_path, ana):
    assert ok_json(cli, shop_path, "loyalty", "balance", "1", "--json") == []
    status, out, err = cli(shop_path, "loyalty", "balance", "1")
    assert (status, out) == (0, "")
    assert "No loyalty programmes yet" in err


def test_points_need_the_purchase(cli, shop_path, ana):
    ok(cli, shop_path, "loyalty", "programs", "add", "--name", "Points", "--reward-at", "20",
       "--reward", "R$ 5 off", "--points-per-unit", "2")
    for more in ([], ["--purchase", "abc"], ["--purchase", "0"]):
        status, out, err = cli(shop_path, "loyalty", "stamp", "1", "--program", "Points", *more)
        assert (status, out) == (1, ""), more
        assert "purchase: " in err
    assert entries(shop_path) == 0


def test_stamp_for_an_unknown_customer_or_programme(cli, shop_path, ana, coffee):
    status, _, err = cli(shop_path, "loyalty", "stamp", "99", "--program", coffee)
    assert status == 1 and "No customer 99" in err
    status, _, err = cli(shop_path, "loyalty", "stamp", "1", "--program", "Tea card")
    assert status == 1 and "No loyalty programme" in err
    assert entries(shop_path) == 0


# --- redeem and adjust --------------------------------------------------------------------


def test_redeem_without_yes_and_without_a_terminal_writes_nothing(cli, shop_path, ana, coffee):
    for _ in range(3):
        ok(cli, shop_path, "loyalty", "stamp", "1", "--program", coffee)
    status, out, err = cli(shop_path, "loyalty", "redeem", "1", "--program", coffee)
    assert (status, out) == (1, "")
    assert "--yes" in err
    assert entries(shop_path) == 3
    assert held(cli, shop_path, "1", coffee) == 3


def test_redeem_with_yes(cli, shop_path, ana, coffee):
    for _ in range(4):
        ok(cli, shop_path, "loyalty", "stamp", "1", "--program", coffee)
    record = ok_json(cli, shop_path, "loyalty", "redeem", "1", "--program", coffee, "--yes", "--json")
    assert (record["balance"], record["rewards_due"]) == (1, 0)
    status, out, err = cli(shop_path, "loyalty", "redeem", "1", "--program", coffee, "--yes")
    assert (status, out) == (1, "")
    assert "Not enough for a reward yet: 1 of 3" in err
    assert entries(shop_path) == 5
    assert held(cli, shop_path, "1", coffee) == 1


@pytest.mark.parametrize("reason", ["", "   "])
def test_adjust_without_a_reason_names_the_field(cli, shop_path, ana, coffee, reason):
    status, out, err = cli(shop_path, "loyalty", "adjust", "1", "--program", coffee, "--amount", "2",
                           "--reason", reason)
    assert (status, out) == (1, "")
    assert "reason: " in err
    assert entries(shop_path) == 0


def test_adjust_needs_the_reason_option(cli, shop_path, ana, coffee, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--db", str(shop_path), "loyalty", "adjust", "1", "--program", coffee, "--amount", "2"])
    assert caught.value.code == 2
    assert "--reason" in capsys.readouterr().err
    assert entries(shop_path) == 0


def test_adjust(cli, shop_path, ana, coffee):
    status, _, err = cli(shop_path, "loyalty", "adjust", "1", "--program", coffee, "--amount", "0", "--reason", "x")
    assert status == 1 and "amount: " in err
    out = ok(cli, shop_path, "loyalty", "adjust", "1", "--program", coffee, "--amount", "4",
             "--reason", "moved from the paper card")
    assert "4 of 3" in out
    status, _, err = cli(shop_path, "loyalty", "adjust", "1", "--program", coffee, "--amount", "-5",
                         "--reason", "typo")
    assert status == 1 and "below zero" in err
    ok(cli, shop_path, "loyalty", "adjust", "1", "--program", coffee, "--amount", "-4", "--reason", "typo")
    assert held(cli, shop_path, "1", coffee) == 0
    assert entries(shop_path) == 2


# --- cards --------------------------------------------------------------------------------


def test_a_card_is_issued_once_and_finds_its_owner(cli, shop_path, ana):
    add_customer(cli, shop_path, "Bruno", "(21) 99876-1234")
    code = card_code(cli, shop_path, "1")
    assert card_codes.is_valid(code)
    assert card_code(cli, shop_path, "1") == code
    assert card_code(cli, shop_path, code) == code
    out = ok(cli, shop_path, "loyalty", "card", "1")
    assert out.strip() == f"{card_codes.display(code)}  ({code})"
    for typed in (code, card_codes.display(code).lower()):
        found = ok_json(cli, shop_path, "customers", "find", typed, "--json")
        assert [(m["id"], m["matched_by"]) for m in found] == [(ana["id"], "card")]
    assert "Ana" in ok(cli, shop_path, "customers", "find", card_codes.display(code))


def test_a_mistyped_card_code_finds_nobody(cli, shop_path, ana):
    code = card_code(cli, shop_path, "1")
    wrong = code[:-1] + ("2" if code[-1] != "2" else "3")
    status, out, err = cli(shop_path, "customers", "find", wrong)
    assert (status, out) == (0, "")
    assert "not a valid card code" in err  # the typo is explained, as in the app
    status, _, err = cli(shop_path, "loyalty", "balance", wrong)
    assert status == 1 and "No active card" in err


def test_replacing_a_card_makes_the_old_code_fail(cli, shop_path, ana, coffee):
    old = card_code(cli, shop_path, "1")
    new = card_code(cli, shop_path, "1", "--replace")
    assert new != old and card_codes.is_valid(new)
    for args in (("loyalty", "stamp", old, "--program", coffee), ("loyalty", "balance", old),
                 ("loyalty", "card", old)):
        status, out, err = cli(shop_path, *args)
        assert (status, out) == (1, ""), args
        assert "No active card" in err
    assert ok_json(cli, shop_path, "customers", "find", old, "--json") == []
    ok(cli, shop_path, "loyalty", "stamp", new, "--program", coffee)
    assert held(cli, shop_path, new, coffee) == 1
    assert card_code(cli, shop_path, "1") == new
    assert entries(shop_path) == 1


def test_print_cards_writes_a_pdf(cli, shop_path, ana, coffee, tmp_path):
    pytest.importorskip("desktop.printing.loyalty_cards", reason="the card printing module is not there yet")
    out_file = tmp_path / "x.pdf"
    ok(cli, shop_path, "print", "cards", "--out", str(out_file), "--customer", "1")
    assert out_file.read_bytes().startswith(b"%PDF")


def test_a_printed_card_says_what_the_stamps_lead_to(cli, shop_path, ana, coffee, tmp_path):
    from tests.pdf_reading import flat_text

    out_file = tmp_path / "cards.pdf"
    ok(cli, shop_path, "print", "cards", "--out", str(out_file), "--all")
    assert "Coffee card · 3 stamps: Free coffee" in flat_text(out_file)

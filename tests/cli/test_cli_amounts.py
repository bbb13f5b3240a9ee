"""Amounts on the command line (deposits, purchases, spend per stamp) as the shop's country writes
them: too many decimals and separators that read two ways are refused, naming the option."""

from __future__ import annotations

import pytest

from tests.cli.helpers import ok, ok_json, refused, shop_fingerprint

RESERVE = ("reservations", "add", "--customer", "1", "--item", "Bolo", "--expected", "2030-01-10", "--json")


@pytest.mark.parametrize(
    ("deposit", "says"),
    [
        ("0,001", "--deposit: At most 2 decimals in BRL."),  # once a deposit of R$ 1,00
        ("12,500", "--deposit: Could be R$ 12,50 or R$ 12.500,00: type 12,50 or 12500."),  # once R$ 12.500,00
        ("1,2,3", "--deposit: Write the amount as digits"),
        ("1e9", "--deposit: Write the amount as digits"),
        ("NaN", "--deposit: Write the amount as digits"),
        ("-0", "--deposit: Write the amount as digits"),
    ],
)
def test_a_deposit_that_is_not_clearly_an_amount_is_refused(cli, records_path, deposit, says):
    before = shop_fingerprint(records_path)
    assert says in refused(cli, records_path, *RESERVE, "--deposit", deposit)
    assert shop_fingerprint(records_path) == before


@pytest.mark.parametrize(("deposit", "cents"), [("12,50", 1250), ("12.50", 1250), ("1.234", 123400), ("1.234,5", 123450)])
def test_deposits_as_brazil_writes_them(cli, records_path, deposit, cents):
    assert ok_json(cli, records_path, *RESERVE, "--deposit", deposit)["deposit_cents"] == cents


def test_a_purchase_and_a_spend_per_stamp_are_read_the_same_way(cli, records_path):
    before = shop_fingerprint(records_path)
    assert "--purchase: Could be R$ 12,50 or R$ 12.500,00" in refused(
        cli, records_path, "loyalty", "stamp", "1", "--program", "Café", "--purchase", "12,500")
    assert "--spend-per-stamp: At most 2 decimals in BRL." in refused(
        cli, records_path, "loyalty", "programs", "add", "--name", "Pão", "--reward-at", "5", "--reward", "Um pão",
        "--spend-per-stamp", "0,001")
    assert shop_fingerprint(records_path) == before
    ok(cli, records_path, "loyalty", "programs", "add", "--name", "Pão", "--reward-at", "5", "--reward", "Um pão",
       "--spend-per-stamp", "10,00")
    assert "1 of 5" in ok(cli, records_path, "loyalty", "stamp", "1", "--program", "Pão", "--purchase", "12,50")

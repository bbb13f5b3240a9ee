"""Amounts typed at the till, read as whole cents; amounts and dates as printed on a slip."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from desktop.errors import Problem
from desktop.services.dates import add_months, format_date
from desktop.services.money import MAX_CENTS, format_money, parse_cents


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("12,50", 1250),
        ("12.50", 1250),  # a keypad's decimal point: the only way to read it
        ("12,5", 1250),
        ("12.5", 1250),
        ("1.234,50", 123450),
        ("1,234.50", 123450),
        ("1 234,50", 123450),
        ("1\u00a0234,50", 123450),
        ("123.456,78", 12345678),
        ("12", 1200),
        ("  12,50  ", 1250),
        ("0,01", 1),
        ("0.99", 99),
        ("1234", 123400),
        ("1234,50", 123450),
        (",50", 50),
        # Three digits after a point are thousands in Brazil; as decimals they would be tenths of a cent.
        ("1.234", 123400),
    ],
)
def test_typed_amounts(typed, cents):
    assert parse_cents(typed, "BRL", "BR") == cents


@pytest.mark.parametrize(
    ("typed", "currency", "region", "cents"),
    [
        ("12,50", "EUR", "PT", 1250), ("1.234,50", "EUR", "GR", 123450), ("1.234", "EUR", "NL", 123400),
        ("12.50", "USD", "US", 1250), ("1,234.50", "USD", "US", 123450), ("1,234", "USD", "US", 123400),
        ("12,50", "USD", "US", 1250),
        ("12,500", "JPY", "JP", 1250000),  # yen have no decimals: only thousands make sense
        ("500", "JPY", "JP", 50000),
    ],
)
def test_amounts_read_as_the_shops_country_writes_them(typed, currency, region, cents):
    assert parse_cents(typed, currency, region) == cents


@pytest.mark.parametrize(
    ("typed", "currency", "region", "says"),
    [
        ("0,001", "EUR", "PT", "At most 2 decimals in EUR."),
        ("12,501", "EUR", "PT", "At most 2 decimals in EUR."),
        ("1,234", "BRL", "BR", "At most 2 decimals in BRL."),
        ("0.001", "USD", "US", "At most 2 decimals in USD."),
        ("12.5", "JPY", "JP", "Amounts in JPY have no decimals."),
        ("12,500", "EUR", "PT", "Could be 12,50 € or 12.500,00 €: type 12,50 or 12500."),
        ("12.500", "EUR", "PT", "Could be 12.500,00 € or 12,50 €: type 12500 or 12,50."),
        ("12,500", "USD", "US", "Could be $12,500.00 or $12.50: type 12500 or 12.50."),
        ("1.500", "BRL", "BR", "Could be R$ 1.500,00 or R$ 1,50: type 1500 or 1,50."),
    ],
)
def test_too_many_decimals_and_ambiguous_separators_are_refused(typed, currency, region, says):
    result = parse_cents(typed, currency, region)
    assert isinstance(result, Problem), result
    assert result.text() == says


@pytest.mark.parametrize(("value", "cents"), [(12, 1200), (1, 100), (Decimal("12.34"), 1234), (Decimal("0.5"), 50)])
def test_numbers(value, cents):
    assert parse_cents(value, "BRL", "BR") == cents


def test_a_million_is_the_most():
    assert parse_cents("1.000.000,00", "BRL", "BR") == MAX_CENTS == 100_000_000
    assert parse_cents(1_000_000, "BRL", "BR") == MAX_CENTS


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "Enter an amount"),
        ("   ", "Enter an amount"),
        (None, "Enter an amount"),
        ("abc", "digits"),
        ("12,50 EUR", "digits"),
        ("R$ 12", "digits"),
        ("12,,50", "digits"),
        ("1.2.3", "digits"),
        ("1,2,3", "digits"),
        ("12,345.6.7", "digits"),
        ("12,", "digits"),
        ("-3", "digits"),
        ("-0", "digits"),
        ("-12,50", "digits"),
        ("1e3", "digits"),
        ("1e9", "digits"),
        ("NaN", "digits"),
        ("Infinity", "digits"),
        (Decimal("NaN"), "digits"),
        ("0", "more than zero"),
        ("0,00", "more than zero"),
        (0, "more than zero"),
        (-3, "more than zero"),
        (Decimal("-0.01"), "more than zero"),
        (Decimal("0.001"), "At most 2 decimals"),
        ("1.000.000,01", "too large"),
        ("99999999999", "too large"),
        ("9" * 5000, "too large"),
        ("999.999.999.999,99", "too large"),
        (10**7, "too large"),
    ],
)
def test_problems(typed, says):
    result = parse_cents(typed, "BRL", "BR")
    assert isinstance(result, Problem), result
    assert says in result.text()


@pytest.mark.parametrize(
    ("cents", "currency", "region", "printed"),
    [(123450, "BRL", "BR", "R$ 1.234,50"), (1250, "EUR", "PT", "12,50 €"), (1250, "EUR", "GR", "12,50 €"),
     (1250, "EUR", "NL", "€12,50"), (1250, "USD", "US", "$12.50"), (0, "BRL", "BR", "R$ 0,00"),
     (99, "SEK", "SE", "0,99 SEK")],
)
def test_money_prints_as_the_shop_is_used_to(cents, currency, region, printed):
    assert format_money(cents, currency, region) == printed


@pytest.mark.parametrize(
    ("region", "printed"),
    [("BR", "24/12/2026"), ("PT", "24/12/2026"), ("GR", "24/12/2026"), ("NL", "24-12-2026"), ("US", "12/24/2026"),
     ("JP", "2026-12-24")],
)
def test_dates_print_as_the_shop_is_used_to(region, printed):
    assert format_date(date(2026, 12, 24), region) == printed


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2024, 2, 29), 48) == date(2028, 2, 29)

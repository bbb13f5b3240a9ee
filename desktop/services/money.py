"""Amounts of money as typed at the till, read as the shop's country writes them ("12,50" and
"1.234,50" in Portugal, "12.50" and "1,234.50" in the US), kept as whole cents.

Babel (the Unicode CLDR data) says how many decimals a currency has and which of "," and "."
a country writes before the cents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import get_currency_precision, get_decimal_symbol

from desktop.errors import Problem, translatable

MAX_CENTS = 100_000_000  # a million in any currency: past that it is a typo
_CENT_DIGITS = 2  # amounts are kept in cents: no currency gets more decimals than that here
_TYPED = re.compile(r"[0-9.,]+")
_SPACES = re.compile(r"\s+")  # "1 234,50", with a space or a no-break space between thousands
_DIGITS = translatable("Write the amount as digits, for example 12,50.")


@dataclass(frozen=True)
class _Reading:
    value: Decimal
    decimals: int  # as typed: "12,500" read with a decimal comma has 3


def parse_cents(text: str | int | Decimal | None, currency: str, region: str) -> int | Problem:
    """Whole cents, or the Problem with what was typed. Refused: more decimals than the currency
    has ("0,001" euros), and a separator that the shop's way and the other way read differently
    ("12,500": twelve and a half, or twelve thousand five hundred?)."""
    decimals = min(get_currency_precision(currency.upper()), _CENT_DIGITS)
    if isinstance(text, (int, Decimal)):
        if not Decimal(text).is_finite():
            return Problem(_DIGITS)
        reading = _Reading(Decimal(text), max(0, -Decimal(text).as_tuple().exponent))
    else:
        reading = _read_typed(_SPACES.sub("", text or ""), decimals, currency, region)
        if isinstance(reading, Problem):
            return reading
    if reading.decimals > decimals:
        return _too_many_decimals(decimals, currency)
    cents = int(reading.value * 100)
    if cents <= 0:
        return Problem(translatable("The amount must be more than zero."))
    if cents > MAX_CENTS:
        return Problem(translatable("That amount is too large."))
    return cents


def _read_typed(raw: str, decimals: int, currency: str, region: str) -> _Reading | Problem:
    if not raw:
        return Problem(translatable("Enter an amount."))
    if not _TYPED.fullmatch(raw):
        return Problem(_DIGITS)
    point = decimal_symbol(region)
    group = "." if point == "," else ","
    local = _read(raw, point, group)
    other = _read(raw, group, point)  # "12.50" in Portugal, typed on a keypad's decimal point
    if local and other and local.value != other.value and _possible(local, decimals) and _possible(other, decimals):
        return Problem(
            translatable("Could be {one} or {other}: type {one_typed} or {other_typed}."),
            {"one": format_money(_cents(local), currency, region),
             "other": format_money(_cents(other), currency, region),
             "one_typed": _plain(local, decimals, point), "other_typed": _plain(other, decimals, point)},
        )
    reading = local or other
    return reading if reading is not None else Problem(_DIGITS)


def _read(raw: str, point: str, group: str) -> _Reading | None:
    """raw with point before the decimals and group between thousands, or None if it is not written so."""
    whole, _, fraction = raw.partition(point)
    if point in fraction or group in fraction or (point in raw and not fraction):
        return None
    if group in whole and not re.fullmatch(rf"[1-9][0-9]{{0,2}}(?:{re.escape(group)}[0-9]{{3}})+", whole):
        return None
    if not (whole or fraction):
        return None
    return _Reading(Decimal(f"{whole.replace(group, '') or '0'}.{fraction or '0'}"), len(fraction))


def _possible(reading: _Reading, decimals: int) -> bool:
    """An amount of the currency, once zeros at the end are dropped ("12,500" euros is 12,50)."""
    return -min(0, reading.value.normalize().as_tuple().exponent) <= decimals


def _cents(reading: _Reading) -> int:
    return int(reading.value * 100)


def _plain(reading: _Reading, decimals: int, point: str) -> str:
    """The amount typed as this shop would, without thousands: "12,50", "12500"."""
    whole, cents = divmod(_cents(reading), 100)
    return f"{whole}{point}{cents:0{decimals}d}" if cents else str(whole)


def _too_many_decimals(decimals: int, currency: str) -> Problem:
    if decimals == 0:
        return Problem(translatable("Amounts in {currency} have no decimals."), {"currency": currency.upper()})
    return Problem(translatable("At most {decimals} decimals in {currency}."),
                   {"decimals": decimals, "currency": currency.upper()})


@lru_cache(maxsize=64)
def decimal_symbol(region: str) -> str:
    """"," or ".": what the region's main language writes before the cents (CLDR)."""
    try:
        symbol = get_decimal_symbol(Locale.parse(f"und_{region.upper()}"))
    except (UnknownLocaleError, ValueError):
        return "."
    return symbol if symbol in ",." else "."


# How a shop's customers are used to reading prices: the symbol, and whether it comes first.
_SYMBOLS = {"BRL": "R$", "EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF", "JPY": "¥"}
_SYMBOL_FIRST_REGIONS = {"BR", "NL", "US", "GB", "IE", "CA", "AU", "NZ", "MX", "CH", "JP"}


def format_money(cents: int, currency: str, region: str) -> str:
    """For printing on a slip: "R$ 1.234,50" in Brazil, "12,50 €" in Portugal, "$12.50" in the US."""
    point = decimal_symbol(region) == "."
    whole, part = divmod(abs(cents), 100)
    grouped = f"{whole:,}".replace(",", "," if point else ".")
    number = f"{'-' if cents < 0 else ''}{grouped}{'.' if point else ','}{part:02d}"
    symbol = _SYMBOLS.get(currency.upper(), currency.upper())
    if region.upper() in _SYMBOL_FIRST_REGIONS:
        return f"{symbol}{number}" if len(symbol) == 1 else f"{symbol} {number}"
    return f"{number} {symbol}"

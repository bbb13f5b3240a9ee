"""Amounts of money as typed at the till ("12,50", "12.50", "1.234,50"), kept as whole cents."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from desktop.errors import Problem, translatable

MAX_CENTS = 100_000_000  # a million in any currency: past that it is a typo


def parse_cents(text: str | int | Decimal | None) -> int | Problem:
    if isinstance(text, int):
        value = Decimal(text)
    elif isinstance(text, Decimal):
        value = text
    else:
        raw = (text or "").strip().replace(" ", "")
        if not raw:
            return Problem(translatable("Enter an amount."))
        if not re.fullmatch(r"\d{1,3}([.,]\d{3})*([.,]\d{1,2})?|\d+([.,]\d{1,2})?", raw):
            return Problem(translatable("Write the amount as digits, for example 12,50."))
        last = max(raw.rfind(","), raw.rfind("."))
        decimals = raw[last + 1:] if last >= 0 and len(raw) - last - 1 <= 2 else ""
        whole = raw[: len(raw) - len(decimals) - (1 if decimals else 0)]
        try:
            value = Decimal(re.sub(r"[.,]", "", whole) + ("." + decimals if decimals else ""))
        except InvalidOperation:
            return Problem(translatable("Write the amount as digits, for example 12,50."))
    cents = int((value * 100).to_integral_value())
    if cents <= 0:
        return Problem(translatable("The amount must be more than zero."))
    if cents > MAX_CENTS:
        return Problem(translatable("That amount is too large."))
    return cents


# How a shop's customers are used to reading prices: the symbol, and whether it comes first.
_SYMBOLS = {"BRL": "R$", "EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF", "JPY": "¥"}
_SYMBOL_FIRST_REGIONS = {"BR", "NL", "US", "GB", "IE", "CA", "AU", "NZ", "MX", "CH", "JP"}
_DECIMAL_POINT_REGIONS = {"US", "GB", "IE", "CA", "AU", "NZ", "MX", "JP", "CH", "IN", "IL", "PH"}


def format_money(cents: int, currency: str, region: str) -> str:
    """For printing on a slip: "R$ 1.234,50" in Brazil, "12,50 €" in Portugal, "$12.50" in the US."""
    point = region.upper() in _DECIMAL_POINT_REGIONS
    whole, part = divmod(abs(cents), 100)
    grouped = f"{whole:,}".replace(",", "," if point else ".")
    number = f"{'-' if cents < 0 else ''}{grouped}{'.' if point else ','}{part:02d}"
    symbol = _SYMBOLS.get(currency.upper(), currency.upper())
    if region.upper() in _SYMBOL_FIRST_REGIONS:
        return f"{symbol}{number}" if len(symbol) == 1 else f"{symbol} {number}"
    return f"{number} {symbol}"

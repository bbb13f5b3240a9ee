"""Dates as staff give them: a date from a picker, or YYYY-MM-DD from a script."""

from __future__ import annotations

import calendar
from datetime import date

from desktop.errors import Problem, translatable

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


def parse_date(value: date | str | None, *, required: bool = True) -> date | None | Problem:
    """The date, None for an empty optional one, or the Problem with it."""
    if value in (None, ""):
        return Problem(translatable("Enter a date.")) if required else None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            return Problem(translatable("Write the date as YYYY-MM-DD, for example 2026-12-24."))
    if not EARLIEST <= value <= LATEST:
        return Problem(translatable("Enter a date between 2000 and 2100."))
    return value


def add_months(start: date, months: int) -> date:
    """The same day so many months later; the 31st becomes the month's last day when it has fewer."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


# How dates are written on paper where the shop is; everyone else reads day/month/year.
_MONTH_FIRST_REGIONS = {"US", "PH", "FM", "MH", "PW"}
_YEAR_FIRST_REGIONS = {"CN", "JP", "KR", "TW", "HU", "LT", "SE", "IR", "MN"}
_DASHED_REGIONS = {"NL", "DK"}


def format_date(value: date, region: str) -> str:
    """For printed slips: 24/12/2026 in Brazil, 24-12-2026 in the Netherlands, 12/24/2026 in the US."""
    region = region.upper()
    if region in _MONTH_FIRST_REGIONS:
        return f"{value.month:02d}/{value.day:02d}/{value.year}"
    if region in _YEAR_FIRST_REGIONS:
        return value.isoformat()
    separator = "-" if region in _DASHED_REGIONS else "/"
    return f"{value.day:02d}{separator}{value.month:02d}{separator}{value.year}"

"""Dates in the window: pickers that read the way the shop's printed slips write dates, typed dates read
the way the shop's country writes them (07/03/1990 in Brazil, 07-03-1990 in the Netherlands) or as
YYYY-MM-DD, and moments written as the rest of the window writes them."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

from PySide6.QtCore import QDate, QLocale, QTime
from PySide6.QtWidgets import QDateEdit, QWidget

from desktop.services.dates import format_date


def display_format(region: str) -> str:
    """The Qt pattern for format_date's order in this region: dd/MM/yyyy, MM/dd/yyyy, yyyy-MM-dd…"""
    sample = format_date(date(2001, 2, 3), region)
    return sample.replace("2001", "yyyy").replace("03", "dd").replace("02", "MM")


def date_edit(region: str, value: date, parent: QWidget | None = None) -> QDateEdit:
    """A date field with a calendar popup; range checks are left to the services."""
    edit = QDateEdit(QDate(value.year, value.month, value.day), parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(display_format(region))
    edit.setMinimumWidth(140)
    return edit


def shop_locale(region: str) -> QLocale:
    """The locale of the shop's country, in its usual language (pt_BR for BR, el_GR for GR)."""
    return QLocale(QLocale.Language.AnyLanguage, QLocale.codeToTerritory(region.upper()))


def typed_date(text: str, region: str) -> date | None:
    """A date as typed: YYYY-MM-DD, or the shop locale's short form with any of / - . between the parts
    and one or two digits for day and month; None when it is neither."""
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    locale = shop_locale(region)
    pattern = locale.dateFormat(QLocale.FormatType.ShortFormat)
    pattern = re.sub("y+", "yyyy", re.sub("M+", "M", re.sub("d+", "d", pattern)))  # 1990, not 90
    separator = next((c for c in pattern if c in "/-."), "/")
    parsed = locale.toDate(re.sub(r"[/.\-]", separator, text), pattern)
    return date(parsed.year(), parsed.month(), parsed.day()) if parsed.isValid() else None


def date_hint(region: str) -> str:
    """How to type a date here, for a field's placeholder: DD/MM/YYYY."""
    return display_format(region).upper()


def moment_text(moment: datetime, region: str, *, seconds: bool = False) -> str:
    """A local date and time as the window writes them: the shop's date, the time in the user's form
    (to the second where the order of events matters, as in the audit trail)."""
    if seconds:
        time = f"{moment:%H:%M:%S}"
    else:
        time = QLocale().toString(QTime(moment.hour, moment.minute), QLocale.FormatType.ShortFormat)
    return f"{format_date(moment.date(), region)} {time}"


def stored_moment_text(value: datetime | None, region: str, *, seconds: bool = False) -> str:
    """A stored (naive UTC) time in the user's time zone, written as moment_text writes it; "" for None."""
    if value is None:
        return ""
    return moment_text(value.replace(tzinfo=timezone.utc).astimezone(), region, seconds=seconds)

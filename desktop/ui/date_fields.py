"""Date pickers that read the way the shop's printed slips write dates."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
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

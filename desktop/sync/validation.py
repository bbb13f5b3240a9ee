"""Checking a bundle's cells before anything is written: the services' own rules, as stored values.

A cell must be exactly what this version of Regulars would have stored: text already
cleaned (desktop.services.text.is_clean_text), an email in its normalised form, a phone
in E.164 that parses, numbers and times in their one canonical spelling. Canonical
spelling matters beyond tidiness: two tills compare records cell by cell, so "007" and
"7" must never both be possible.

A row that fails is refused with a reason naming the column; the rest of the bundle
still applies (see desktop/sync/importer.py).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Callable

from email_validator import EmailNotValidError, validate_email
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES

from desktop.services.phones import is_supported_region, parse_e164
from desktop.services.text import is_clean_text
from desktop.sync.tables import (
    BOOL,
    COUNTRY,
    DATE,
    DATETIME,
    EMAIL,
    FIELD_STAMPS,
    INT,
    PHONE,
    REF,
    REMOVED_PHONES,
    STAMP,
    TEXT,
    UUID,
    Column,
    TableSpec,
)
from desktop.sync.clock import STAMP as STAMP_TEXT

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,17})")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}")
# A dot-atom local part in ASCII: what email_validator accepts and leaves as it is.
_SIMPLE_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
MAX_EMAIL = 254


class Refused(Exception):
    """One cell or row is not acceptable; the message says why, naming the column."""


@lru_cache(maxsize=8192)
def _domain_is_normalised(domain: str) -> bool:
    try:
        checked = validate_email(f"a@{domain}", check_deliverability=False)
    except EmailNotValidError:
        return False
    return checked.domain == domain


def is_stored_email(email: str) -> bool:
    """True when the customer service would store exactly this email (valid and normalised).

    Most addresses are an ASCII local part at a common domain: those are checked with one
    regular expression and a per-domain cached check; anything else goes through
    email_validator whole, as the service does.
    """
    if len(email) > MAX_EMAIL:
        return False
    local, at, domain = email.rpartition("@")
    if (at and len(local) <= 64 and _SIMPLE_LOCAL.fullmatch(local) and _domain_is_normalised(domain)
            and local.lower() not in CASE_INSENSITIVE_MAILBOX_NAMES):  # "WWW@" is stored as "www@"
        return True
    try:
        return validate_email(email, check_deliverability=False).normalized == email
    except EmailNotValidError:
        return False


def _converter(column: Column, spec: TableSpec) -> Callable[[str], Any]:
    """cell -> the value to store, or Refused."""
    name, kind = column.name, column.kind

    def refuse(reason: str) -> Refused:
        return Refused(f"{name}: {reason}")

    if kind in (STAMP, FIELD_STAMPS, REMOVED_PHONES):
        return _change_feed_converter(kind, spec, refuse)

    if kind in (UUID, REF):
        def check_uuid(cell: str):
            if cell == "" and column.nullable:
                return None
            if not _UUID.fullmatch(cell):
                raise refuse("not a UUID")
            return cell
        return check_uuid

    if kind == TEXT:
        choices = frozenset(column.choices)

        def check_text(cell: str):
            if choices:
                if cell not in choices or (column.required and not cell):
                    raise refuse(f"not one of {', '.join(c for c in column.choices if c)}")
                return cell
            if not is_clean_text(cell, max_length=column.max_length, multiline=column.multiline):
                if len(cell) > column.max_length:
                    raise refuse(f"longer than {column.max_length} characters")
                raise refuse("holds characters or spacing the app would not store (control characters, "
                             "surrounding spaces, a payment card number)")
            if column.required and not cell:
                raise refuse("empty")
            return cell
        return check_text

    if kind == INT:
        def check_int(cell: str):
            if cell == "" and column.nullable:
                return None
            if not _INT.fullmatch(cell) or cell == "-0":
                raise refuse("not a whole number")
            value = int(cell)
            if (column.low is not None and value < column.low) or (column.high is not None and value > column.high):
                raise refuse(f"outside {column.low} to {column.high}")
            return value
        return check_int

    if kind == BOOL:
        def check_bool(cell: str):
            if cell not in ("0", "1"):
                raise refuse("not 0 or 1")
            return int(cell)
        return check_bool

    if kind == DATE:
        def check_date(cell: str):
            if cell == "" and column.nullable:
                return None
            try:
                if not _DATE.fullmatch(cell) or not 1900 <= date.fromisoformat(cell).year <= 2100:
                    raise ValueError
            except ValueError:
                raise refuse("not a date (YYYY-MM-DD) from 1900 to 2100") from None
            return cell
        return check_date

    if kind == DATETIME:
        def check_moment(cell: str):
            if cell == "" and column.nullable:
                return None
            try:
                if not _MOMENT.fullmatch(cell):
                    raise ValueError
                datetime.fromisoformat(cell)
            except ValueError:
                raise refuse("not a time (YYYY-MM-DD HH:MM:SS.ffffff)") from None
            return cell
        return check_moment

    if kind == EMAIL:
        def check_email(cell: str):
            if cell == "" and column.nullable:
                return None
            if not is_stored_email(cell):
                raise refuse("not a valid email address as the app stores it")
            return cell
        return check_email

    if kind == PHONE:
        def check_phone(cell: str):
            if cell == "" and not column.required:
                return ""
            parsed = parse_e164(cell)
            if not hasattr(parsed, "e164"):
                raise refuse("not a valid phone number in international form")
            return cell
        return check_phone

    if kind == COUNTRY:
        def check_country(cell: str):
            if cell and not (len(cell) == 2 and cell.isupper() and is_supported_region(cell)):
                raise refuse("not a two-letter country code")
            return cell
        return check_country

    raise ValueError(f"unknown column kind {kind!r}")


def _is_stamp(text: str) -> bool:
    return STAMP_TEXT.fullmatch(text) is not None


def _change_feed_converter(kind: str, spec: TableSpec, refuse) -> Callable[[str], Any]:
    """The stamps of the change feed (desktop/sync/clock.py), in the one spelling export writes."""
    if kind == STAMP:
        def check_stamp(cell: str):
            if cell and not _is_stamp(cell):
                raise refuse("not a change stamp")
            return cell
        return check_stamp

    if kind == FIELD_STAMPS:
        groups = frozenset(spec.groups)

        def check_field_stamps(cell: str):
            if not cell:
                return cell
            try:
                listed = json.loads(cell)
            except ValueError:
                raise refuse("not a list of field stamps") from None
            if (not isinstance(listed, dict) or not listed or not set(listed) <= groups
                    or json.dumps(listed, separators=(",", ":"), sort_keys=True) != cell
                    or not all(isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
                               and _is_stamp(pair[0]) and (pair[1] == "" or _is_stamp(pair[1]))
                               for pair in listed.values())):
                raise refuse("not a list of field stamps")
            return cell
        return check_field_stamps

    def check_removed(cell: str):
        for item in filter(None, cell.split(";")) if cell else ():
            e164, _, stamp = item.partition(" ")
            if not hasattr(parse_e164(e164), "e164") or (stamp and not _is_stamp(stamp)):
                raise refuse("not a list of removed numbers")
        if cell and (cell.startswith(";") or cell.endswith(";") or ";;" in cell):
            raise refuse("not a list of removed numbers")
        return cell
    return check_removed


class RowChecker:
    """Checks one table's rows: every cell by its column, then the table's rules across columns."""

    def __init__(self, spec: TableSpec) -> None:
        self.spec = spec
        self.converters = [(column.name, _converter(column, spec)) for column in spec.columns]

    def values(self, cells: list[str]) -> dict[str, Any]:
        """name -> value to store; Refused naming the first bad column."""
        values = {name: convert(cell) for (name, convert), cell in zip(self.converters, cells)}
        if self.spec.row_check is not None:
            reason = self.spec.row_check(values)
            if reason:
                raise Refused(reason)
        return values

"""Record numbers (customer #12, call #7) as typed or scanned: only what the shop file can hold."""

from __future__ import annotations

MAX_RECORD_ID = 2**63 - 1  # SQLite's largest integer: a longer number is nobody's
_MAX_DIGITS = len(str(MAX_RECORD_ID))


def is_number(text: str) -> bool:
    """Only the digits 0-9: "١٢" or "²" are digits to str.isdigit(), yet no record's number."""
    return text.isascii() and text.isdigit()


def record_id(value: int | str) -> int | None:
    """The record number value stands for, or None when it cannot be one (text, 0, too large)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if not is_number(text) or len(text) > _MAX_DIGITS:
            return None
        number = int(text)
    return number if 1 <= number <= MAX_RECORD_ID else None


def record_by_number(session, model, value: int | str, **options):
    """The model's row numbered value, or None (also when value cannot be a record's number)."""
    number = record_id(value)
    return session.get(model, number, **options) if number is not None else None

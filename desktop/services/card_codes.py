"""Loyalty card codes: short, unambiguous, and self-checking.

A code is a prefix letter ("R" for a loyalty card, "B" for a reservation slip), seven
random characters of Crockford's base 32 (no I, L, O or U, so
nothing is misread), and a check character over GF(32). Any single mistyped character,
and any swap of two neighbours, makes the check fail, so a typo is refused instead of
finding somebody else.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "R"  # loyalty cards
RESERVATION_PREFIX = "B"  # reservation slips ("booking")
RANDOM_CHARS = 7
LENGTH = len(PREFIX) + RANDOM_CHARS + 1
# Digits nobody types as a letter: every code holds one, and no name holds any.
_PLAIN_DIGITS = "23456789"
# What people type for what they mean (Crockford): O is zero, I and L are one.
_READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = str.maketrans("", "", " -")


def _times_x(value: int) -> int:
    """Multiplication by x in GF(32), modulo the primitive polynomial x^5 + x^2 + 1."""
    value <<= 1
    return value ^ 0b100101 if value & 0b100000 else value


def _remainder(text: str) -> int:
    total = 0
    for char in text:
        total = _times_x(total) ^ ALPHABET.index(char)
    return total


def check_char(body: str) -> str:
    """The character that makes the whole code's polynomial over GF(32) vanish.

    A wrong character changes one term by a non-zero multiple of a power of x, and a swap
    of two different neighbours changes it by (a + b) x^k (x + 1): neither can vanish, so
    every single substitution and every adjacent transposition is caught.
    """
    return ALPHABET[_times_x(_remainder(body))]


def new_code(prefix: str = PREFIX) -> str:
    """A fresh code; it always holds a digit from 2 to 9, so it is still a code when O, I or L
    is typed for 0 or 1, and no name ("Rosemarie") is ever read as a code."""
    while True:
        body = prefix + "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_CHARS))
        code = body + check_char(body)
        if any(c in _PLAIN_DIGITS for c in code):
            return code


def normalise(text: str, prefix: str = PREFIX) -> str:
    """Upper case, separators dropped, look-alike letters read as digits (except the prefix)."""
    compact = (text or "").strip().upper().translate(_SEPARATORS)
    if not compact.startswith(prefix):
        return compact
    return prefix + compact[len(prefix):].translate(_READS_AS)


def looks_like_code(text: str, prefix: str = PREFIX) -> bool:
    """Shaped like a card code (whether or not its check character is right).

    The digit must be typed as one: O, I and L read as digits would make "Rosemarie" a code.
    """
    compact = normalise(text, prefix)
    return (
        len(compact) == LENGTH
        and compact.startswith(prefix)
        and all(c in ALPHABET for c in compact[len(prefix):])
        and any(c.isdigit() for c in (text or ""))
    )


def is_valid(text: str, prefix: str = PREFIX) -> bool:
    compact = normalise(text, prefix)
    return looks_like_code(text, prefix) and check_char(compact[:-1]) == compact[-1]


def display(code: str) -> str:
    """For people: "R7K3-M9Q2-X" (or "B4HX-2M9Q-7" for a reservation)."""
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"

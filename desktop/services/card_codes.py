"""Loyalty card codes: short, unambiguous, and self-checking.

A code is "R", seven random characters of Crockford's base 32 (no I, L, O or U, so
nothing is misread), and a check character (Luhn mod 32). Any single mistyped
character, and most swaps of neighbours, make the check fail, so a typo is refused
instead of finding somebody else.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "R"
RANDOM_CHARS = 7
LENGTH = len(PREFIX) + RANDOM_CHARS + 1
# What people type for what they mean (Crockford): O is zero, I and L are one.
_READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = str.maketrans("", "", " -")


def check_char(body: str) -> str:
    factor, total, n = 2, 0, len(ALPHABET)
    for char in reversed(body):
        addend = factor * ALPHABET.index(char)
        factor = 1 if factor == 2 else 2
        total += addend // n + addend % n
    return ALPHABET[(n - total % n) % n]


def new_code() -> str:
    """A fresh code; it always holds a digit, so no name ("Rosemarie") is ever read as a code."""
    while True:
        body = PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_CHARS))
        code = body + check_char(body)
        if any(c.isdigit() for c in code):
            return code


def normalise(text: str) -> str:
    """Upper case, separators dropped, look-alike letters read as digits (except the prefix)."""
    compact = (text or "").strip().upper().translate(_SEPARATORS)
    if not compact.startswith(PREFIX):
        return compact
    return PREFIX + compact[len(PREFIX):].translate(_READS_AS)


def looks_like_code(text: str) -> bool:
    """Shaped like a card code (whether or not its check character is right)."""
    compact = normalise(text)
    return (
        len(compact) == LENGTH
        and compact.startswith(PREFIX)
        and all(c in ALPHABET for c in compact[len(PREFIX):])
        and any(c.isdigit() for c in compact)
    )


def is_valid(text: str) -> bool:
    compact = normalise(text)
    return looks_like_code(compact) and check_char(compact[:-1]) == compact[-1]


def display(code: str) -> str:
    """For people: "R7K3-M9Q2-X"."""
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"

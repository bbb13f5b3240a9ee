"""The folded keys a customer is found by. Kept beside the customer on every write."""

from __future__ import annotations

import unicodedata

from desktop.services.text import folded_words

MAX_KEY = 250


def name_keys(first_name: str, last_name: str, company: str = "") -> set[str]:
    """The name read from each of its words on, in the order a person would say it.

    "Maria" + "da Silva" gives "maria da silva", "da silva maria" and "silva maria": typing
    any word of the name, and what follows it, is a key prefix. Results in key order come
    out alphabetically by the rest of the name ("silva ana", "silva jose", ...).
    """
    first = folded_words(first_name)
    last = folded_words(last_name)
    company_words = folded_words(company)
    keys: set[str] = set()
    for words, starts in (
        (first + last, len(first) or len(last)),
        (last + first, len(last)),
        (company_words, len(company_words)),
    ):
        for start in range(starts):
            keys.add(" ".join(words[start:])[:MAX_KEY])
    return keys


def query_key(query: str) -> str:
    """The folded form of what the cashier typed, comparable with the keys."""
    return " ".join(folded_words(query))


def email_key(email: str | None) -> str | None:
    """Case-folded only: "josé@" and "jose@" are different mailboxes, so accents stay."""
    return unicodedata.normalize("NFC", email.casefold()) if email else None

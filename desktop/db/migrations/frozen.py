"""What the migrations need from the app, copied here as it was when each migration was written.

A migration runs on old shop files for years: it must do the same thing forever, whatever later
changes make to the live services. So migrations import nothing from desktop.services,
desktop.sync or desktop.models; the few helpers they share live here, frozen. Never change
these to follow the live code: add a new migration (and, if need be, a new frozen helper).
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import datetime

# --- name search keys (migration 0002), as desktop/services/search_keys.py had them ---

_MAX_KEY = 250
_WORD_BREAK = re.compile(r"[\s\-\u2010-\u2015]+")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _folded_words(text: str) -> list[str]:
    return [w for w in _WORD_BREAK.split(_fold(text)) if w]


def name_keys(first_name: str, last_name: str, company: str = "") -> set[str]:
    """The name read from each of its words on ("maria da silva", "da silva maria", "silva maria")."""
    first = _folded_words(first_name or "")
    last = _folded_words(last_name or "")
    company_words = _folded_words(company or "")
    keys: set[str] = set()
    for words, starts in (
        (first + last, len(first) or len(last)),
        (last + first, len(last)),
        (company_words, len(company_words)),
    ):
        for start in range(starts):
            keys.add(" ".join(words[start:])[:_MAX_KEY])
    return keys


# --- the starting choice lists (migrations 0004 and 0006) ---

_STABLE_NAMESPACE = uuid.UUID("4f1c6a2e-8d3b-5e7a-9c41-2b6d0e8f7a13")
SEEDED_AT = datetime(2000, 1, 1)
DEFAULT_CHOICES = {
    "call_reason": ["Question", "Complaint", "Order", "Other"],
    "heard_from": [
        "Walking past",
        "A friend or family member",
        "Social media",
        "Search engine or map",
        "Newspaper, radio or flyer",
    ],
}


def choice_uuid(list_name: str, label: str) -> str:
    """The same on every till for the same list and label (case and accents aside)."""
    return str(uuid.uuid5(_STABLE_NAMESPACE, "\x1f".join(("choice", list_name, _fold(label.strip())))))


# --- privacy notice version 1 for a shop that existed before notices (migration 0004) ---

_NOTICE_TEMPLATE = (
    '{shop_name} keeps a customer book so we can serve you, run our loyalty card, hold your reservations and look after your warranties.\n'
    '\n'
    'What we keep: your name and the contact details you give us (phone, email, address), your visits, loyalty stamps, reservations, warranties and calls. We only ask for more when you want something that needs it. We never keep payment card numbers.\n'
    '\n'
    'Offers and news: only by the channels you tick (email, SMS, post). You can change your mind at any time, at the counter or by telling us, and we record when you did.\n'
    '\n'
    'How long: while you are a customer; if we have not seen you for {retention_period} we review your details and anonymise them. Of our daily backups of this book we keep only the last {backups_kept}, and if we ever restore one, anyone we have erased is erased from it again.\n'
    '\n'
    'Your rights: you may ask to see everything we hold about you, to correct it, or to have it erased. Ask at the counter.\n'
)


def default_notice_text(shop_name: str) -> str:
    """The starting notice with the shop's name, 14 backups kept and a 3-year retention period."""
    return (
        _NOTICE_TEMPLATE.replace("{shop_name}", shop_name)
        .replace("{backups_kept}", "14")
        .replace("{retention_period}", "3 years")
        .strip()
    )

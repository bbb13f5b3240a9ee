"""What the cashier types, built from real rows of the shop with a fixed seed.

Every query knows the normalised value the plain-SQLite baseline searches for (E.164,
reversed digits, folded name key, case-folded email), and, where the lookup must find one
particular customer (an exact phone or email), that customer's id.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from typing import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.db.engine import ShopDatabase
from desktop.models import Customer, CustomerPhone, LoyaltyCard
from desktop.services.card_codes import display
from desktop.services.search_keys import email_key, query_key

GREEK_SHARE = 1 / 3  # of name prefixes; the rest are Latin
_ID_BATCH = 500
_MAX_ROUNDS = 200


@dataclass(frozen=True)
class Query:
    text: str  # as typed at the till
    plain: str  # the normalised value the plain-SQLite baseline looks up
    expect_id: int | None = None  # the customer it must return, when there is exactly one


@dataclass
class QuerySamples:
    timed: dict[str, list[Query]]
    warmup: dict[str, list[Query]]
    composition: dict[str, dict[str, int]] = field(default_factory=dict)

    def baseline_params(self) -> dict[str, dict[str, list[str]]]:
        return {
            "timed": {kind: [q.plain for q in queries] for kind, queries in self.timed.items()},
            "warmup": {kind: [q.plain for q in queries] for kind, queries in self.warmup.items()},
        }


def draw_samples(database: ShopDatabase, count: int, warmup: int, seed: int) -> QuerySamples:
    """count timed and warmup untimed queries of each kind; the two sets are drawn independently."""
    composition: dict[str, dict[str, int]] = {}
    with database.reading() as session:
        max_id = session.scalar(select(func.max(Customer.id))) or 0
        if max_id == 0:
            raise ValueError("the shop has no customers to draw queries from")
        timed = _draw_all(session, max_id, count, random.Random(f"timed-{seed}"), composition)
        warm = _draw_all(session, max_id, warmup, random.Random(f"warmup-{seed}"), {})
    return QuerySamples(timed=timed, warmup=warm, composition=composition)


def _draw_all(session: Session, max_id: int, count: int, rng: random.Random, composition: dict) -> dict[str, list[Query]]:
    rows = _RowSource(session, max_id, rng)
    return {
        "exact_phone": _exact_phones(rows, rng, count, composition.setdefault("exact_phone", {})),
        "last4": _last_digits(rows, rng, count),
        "name_prefix": _name_prefixes(rows, rng, count, composition.setdefault("name_prefix", {})),
        "email_exact": _exact_emails(rows, rng, count, composition.setdefault("email_exact", {})),
        "email_prefix": _email_prefixes(rows, rng, count),
        "card_code": _card_codes(rows, rng, count),
    }


@dataclass(frozen=True)
class _Row:
    id: int
    first_name: str
    last_name: str
    email: str | None
    phones: tuple[tuple[str, str], ...]  # (e164, national number)
    card: str | None = None


class _RowSource:
    """Random existing customers, fetched a batch of ids at a time."""

    def __init__(self, session: Session, max_id: int, rng: random.Random) -> None:
        self._session, self._max_id, self._rng = session, max_id, rng

    def __iter__(self) -> Iterator[_Row]:
        for _ in range(_MAX_ROUNDS):
            ids = sorted({self._rng.randint(1, self._max_id) for _ in range(_ID_BATCH)})
            phones: dict[int, list[tuple[str, str]]] = {}
            for customer_id, e164, national in self._session.execute(
                select(CustomerPhone.customer_id, CustomerPhone.e164, CustomerPhone.national_number)
                .where(CustomerPhone.customer_id.in_(ids))
                .order_by(CustomerPhone.customer_id, CustomerPhone.position)
            ):
                phones.setdefault(customer_id, []).append((e164, national))
            cards = dict(
                self._session.execute(
                    select(LoyaltyCard.customer_id, LoyaltyCard.code).where(
                        LoyaltyCard.customer_id.in_(ids), LoyaltyCard.status == "active"
                    )
                ).all()
            )
            rows = self._session.execute(
                select(Customer.id, Customer.first_name, Customer.last_name, Customer.email).where(Customer.id.in_(ids))
            ).all()
            self._rng.shuffle(rows)
            for row in rows:
                yield _Row(row.id, row.first_name, row.last_name, row.email, tuple(phones.get(row.id, ())),
                           cards.get(row.id))
        raise RuntimeError("could not draw enough queries from the shop")


def _count(composition: dict[str, int], what: str) -> None:
    composition[what] = composition.get(what, 0) + 1


def _exact_phones(rows: _RowSource, rng: random.Random, count: int, composition: dict) -> list[Query]:
    queries = []
    for row in rows:
        if len(queries) >= count:
            break
        if not row.phones:
            continue
        e164, national = rng.choice(row.phones)
        style, text = _phone_as_typed(e164, national, rng)
        _count(composition, style)
        queries.append(Query(text=text, plain=e164, expect_id=row.id))
    return queries


def _phone_as_typed(e164: str, national: str, rng: random.Random) -> tuple[str, str]:
    code = e164[1 : len(e164) - len(national)]
    if code == "55" and len(national) == 11:  # home numbers, as Brazilians write them
        area, first, last = national[:2], national[2:7], national[7:]
        styles = {
            "(11) 98765-4321": f"({area}) {first}-{last}",
            "+55 11 98765 4321": f"+55 {area} {first} {last}",
            "011 98765-4321": f"0{area} {first}-{last}",
            "11 98765-4321": f"{area} {first}-{last}",
            "11987654321": national,
            "+5511987654321": e164,
        }
    else:  # visitors' numbers are typed internationally
        groups = " ".join(national[i : i + 3] for i in range(0, len(national), 3))
        styles = {
            "+CC NNN NNN NNN": f"+{code} {groups}",
            "+CC-national": f"+{code}-{national}",
            "+CCnational": e164,
        }
    style = rng.choice(sorted(styles))
    return style, styles[style]


def _last_digits(rows: _RowSource, rng: random.Random, count: int) -> list[Query]:
    queries = []
    for row in rows:
        if len(queries) >= count:
            break
        if row.phones:
            last4 = rng.choice(row.phones)[1][-4:]
            queries.append(Query(text=last4, plain=last4[::-1]))
    return queries


def _is_greek(text: str) -> bool:
    return any("\u0370" <= c <= "\u03ff" or "\u1f00" <= c <= "\u1fff" for c in text)


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def _first_accent(word: str) -> int | None:
    """Index of the first letter that carries an accent, if any."""
    for index, char in enumerate(word):
        if char != _strip_accents(char):
            return index
    return None


def _name_prefixes(rows: _RowSource, rng: random.Random, count: int, composition: dict) -> list[Query]:
    """3-6 letter prefixes of a word of the name: a third Greek, and half of each script typed with accents."""
    greek = round(count * GREEK_SHARE)
    wanted = {
        ("greek", True): greek // 2,
        ("greek", False): greek - greek // 2,
        ("latin", True): (count - greek) // 2,
        ("latin", False): count - greek - (count - greek) // 2,
    }
    drawn: dict[tuple[str, bool], list[Query]] = {stratum: [] for stratum in wanted}
    for row in rows:
        if all(len(drawn[s]) >= wanted[s] for s in wanted):
            break
        words = [w for w in f"{row.first_name} {row.last_name}".split() if len(w) >= 3]
        if not words:
            continue
        word = rng.choice(words)
        script = "greek" if _is_greek(word) else "latin"
        accent = _first_accent(word[:6])
        if accent is not None and len(drawn[(script, True)]) < wanted[(script, True)]:
            prefix = word[: rng.randint(max(3, accent + 1), 6)]  # the accent is typed
        elif len(drawn[(script, False)]) < wanted[(script, False)]:
            prefix = _strip_accents(word[: rng.randint(3, 6)])  # none there, or left off
        else:
            continue
        if rng.random() < 0.5:
            prefix = prefix.lower()
        stratum = (script, prefix != _strip_accents(prefix))
        drawn[stratum].append(Query(text=prefix, plain=query_key(prefix)))
        _count(composition, f"{script}, {'with' if stratum[1] else 'without'} accents")
    queries = [q for stratum in drawn.values() for q in stratum]
    plain = drawn[("latin", False)]
    while len(queries) < count and plain:  # a shop without Greek or accented names: plain Latin fills in
        queries.append(plain[len(queries) % len(plain)])
    rng.shuffle(queries)
    return queries[:count]


def _exact_emails(rows: _RowSource, rng: random.Random, count: int, composition: dict) -> list[Query]:
    queries = []
    for row in rows:
        if len(queries) >= count:
            break
        if not row.email:
            continue
        style = rng.choice(("as stored", "Capitalised", "UPPER CASE"))
        text = {"as stored": row.email, "Capitalised": row.email[:1].upper() + row.email[1:], "UPPER CASE": row.email.upper()}[style]
        _count(composition, style)
        queries.append(Query(text=text, plain=email_key(text), expect_id=row.id))
    return queries


def _email_prefixes(rows: _RowSource, rng: random.Random, count: int) -> list[Query]:
    """From past the first letter of the second word ("ana.s") up to the "@": never a name prefix."""
    queries = []
    for row in rows:
        if len(queries) >= count:
            break
        if not row.email:
            continue
        local = row.email.split("@", 1)[0]
        dot = local.find(".")
        shortest = dot + 2 if dot >= 0 else len(local.rstrip("0123456789")) + 1
        text = row.email[: rng.randint(min(shortest, len(local)), len(local) + 1)]
        queries.append(Query(text=text, plain=email_key(text)))
    return queries


def _card_codes(rows: _RowSource, rng: random.Random, count: int) -> list[Query]:
    """As a scanner types them (the bare code), or as a person reads them off the card."""
    queries = []
    for row in rows:
        if len(queries) >= count:
            break
        if row.card:
            text = row.card if rng.random() < 0.7 else display(row.card).lower()
            queries.append(Query(text=text, plain=row.card, expect_id=row.id))
    return queries

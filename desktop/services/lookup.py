"""Finding a customer at the till from whatever the cashier typed.

Every kind of match is one index range: exact phone (E.164), the last digits of a phone
(reversed digits, so a suffix is a prefix), the start of a national number, the start of
any word of a name (folded keys), and an email. No query scans the customer table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

import phonenumbers
from sqlalchemy import Connection, Row, bindparam, select
from sqlalchemy.orm import Session

from desktop.errors import Problem, translatable
from desktop.models import (
    Customer,
    CustomerPhone,
    CustomerSearchKey,
    LoyaltyCard,
    Reservation,
)
from desktop.services import card_codes
from desktop.services.customers import FIRST_PHONE, NOT_ERASED, full_name
from desktop.services.permissions import Permission, require
from desktop.services.phones import digits_only, display_phone, exact_phone
from desktop.services.search_keys import email_key, query_key
from desktop.services.warranties import customers_with_serial

MIN_SUFFIX_DIGITS = 4
MIN_PREFIX_DIGITS = 6
MAX_QUERY = 200
_HIGHEST = "\U0010ffff"
_PHONE_LIKE = re.compile(r"[\d\s()+\-./]+")


@dataclass(frozen=True)
class CustomerMatch:
    """One line of the results list: enough to recognise the person, nothing more."""

    id: int
    uuid: str
    first_name: str
    last_name: str
    phone: str  # E.164 of the first phone, or ""
    email: str
    last_seen_at: datetime
    # "card", "reservation", "serial", "phone", "phone_end", "phone_start", "name", "email", "recent"
    matched_by: str
    region: str = field(default="", compare=False)  # the shop's, for showing the phone

    @property
    def full_name(self) -> str:
        return full_name(self.first_name, self.last_name)

    @cached_property
    def phone_display(self) -> str:
        """The phone as the shop's country writes it. Formatting is most of a lookup's time, so it
        happens for the rows someone looks at (the list paints a screenful), not for every match."""
        return display_phone(self.phone, self.region) if self.phone else ""


def _by_recency(ids_query, limit: int):
    return ids_query.order_by(Customer.last_seen_at.desc(), Customer.id.desc()).limit(limit)


_EXACT_PHONE = _by_recency(
    select(CustomerPhone.customer_id)
    .join(Customer, Customer.id == CustomerPhone.customer_id)
    .where(CustomerPhone.e164 == bindparam("e164")),
    bindparam("limit"),
)
_PHONE_END = (
    select(CustomerPhone.customer_id)
    .where(CustomerPhone.reversed_digits >= bindparam("low"))
    .where(CustomerPhone.reversed_digits < bindparam("high"))
    .limit(bindparam("limit"))
)
_PHONE_START = (
    select(CustomerPhone.customer_id)
    .where(CustomerPhone.national_number >= bindparam("low"))
    .where(CustomerPhone.national_number < bindparam("high"))
    .order_by(CustomerPhone.national_number)
    .limit(bindparam("limit"))
)
_NAME_START = (
    select(CustomerSearchKey.customer_id)
    .where(CustomerSearchKey.key >= bindparam("low"))
    .where(CustomerSearchKey.key < bindparam("high"))
    .order_by(CustomerSearchKey.key)
    .limit(bindparam("limit"))
)
_EMAIL_START = (
    select(Customer.id)
    .where(Customer.email_key >= bindparam("low"))
    .where(Customer.email_key < bindparam("high"))
    .order_by(Customer.email_key)
    .limit(bindparam("limit"))
)
_CARD = select(LoyaltyCard.customer_id).where(
    LoyaltyCard.code == bindparam("code"), LoyaltyCard.status == "active"
)
_RESERVATION = select(Reservation.customer_id).where(Reservation.reference == bindparam("code"))
_RECENT = (
    select(Customer.id)
    .where(NOT_ERASED)  # an erased customer has no name and nothing to show
    .order_by(Customer.last_seen_at.desc(), Customer.id.desc())
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)
_SUMMARY = (
    select(
        Customer.id,
        Customer.uuid,
        Customer.first_name,
        Customer.last_name,
        Customer.email,
        Customer.last_seen_at,
        CustomerPhone.e164,
    )
    .outerjoin(CustomerPhone, FIRST_PHONE)
    .where(Customer.id.in_(bindparam("ids", expanding=True)))
)


def _ids(conn: Connection, query, params: dict):
    """One column of ids. Lookups run on the session's connection, taken once: these statements
    select columns, not objects, so the ORM's per-statement work would be pure overhead."""
    return conn.execute(query, params).scalars()


def _national_start(text: str, digits: str, region: str) -> str:
    """The start of a national number from a partly typed one, with "+CC" or trunk "0" dropped."""
    if text.startswith("+") or text.startswith("00"):
        code = str(phonenumbers.country_code_for_region(region))
        international = digits[2:] if text.startswith("00") else digits
        return international[len(code):] if international.startswith(code) else international
    return digits.lstrip("0")


def _prefix(conn: Connection, query, prefix: str, limit: int) -> list[int]:
    """Up to limit different customers from one index range, in index order.

    One customer can have several rows in the same range ("silvia silva" and "silva silvia"
    for "silv", or two phones ending alike), so a plain row limit would return too few
    people and pages that skip some. The row limit doubles until enough people are found
    or the range ends.
    """
    rows = limit
    while True:
        params = {"low": prefix, "high": prefix + _HIGHEST, "limit": rows}
        found = list(_ids(conn, query, params))
        ids = list(dict.fromkeys(found))
        if len(ids) >= limit or len(found) < rows:
            return ids[:limit]
        rows *= 2


def query_problem(query: str) -> Problem | None:
    """Why a query can find nobody, when that is worth telling the cashier."""
    if card_codes.looks_like_code(query) and not card_codes.is_valid(query):
        return Problem(translatable("{code} is not a valid card code: check it for a typo."), {"code": query.strip()})
    prefix = card_codes.RESERVATION_PREFIX
    if card_codes.looks_like_code(query, prefix) and not card_codes.is_valid(query, prefix):
        return Problem(
            translatable("{code} is not a valid reservation code: check it for a typo."), {"code": query.strip()}
        )
    return None


def new_customer_fields(query: str) -> dict[str, str]:
    """What a new-customer form starts with when nobody matched what was typed."""
    text = (query or "").strip()[:MAX_QUERY]
    if not text:
        return {}
    if "@" in text:
        return {"email": text}
    if digits_only(text) and _PHONE_LIKE.fullmatch(text):
        return {"phone": text}
    first, _, last = text.partition(" ")
    return {"first_name": first, "last_name": last.strip()}


def find_customers(
    session: Session, query: str, region: str, *, limit: int = 20, offset: int = 0
) -> list[CustomerMatch]:
    """Best match first: exact phone, then phone endings and starts, then names and emails.

    An empty query lists the customers most recently seen.
    """
    require(session, Permission.LOOK_UP)
    # Lone surrogates (badly decoded command-line bytes) cannot reach SQLite; drop them.
    text = "".join(c for c in (query or "") if not "\ud800" <= c <= "\udfff").strip()[:MAX_QUERY]
    if not text:
        return recent_customers(session, region, limit=limit, offset=offset)
    wanted = limit + offset
    found: dict[int, str] = {}
    conn = session.connection()

    def take(ids, how: str) -> None:
        for customer_id in ids:
            found.setdefault(customer_id, how)

    if card_codes.looks_like_code(text):  # a scanned or typed card: its owner, or nobody
        if card_codes.is_valid(text):
            take(_ids(conn, _CARD, {"code": card_codes.normalise(text)}), "card")
        return _summaries(conn, list(found.items())[offset:wanted], region)
    prefix = card_codes.RESERVATION_PREFIX
    if card_codes.looks_like_code(text, prefix):  # a reservation slip: whose it is, or nobody
        if card_codes.is_valid(text, prefix):
            take(_ids(conn, _RESERVATION, {"code": card_codes.normalise(text, prefix)}), "reservation")
        return _summaries(conn, list(found.items())[offset:wanted], region)
    digits = digits_only(text)
    phone_like = bool(digits) and bool(_PHONE_LIKE.fullmatch(text))
    e164 = exact_phone(text, region) if phone_like else None
    if e164:
        take(_ids(conn, _EXACT_PHONE, {"e164": e164, "limit": wanted}), "phone")
    elif digits:  # a serial number read off a product (a valid phone number is taken as a phone)
        take(customers_with_serial(session, text, wanted), "serial")
    if phone_like:
        if len(digits) >= MIN_SUFFIX_DIGITS and len(found) < wanted:
            take(_prefix(conn, _PHONE_END, digits[::-1], wanted), "phone_end")
        if len(digits) >= MIN_PREFIX_DIGITS and len(found) < wanted:
            national = _national_start(text, digits, region)
            take(_prefix(conn, _PHONE_START, national, wanted), "phone_start")
    else:
        folded = query_key(text)
        if "@" in text:
            take(_prefix(conn, _EMAIL_START, email_key(text), wanted), "email")
        if folded and len(found) < wanted:
            take(_prefix(conn, _NAME_START, folded, wanted), "name")
        if " " not in text and "@" not in text and len(found) < wanted:
            take(_prefix(conn, _EMAIL_START, email_key(text), wanted), "email")
    chosen = list(found.items())[offset:wanted]
    return _summaries(conn, chosen, region)


def customer_match(session: Session, customer_id: int, region: str) -> CustomerMatch | None:
    """One customer as a line of the results list (None when there is no such customer)."""
    require(session, Permission.LOOK_UP)
    found = _summaries(session.connection(), [(customer_id, "recent")], region)
    return found[0] if found else None


def recent_customers(
    session: Session, region: str, *, limit: int = 20, offset: int = 0
) -> list[CustomerMatch]:
    require(session, Permission.LOOK_UP)
    conn = session.connection()
    ids = _ids(conn, _RECENT, {"limit": limit, "offset": offset})
    return _summaries(conn, [(i, "recent") for i in ids], region)


def _summaries(conn: Connection, chosen: list[tuple[int, str]], region: str) -> list[CustomerMatch]:
    if not chosen:
        return []
    rows: dict[int, Row] = {
        row.id: row for row in conn.execute(_SUMMARY, {"ids": [i for i, _ in chosen]})
    }
    matches = []
    for customer_id, how in chosen:
        row = rows.get(customer_id)
        if row is None:
            continue
        matches.append(
            CustomerMatch(
                id=row.id,
                uuid=row.uuid,
                first_name=row.first_name,
                last_name=row.last_name,
                phone=row.e164 or "",
                email=row.email or "",
                last_seen_at=row.last_seen_at,
                matched_by=how,
                region=region,
            )
        )
    return matches

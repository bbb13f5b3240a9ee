"""Warranty cards: what was sold with a warranty, to whom, until when, and what went wrong since.

A serial number is found however it is typed ("ab-12 34" is "AB1234"), from the lookup box
too, so a customer who comes back without a receipt is found by the product in their hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, selectinload

from desktop.errors import InvalidInput, NotFound, Problem, translatable
from desktop.models import Customer, Warranty, WarrantyClaim
from desktop.models.base import utc_now
from desktop.services import audit
from desktop.services.customers import full_name, get_customer
from desktop.services.dates import add_months, parse_date
from desktop.services.permissions import Permission, require
from desktop.services.record_ids import record_by_number
from desktop.services.staff import recorded_staff_name
from desktop.services.text import clean_text, fold, without_invisible

MAX_MONTHS = 120
MIN_SERIAL_KEY = 3
_SERIAL_SEPARATORS = re.compile(r"[\s\-./_:]+")


def serial_key(text: str) -> str:
    """The form serials are compared in: upper case, without spaces, dashes, dots, slashes, nor
    invisible characters."""
    return _SERIAL_SEPARATORS.sub("", without_invisible(text or "", keep_joiners=False)).upper()


def expiry(purchase_date: date, months: int) -> date:
    """The last day covered: bought on 15 March with 12 months, covered to 14 March next year.

    A month too short for the purchase day ends the cover on its last day: bought on 31 January
    with one month, covered to 28 (or 29) February, not a day less.
    """
    end = add_months(purchase_date, months)
    return end if end.day != purchase_date.day else end - timedelta(days=1)


@dataclass
class NewWarranty:
    customer_id: int | None
    product: str = ""
    serial_number: str = ""
    purchase_date: date | str | None = None
    months: int | str = 12
    notes: str = ""


@dataclass(frozen=True)
class ClaimSummary:
    id: int
    claimed_on: date
    problem: str
    outcome: str


@dataclass(frozen=True)
class WarrantySummary:
    id: int
    customer_id: int
    customer_name: str
    product: str
    serial_number: str
    purchase_date: date
    months: int
    expires_on: date
    notes: str
    claims: list[ClaimSummary] = field(default_factory=list)

    def is_covered(self, on: date) -> bool:
        return self.purchase_date <= on <= self.expires_on


def _check(form: NewWarranty, today: date) -> dict[str, object]:
    problems: dict[str, Problem] = {}
    values: dict[str, object] = {}
    if form.customer_id is None:
        problems["customer"] = Problem(translatable("Choose the customer, or add them first."))
    for name, max_length, missing in (
        ("product", 200, translatable("Say which product is covered.")),
        ("serial_number", 60, translatable("Enter the serial number printed on the product.")),
    ):
        cleaned = clean_text(getattr(form, name), max_length=max_length)
        if isinstance(cleaned, Problem):
            problems[name] = cleaned
        elif not cleaned:
            problems[name] = Problem(missing)
        values[name] = cleaned
    if "serial_number" not in problems and len(serial_key(values["serial_number"])) < MIN_SERIAL_KEY:
        problems["serial_number"] = Problem(
            translatable("A serial number has at least {min} letters or digits."), {"min": MIN_SERIAL_KEY}
        )
    bought = parse_date(form.purchase_date)
    if isinstance(bought, Problem):
        problems["purchase_date"] = bought
    elif bought > today:
        problems["purchase_date"] = Problem(translatable("The purchase date cannot be in the future."))
    values["purchase_date"] = bought
    months = str(form.months).strip()
    if not months.isdigit() or not 1 <= int(months) <= MAX_MONTHS:
        problems["months"] = Problem(
            translatable("Enter the warranty length in months, from 1 to {max}."), {"max": MAX_MONTHS}
        )
    else:
        values["months"] = int(months)
    notes = clean_text(form.notes, max_length=1000, multiline=True)
    if isinstance(notes, Problem):
        problems["notes"] = notes
    values["notes"] = notes
    if problems:
        raise InvalidInput(problems)
    values["serial_key"] = serial_key(values["serial_number"])
    values["expires_on"] = expiry(values["purchase_date"], values["months"])
    return values


def add_warranty(session: Session, form: NewWarranty, *, staff: str = "", today: date | None = None) -> Warranty:
    """A new warranty card; InvalidInput (nothing written) on bad input or a serial already registered
    for the same product."""
    require(session, Permission.RECORDS)
    values = _check(form, today or date.today())
    staff = recorded_staff_name(session, staff)
    customer = get_customer(session, form.customer_id)
    for existing in session.scalars(select(Warranty).where(Warranty.serial_key == values["serial_key"])):
        if fold(existing.product) == fold(values["product"]):
            raise InvalidInput(
                {
                    "serial_number": Problem(
                        translatable("This serial number is already registered for {product} (warranty #{id})."),
                        {"product": existing.product, "id": existing.id},
                    )
                }
            )
    warranty = Warranty(customer_id=customer.id, staff=staff, **values)
    session.add(warranty)
    customer.last_seen_at = utc_now()
    audit.customer_action(session, audit.WARRANTY_ADDED, customer.id, {"months": warranty.months})
    return warranty


def get_warranty(session: Session, warranty_id: int | str) -> Warranty:
    require(session, Permission.LOOK_UP)
    text = str(warranty_id).strip()
    warranty = record_by_number(session, Warranty, text)
    if warranty is None:
        raise NotFound(translatable("No warranty {ref}."), ref=text[:40])
    return warranty


_SUMMARY = (
    select(Warranty, Customer.first_name, Customer.last_name)
    .join(Customer, Customer.id == Warranty.customer_id)
    .options(selectinload(Warranty.claims))
)


def _summaries(session: Session, query) -> list[WarrantySummary]:
    return [
        WarrantySummary(
            id=w.id,
            customer_id=w.customer_id,
            customer_name=full_name(first, last),
            product=w.product,
            serial_number=w.serial_number,
            purchase_date=w.purchase_date,
            months=w.months,
            expires_on=w.expires_on,
            notes=w.notes,
            claims=[ClaimSummary(c.id, c.claimed_on, c.problem, c.outcome) for c in w.claims],
        )
        for w, first, last in session.execute(query)
    ]


def warranty_summary(session: Session, warranty_id: int | str) -> WarrantySummary:
    warranty = get_warranty(session, warranty_id)
    return _summaries(session, _SUMMARY.where(Warranty.id == warranty.id))[0]


def find_by_serial(session: Session, serial: str) -> list[WarrantySummary]:
    """Every card with this serial number, however it was typed; newest purchase first."""
    require(session, Permission.LOOK_UP)
    key = serial_key(serial)
    if len(key) < MIN_SERIAL_KEY:
        return []
    query = _SUMMARY.where(Warranty.serial_key == key).order_by(Warranty.purchase_date.desc(), Warranty.id.desc())
    return _summaries(session, query)


def customers_with_serial(session: Session, serial: str, limit: int) -> list[int]:
    """Owners of a product with this exact serial number, for the lookup box."""
    key = serial_key(serial)
    if len(key) < MIN_SERIAL_KEY:
        return []
    return list(session.connection().execute(_OWNERS_OF_SERIAL, {"key": key, "limit": limit}).scalars())


# Built once: the lookup box runs it on every search holding a digit.
_OWNERS_OF_SERIAL = (
    select(Warranty.customer_id).where(Warranty.serial_key == bindparam("key")).limit(bindparam("limit"))
)


def expiring_warranties(
    session: Session, within_days: int, *, today: date | None = None, limit: int = 500
) -> list[WarrantySummary]:
    """Warranties whose cover ends from today to within_days from now, soonest first."""
    require(session, Permission.RECORDS)
    if not 0 <= within_days <= 3660:
        raise InvalidInput({"days": Problem(translatable("Enter a number of days from 0 to 3660."))})
    today = today or date.today()
    query = _SUMMARY.where(
        Warranty.expires_on >= today, Warranty.expires_on <= today + timedelta(days=within_days)
    ).order_by(Warranty.expires_on, Warranty.id)
    return _summaries(session, query.limit(limit))


def customer_warranties(session: Session, customer_id: int, *, limit: int = 50) -> list[WarrantySummary]:
    require(session, Permission.LOOK_UP)
    query = _SUMMARY.where(Warranty.customer_id == customer_id).order_by(
        Warranty.purchase_date.desc(), Warranty.id.desc()
    )
    return _summaries(session, query.limit(limit))


def _claim_text(value: str, name: str, problems: dict[str, Problem], *, required: str | None = None) -> str:
    cleaned = clean_text(value, max_length=1000, multiline=True)
    if isinstance(cleaned, Problem):
        problems[name] = cleaned
        return ""
    if required and not cleaned:
        problems[name] = Problem(required)
    return cleaned


def add_claim(
    session: Session,
    warranty_id: int | str,
    *,
    problem: str,
    claimed_on: date | str | None = None,
    outcome: str = "",
    staff: str = "",
    today: date | None = None,
) -> WarrantyClaim:
    """A claim against a card (claimed today unless said otherwise); the outcome may follow later."""
    require(session, Permission.RECORDS)
    today = today or date.today()
    staff = recorded_staff_name(session, staff)
    warranty = get_warranty(session, warranty_id)
    problems: dict[str, Problem] = {}
    problem_text = _claim_text(problem, "problem", problems, required=translatable("Describe the problem."))
    outcome_text = _claim_text(outcome, "outcome", problems)
    claimed = parse_date(claimed_on or today)
    if isinstance(claimed, Problem):
        problems["claimed_on"] = claimed
    elif not warranty.purchase_date <= claimed <= today:
        problems["claimed_on"] = Problem(translatable("The claim date must be between the purchase and today."))
    if problems:
        raise InvalidInput(problems)
    claim = WarrantyClaim(
        warranty_id=warranty.id, claimed_on=claimed, problem=problem_text, outcome=outcome_text, staff=staff
    )
    warranty.claims.append(claim)
    warranty.updated_at = utc_now()
    audit.customer_action(session, audit.WARRANTY_CLAIMED, warranty.customer_id)
    return claim


def set_claim_outcome(session: Session, claim_id: int, outcome: str, *, staff: str = "") -> WarrantyClaim:
    """What was done: repaired, replaced, refunded, refused and why."""
    require(session, Permission.RECORDS)
    staff = recorded_staff_name(session, staff)
    claim = record_by_number(session, WarrantyClaim, claim_id)
    if claim is None:
        raise NotFound(translatable("No warranty claim {ref}."), ref=claim_id)
    problems: dict[str, Problem] = {}
    text = _claim_text(outcome, "outcome", problems, required=translatable("Describe what was done."))
    if problems:
        raise InvalidInput(problems)
    claim.outcome, claim.staff, claim.updated_at = text, staff or claim.staff, utc_now()
    session.flush()
    return claim

"""Adding, changing and reading customers. Only a name and one contact are required."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from desktop.errors import (
    CustomerRef,
    DuplicateCustomer,
    InvalidInput,
    NotFound,
    Problem,
    translatable,
)
from desktop.models import Customer, CustomerPhone, CustomerSearchKey
from desktop.models.base import utc_now
from desktop.services import audit
from desktop.services.dates import format_date
from desktop.services.permissions import Permission, require
from desktop.services.phones import ParsedPhone, is_supported_region, parse_phone
from desktop.services.record_ids import is_number, record_by_number
from desktop.services.search_keys import email_key, name_keys
from desktop.services.text import clean_text

MAX_PHONES = 5
PAYMENT_METHODS = ("cash", "card", "pix", "mb_way", "bank_transfer", "voucher", "other")

# field name -> longest text accepted; free text fields that may hold line breaks are marked.
_TEXT_FIELDS = {
    "first_name": 100,
    "last_name": 100,
    "company": 120,
    "address_line1": 200,
    "address_line2": 200,
    "city": 100,
    "state": 100,
    "postal_code": 20,
    "heard_from": 200,
    "notes": 2000,
}
_MULTILINE = {"notes"}
# An erased customer keeps their record (for counts and totals) with no name; every living one has one.
NOT_ERASED = Customer.first_name != ""


def is_erased(customer: Customer) -> bool:
    return customer.first_name == ""


# Joins a customer to their first phone, the one lists, slips and the lookup show.
FIRST_PHONE = (CustomerPhone.customer_id == Customer.id) & (CustomerPhone.position == 0)


def full_name(first_name: str | None, last_name: str | None) -> str:
    """A name as people read it: first and last, leaving out an empty part."""
    return " ".join(part for part in (first_name, last_name) if part)


@dataclass
class CustomerDetails:
    """What staff typed, as plain values; phones in any format."""

    first_name: str = ""
    last_name: str = ""
    phones: list[str] = field(default_factory=list)
    email: str = ""
    company: str = ""
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""
    preferred_payment: str = ""
    birthday: date | str | None = None
    notes: str = ""
    heard_from: str = ""

    @classmethod
    def of(cls, customer: Customer) -> CustomerDetails:
        values = {f.name: getattr(customer, f.name) for f in fields(cls) if f.name not in ("phones", "email")}
        return cls(phones=[p.e164 for p in customer.phones], email=customer.email or "", **values)


@dataclass
class _CheckedCustomer:
    values: dict[str, object]
    phones: list[ParsedPhone]
    email: str | None


def check_details(details: CustomerDetails, region: str) -> _CheckedCustomer:
    """Every field cleaned, or InvalidInput naming each bad field. Writes nothing."""
    problems: dict[str, Problem] = {}
    values: dict[str, object] = {}
    for name, max_length in _TEXT_FIELDS.items():
        cleaned = clean_text(getattr(details, name), max_length=max_length, multiline=name in _MULTILINE)
        if isinstance(cleaned, Problem):
            problems[name] = cleaned
        else:
            values[name] = cleaned
    if "first_name" in values and not values["first_name"]:
        problems["first_name"] = Problem(translatable("Enter the customer's first name."))

    phones: list[ParsedPhone] = []
    raw_phones = [p for p in details.phones if p and p.strip()]
    if len(raw_phones) > MAX_PHONES:
        problems["phone"] = Problem(translatable("At most {max} phone numbers."), {"max": MAX_PHONES})
    # Every field is read, not just the first MAX_PHONES: a number typed after blank fields
    # must be kept, not dropped in silence. Keys follow field positions ("phone_2").
    for index, raw in enumerate(details.phones if len(raw_phones) <= MAX_PHONES else []):
        if not raw or not raw.strip():
            continue
        parsed = parse_phone(raw, region)
        if isinstance(parsed, Problem):
            problems["phone" if index == 0 else f"phone_{index + 1}"] = parsed
        elif parsed.e164 not in {p.e164 for p in phones}:
            phones.append(parsed)

    email = _check_email(details.email, problems)
    if not raw_phones and not email and "email" not in problems:
        problems["phone"] = Problem(translatable("Enter a phone number or an email address."))

    country = (details.country or "").strip().upper()
    if country and not is_supported_region(country):
        problems["country"] = Problem(translatable("Use a two-letter country code such as BR or PT."))
    values["country"] = country

    payment = (details.preferred_payment or "").strip()
    if payment and payment not in PAYMENT_METHODS:
        problems["preferred_payment"] = Problem(
            translatable("Choose one of: {choices}."), {"choices": ", ".join(PAYMENT_METHODS)}
        )
    values["preferred_payment"] = payment
    values["birthday"] = _check_birthday(details.birthday, region, problems)

    if problems:
        raise InvalidInput(problems)
    return _CheckedCustomer(values=values, phones=phones, email=email)


def _check_email(raw: str, problems: dict[str, Problem]) -> str | None:
    text = (raw or "").strip()
    if not text:
        return None
    if len(text) > 254:
        problems["email"] = Problem(translatable("Too long for an email address."))
        return None
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        problems["email"] = Problem(translatable("Not a valid email address, for example ana@example.com."))
        return None
    return checked.normalized


def _check_birthday(value: date | str | None, region: str, problems: dict[str, Problem]) -> date | None:
    """A date (the window reads the shop's way of writing one), or YYYY-MM-DD."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            problems["birthday"] = Problem(
                translatable("Write the birthday as {example} or YYYY-MM-DD."),
                {"example": format_date(date(1990, 3, 7), region)},
            )
            return None
    if not (date(1900, 1, 1) <= value <= date.today()):
        problems["birthday"] = Problem(translatable("The birthday must be between 1900 and today."))
        return None
    return value


def _find_duplicates(session: Session, checked: _CheckedCustomer, exclude_id: int | None) -> None:
    e164s = [p.e164 for p in checked.phones]
    if e164s:
        query = (
            select(Customer)
            .join(CustomerPhone)
            .where(CustomerPhone.e164.in_(e164s))
            .distinct()
        )
        if exclude_id is not None:
            query = query.where(Customer.id != exclude_id)
        existing = list(session.scalars(query.limit(5)))
        if existing:
            raise DuplicateCustomer([CustomerRef(c.id, c.full_name) for c in existing], "phone")
    if checked.email:
        query = select(Customer).where(Customer.email_key == email_key(checked.email))
        if exclude_id is not None:
            query = query.where(Customer.id != exclude_id)
        existing = list(session.scalars(query.limit(5)))
        if existing:
            raise DuplicateCustomer([CustomerRef(c.id, c.full_name) for c in existing], "email")


def _apply(customer: Customer, checked: _CheckedCustomer) -> None:
    for name, value in checked.values.items():
        setattr(customer, name, value)
    customer.email = checked.email
    customer.email_key = email_key(checked.email)
    # A number kept stays the same row (sync treats the numbers as a set: only real additions and
    # removals travel as such, desktop/sync/merge.py).
    held = {phone.e164: phone for phone in customer.phones}
    phones = []
    for index, phone in enumerate(checked.phones):
        row = held.get(phone.e164) or CustomerPhone(
            e164=phone.e164, national_number=phone.national_number, reversed_digits=phone.reversed_digits
        )
        row.position = index
        phones.append(row)
    customer.phones = phones
    wanted = name_keys(customer.first_name, customer.last_name, customer.company)
    kept = [k for k in customer.search_keys if k.key in wanted]
    have = {k.key for k in kept}
    customer.search_keys = kept + [CustomerSearchKey(key=k) for k in sorted(wanted - have)]


def add_customer(
    session: Session, details: CustomerDetails, region: str, *, allow_duplicate: bool = False
) -> Customer:
    """A new customer; DuplicateCustomer if the phone or email is someone's already.

    allow_duplicate is for a shared family landline or email, added on purpose.
    """
    require(session, Permission.EDIT_CUSTOMERS)
    checked = check_details(details, region)
    if not allow_duplicate:
        _find_duplicates(session, checked, exclude_id=None)
    customer = Customer()
    _apply(customer, checked)
    session.add(customer)
    session.flush()
    audit.record(session, audit.CUSTOMER_CREATED, subject_kind="customer", subject_uuid=customer.uuid,
                 details={"fields": sorted(name for name, value in _snapshot(customer).items() if value)})  # fmt: skip
    return customer


def _snapshot(customer: Customer) -> dict[str, object]:
    """The customer's editable values, to name (never to store) what an edit changed."""
    details = CustomerDetails.of(customer)
    return {f.name: getattr(details, f.name) for f in fields(CustomerDetails)}


def update_customer(
    session: Session,
    customer_id: int,
    details: CustomerDetails,
    region: str,
    *,
    allow_duplicate: bool = False,
) -> Customer:
    require(session, Permission.EDIT_CUSTOMERS)
    customer = get_customer(session, customer_id)
    checked = check_details(details, region)
    if not allow_duplicate:
        _find_duplicates(session, checked, exclude_id=customer.id)
    before = _snapshot(customer)
    _apply(customer, checked)
    customer.updated_at = utc_now()
    session.flush()
    changed = audit.changed_fields(before, _snapshot(customer))
    if changed:
        audit.record(session, audit.CUSTOMER_CHANGED, subject_kind="customer", subject_uuid=customer.uuid,
                     details={"fields": changed})  # fmt: skip
    return customer


def change_customer(
    session: Session,
    id_or_uuid: int | str,
    region: str,
    *,
    changes: Mapping[str, object] | None = None,
    add_phones: Sequence[str] = (),
    remove_phones: Sequence[str] = (),
    allow_duplicate: bool = False,
) -> Customer:
    """Changes some of a customer's details (field -> new value), adds and removes phone numbers (any
    format), and leaves the rest as it is; through update_customer, as the window's edit form does."""
    customer = get_customer(session, id_or_uuid)
    details = CustomerDetails.of(customer)
    unknown = sorted(set(changes or {}) - ({f.name for f in fields(CustomerDetails)} - {"phones"}))
    if unknown:
        raise InvalidInput({unknown[0]: Problem(translatable("This detail cannot be changed here."))})
    for name, value in (changes or {}).items():
        setattr(details, name, value)
    for raw in remove_phones:
        parsed = parse_phone(raw, region)
        e164 = getattr(parsed, "e164", None)
        if e164 not in details.phones:
            raise InvalidInput({"phones": Problem(translatable("{phone} is not one of this customer's numbers."),
                                                  {"phone": raw[:40]})})
        details.phones.remove(e164)
    details.phones.extend(add_phones)
    return update_customer(session, customer.id, details, region, allow_duplicate=allow_duplicate)


def get_customer(session: Session, id_or_uuid: int | str) -> Customer:
    """By number or by UUID; NotFound with a message naming what was asked for."""
    require(session, Permission.LOOK_UP)
    text = str(id_or_uuid).strip()
    with_phones = [selectinload(Customer.phones)]
    if is_number(text):  # a number too large for any record is nobody's
        customer = record_by_number(session, Customer, text, options=with_phones)
    else:
        customer = session.scalars(select(Customer).options(*with_phones).where(Customer.uuid == text.lower())).first()
    if customer is None:
        raise NotFound(translatable("No customer {ref}."), ref=text[:40])
    return customer


def record_visit(session: Session, customer_id: int) -> None:
    """The customer was served just now: they move to the top of the recent list."""
    require(session, Permission.LOOK_UP)
    customer = get_customer(session, customer_id)
    customer.last_seen_at = utc_now()
    audit.record(session, audit.CUSTOMER_VIEWED, subject_kind="customer", subject_uuid=customer.uuid)

"""The right to erasure (GDPR art. 17, LGPD art. 18), and the retention review that finds whom to erase.

Erasing anonymises rather than deletes: the customer's record and every record of theirs
stay, so the shop's counts and loyalty totals stay right, but everything that says who they
were goes (desktop/sync/tombstones.py lists it field by field), on this till now and on every
other till when the tombstone arrives by sync. Once the unit of work commits, the erasure is
written to the erasure register beside the shop file (desktop/services/erasure_register.py),
from which it is applied again to any backup restored later.

The retention review lists the customers with no activity for the shop's retention period
(``shop.retention_years``), for the owner to anonymise together.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from desktop.db.engine import ShopDatabase
from desktop.errors import InvalidInput, Problem, translatable
from desktop.models import (
    Consent,
    Customer,
    LoyaltyCard,
    LoyaltyEntry,
    PhoneCall,
    Reservation,
    ReservationEvent,
    Tombstone,
    Warranty,
    WarrantyClaim,
)
from desktop.models.base import utc_now
from desktop.services import audit
from desktop.services.customers import full_name, get_customer
from desktop.services.erasure_register import remember_on_commit
from desktop.services.loyalty import customer_from_ref
from desktop.services.permissions import Permission, require
from desktop.services.shop import shop_settings
from desktop.sync.tombstones import apply_erasure, tombstone_uuid

RETENTION_YEARS = (1, 50)


@dataclass(frozen=True)
class ErasureReport:
    """One customer erased: what was anonymised, and what stays (anonymous) for the shop's counts."""

    customer_id: int
    customer_uuid: str
    erased_at: datetime  # naive UTC; the first erasure's time if they had been erased before
    already_erased: bool
    anonymised: dict[str, int] = field(default_factory=dict)  # table -> records emptied now ("customers": theirs)
    kept: dict[str, int] = field(default_factory=dict)  # table -> their records that stay, anonymous


def erase_customer(session: Session, customer_ref: str | int) -> ErasureReport:
    """Erases the customer (number, UUID or card code) here and, through sync, on every till.

    Erasing someone already erased anonymises again whatever of theirs arrived since.
    The erasure enters the erasure register once the caller's unit of work commits.
    """
    require(session, Permission.PRIVACY)
    customer = customer_from_ref(session, customer_ref)
    return _erase(session, customer.id, customer.uuid)


def anonymise_customers(session: Session, customer_ids: list[int]) -> int:
    """Erases each of the customers (one audit entry each); how many were not erased before.

    NotFound, with nothing changed, when one of them is not in the book.
    """
    require(session, Permission.PRIVACY)
    customers = [(customer.id, customer.uuid) for customer in
                 (get_customer(session, customer_id) for customer_id in dict.fromkeys(customer_ids))]
    return sum(not _erase(session, customer_id, uuid).already_erased for customer_id, uuid in customers)


# Customers anonymised per unit of work by anonymise_inactive: each commits in a moment, so the
# till and other commands get through in between.
ANONYMISE_EVERY = 100


def anonymise_inactive(
    database: ShopDatabase, customer_ids: list[int], years: int | None = None,
    *, progress: Callable[[int, int], None] | None = None,
) -> int:
    """Anonymises those of the customers still inactive for ``years`` (someone may have come in since
    the list was shown), ANONYMISE_EVERY to a unit of work; how many were anonymised.

    Each batch enters the erasure register as it commits; ``progress(done, total)`` after each.
    """
    wanted = list(dict.fromkeys(customer_ids))
    anonymised = 0
    for start in range(0, len(wanted), ANONYMISE_EVERY):
        batch = wanted[start : start + ANONYMISE_EVERY]
        with database.writing() as session:
            still = {customer.id for customer in inactive_customers(session, years, among=batch)}
            anonymised += anonymise_customers(session, [i for i in batch if i in still])
        if progress is not None:
            progress(start + len(batch), len(wanted))
    return anonymised


def _erase(session: Session, customer_id: int, uuid: str) -> ErasureReport:
    already = _erasure_time(session, uuid) is not None
    erased = apply_erasure(session, uuid)
    anonymised = {"customers": int(erased.customer), **erased.records}
    anonymised = {table: count for table, count in anonymised.items() if count}
    audit.record(session, audit.CUSTOMER_ERASED, subject_kind="customer", subject_uuid=uuid,
                 details={"records": anonymised} if anonymised else None)  # fmt: skip
    remember_on_commit(session)
    return ErasureReport(
        customer_id=customer_id,
        customer_uuid=uuid,
        erased_at=_erasure_time(session, uuid),
        already_erased=already,
        anonymised=anonymised,
        kept=kept_records(session, customer_id),
    )


def _erasure_time(session: Session, uuid: str) -> datetime | None:
    return session.scalar(
        select(Tombstone.at).where(Tombstone.uuid == tombstone_uuid("customers", uuid), Tombstone.kind == "erased")
    )


def kept_records(session: Session, customer_id: int) -> dict[str, int]:
    """How many records of each kind refer to the customer: what an erasure keeps, anonymous."""
    counts = {
        "loyalty_entries": select(func.count()).where(LoyaltyEntry.customer_id == customer_id),
        "loyalty_cards": select(func.count()).where(LoyaltyCard.customer_id == customer_id),
        "consents": select(func.count()).where(Consent.customer_id == customer_id),
        "reservations": select(func.count()).where(Reservation.customer_id == customer_id),
        "reservation_events": select(func.count()).select_from(ReservationEvent)
        .join(Reservation, Reservation.id == ReservationEvent.reservation_id)
        .where(Reservation.customer_id == customer_id),
        "warranties": select(func.count()).where(Warranty.customer_id == customer_id),
        "warranty_claims": select(func.count()).select_from(WarrantyClaim)
        .join(Warranty, Warranty.id == WarrantyClaim.warranty_id)
        .where(Warranty.customer_id == customer_id),
        "phone_calls": select(func.count()).where(PhoneCall.customer_id == customer_id),
    }
    return {table: session.scalar(query) for table, query in counts.items()}


# The retention review


@dataclass(frozen=True)
class InactiveCustomer:
    id: int
    uuid: str
    name: str  # the full name, or the company when there is no name
    last_active_at: datetime  # naive UTC: the latest of the visit, ledger, reservation, warranty and call times


def inactive_customers(
    session: Session, years: int | None = None, *, today: date | None = None, among: Collection[int] | None = None
) -> list[InactiveCustomer]:
    """Customers with no activity for ``years`` (default: the shop's retention period), longest idle first
    (``among``: only those of these customer numbers).

    Activity is more than the last visit (``last_seen_at``), which some steps do not move:
    a ledger entry, a reservation's change (collected, cancelled), a warranty claim, a call
    about them. A warranty counts as activity until its cover ends: the shop owes the
    customer that cover, and needs to know whose it is. Erased customers are not listed.
    """
    require(session, Permission.LISTS)
    years = shop_settings(session).retention_years if years is None else _checked_years(years, "years")
    cutoff = datetime.combine(_years_before(today or date.today(), years), time())
    customer = Customer.id  # the subqueries below are correlated with the customer of each row
    recent = (
        select(LoyaltyEntry.id).where(LoyaltyEntry.customer_id == customer, LoyaltyEntry.created_at >= cutoff),
        select(Reservation.id).where(Reservation.customer_id == customer, Reservation.updated_at >= cutoff),
        select(Warranty.id).where(Warranty.customer_id == customer,
                                  or_(Warranty.updated_at >= cutoff, Warranty.expires_on >= cutoff.date())),
        select(WarrantyClaim.id).join(Warranty, Warranty.id == WarrantyClaim.warranty_id)
        .where(Warranty.customer_id == customer, WarrantyClaim.updated_at >= cutoff),
        select(PhoneCall.id).where(PhoneCall.customer_id == customer, PhoneCall.called_at >= cutoff),
    )
    erased = select(Tombstone.id).where(Tombstone.table_name == "customers", Tombstone.record_uuid == Customer.uuid,
                                        Tombstone.kind == "erased")
    latest = (
        select(func.max(LoyaltyEntry.created_at)).where(LoyaltyEntry.customer_id == customer),
        select(func.max(Reservation.updated_at)).where(Reservation.customer_id == customer),
        select(func.max(Warranty.updated_at)).where(Warranty.customer_id == customer),
        select(func.max(Warranty.expires_on)).where(Warranty.customer_id == customer),
        select(func.max(WarrantyClaim.updated_at)).join(Warranty, Warranty.id == WarrantyClaim.warranty_id)
        .where(Warranty.customer_id == customer),
        select(func.max(PhoneCall.called_at)).where(PhoneCall.customer_id == customer),
    )
    rows = session.execute(
        select(Customer.id, Customer.uuid, Customer.first_name, Customer.last_name, Customer.company,
               Customer.last_seen_at, *(query.scalar_subquery() for query in latest))
        .where(Customer.last_seen_at < cutoff, ~exists(erased), *(~exists(query) for query in recent),
               *(() if among is None else (Customer.id.in_(list(among)),)))
        .order_by(Customer.last_seen_at, Customer.id)
    )
    return [
        InactiveCustomer(
            id=row[0],
            uuid=row[1],
            name=full_name(row[2], row[3]) or row[4],
            last_active_at=max(_moment(value) for value in row[5:] if value is not None),
        )
        for row in rows
    ]


def set_retention_years(session: Session, years: int | str) -> int:
    """How many years without activity before a customer is listed for anonymising; InvalidInput naming the field."""
    require(session, Permission.SETTINGS)
    checked = _checked_years(years, "retention_years")
    shop = shop_settings(session)
    if shop.retention_years != checked:
        shop.retention_years = checked
        shop.updated_at = utc_now()
        audit.record(session, audit.SETTINGS_CHANGED, subject_kind="shop", subject_uuid=shop.uuid,
                     details={"fields": ["retention_years"]})  # fmt: skip
    return checked


def _checked_years(value: int | str, field_name: str) -> int:
    low, high = RETENTION_YEARS
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or not low <= int(text) <= high:
        raise InvalidInput({field_name: Problem(
            translatable("Enter a whole number of years from {low} to {high}."), {"low": low, "high": high}
        )})
    return int(text)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February, in a year that has none
        return day.replace(year=day.year - years, day=28)


def _moment(value: datetime | date) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time())

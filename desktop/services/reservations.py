"""Reservations and pre-orders: an item put aside for a customer, from promise to collection.

A reservation moves open -> ready -> collected, or to cancelled from open or ready; each
move is a time-stamped event, so the shop can tell when the customer was told and when
they came. The slip's reference code finds it again from the lookup box.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.errors import InvalidInput, NotFound, Problem, translatable
from desktop.models import Customer, CustomerPhone, Reservation, ReservationEvent, Shop
from desktop.models.base import utc_now
from desktop.services import audit, card_codes
from desktop.services.customers import FIRST_PHONE, full_name, get_customer
from desktop.services.dates import parse_date
from desktop.services.money import parse_cents
from desktop.services.permissions import Permission, require
from desktop.services.record_ids import is_number, record_by_number
from desktop.services.shop import shop_settings
from desktop.services.staff import recorded_staff_name
from desktop.services.text import clean_text

MAX_QUANTITY = 999
# Where a reservation may go from each status; collected and cancelled are final.
NEXT_STATUSES = {
    "open": ("ready", "cancelled"),
    "ready": ("collected", "cancelled"),
    "collected": (),
    "cancelled": (),
}
STATUS_NAMES = {
    "open": translatable("Open"),
    "ready": translatable("Ready"),
    "collected": translatable("Collected"),
    "cancelled": translatable("Cancelled"),
}
# The lists staff work from; each is one index range on (status, expected_on).
LISTS = ("due_this_week", "ready", "overdue", "open")
LIST_NAMES = {
    "due_this_week": translatable("Due this week"),
    "ready": translatable("Ready, not collected"),
    "overdue": translatable("Overdue"),
    "open": translatable("All open"),
}
DUE_DAYS = 7  # "this week" is today to a week from today: a Saturday still sees next Saturday


@dataclass
class NewReservation:
    """What staff typed; amounts and dates as text or values."""

    customer_id: int | None
    item: str = ""
    quantity: int | str = 1
    deposit: int | str = ""  # cents, or an amount as typed ("12,50"); blank is no deposit
    expected_on: date | str | None = None
    notes: str = ""


@dataclass(frozen=True)
class ReservationSummary:
    """One reservation as plain values, for lists, slips and scripts."""

    id: int
    reference: str
    customer_id: int
    customer_name: str
    customer_phone: str  # E.164 of the first phone, or ""
    item: str
    quantity: int
    deposit_cents: int
    expected_on: date
    notes: str
    status: str
    status_changed_at: datetime
    created_at: datetime

    @property
    def reference_display(self) -> str:
        return card_codes.display(self.reference)

    def is_overdue(self, today: date) -> bool:
        return self.status == "open" and self.expected_on < today


def _check(form: NewReservation, today: date, shop: Shop) -> dict[str, object]:
    problems: dict[str, Problem] = {}
    values: dict[str, object] = {}
    if form.customer_id is None:
        problems["customer"] = Problem(translatable("Choose the customer, or add them first."))
    item = clean_text(form.item, max_length=200)
    if isinstance(item, Problem):
        problems["item"] = item
    elif not item:
        problems["item"] = Problem(translatable("Say what is reserved."))
    values["item"] = item
    quantity = _quantity(form.quantity)
    if isinstance(quantity, Problem):
        problems["quantity"] = quantity
    values["quantity"] = quantity
    deposit = parse_deposit(form.deposit, shop.currency, shop.region)
    if isinstance(deposit, Problem):
        problems["deposit"] = deposit
    values["deposit_cents"] = deposit
    expected = parse_date(form.expected_on)
    if isinstance(expected, Problem):
        problems["expected_on"] = expected
    elif expected < today:
        problems["expected_on"] = Problem(translatable("The expected date has passed: choose today or later."))
    values["expected_on"] = expected
    notes = clean_text(form.notes, max_length=1000, multiline=True)
    if isinstance(notes, Problem):
        problems["notes"] = notes
    values["notes"] = notes
    if problems:
        raise InvalidInput(problems)
    return values


def _quantity(value: int | str) -> int | Problem:
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_QUANTITY:
        return Problem(translatable("Enter a whole number from 1 to {max}."), {"max": MAX_QUANTITY})
    return int(text)


def parse_deposit(value: int | str | None, currency: str, region: str) -> int | Problem:
    """Cents; blank or zero means no deposit was paid."""
    text = str(value if value is not None else "").strip()
    if text.strip("0.,") == "":  # "", "0", "0,00"
        return 0
    return parse_cents(value, currency, region)


def add_reservation(
    session: Session, form: NewReservation, *, staff: str = "", today: date | None = None
) -> Reservation:
    """A new open reservation with a fresh reference code; InvalidInput (nothing written) on bad input."""
    require(session, Permission.RECORDS)
    values = _check(form, today or date.today(), shop_settings(session))
    staff = recorded_staff_name(session, staff)
    customer = get_customer(session, form.customer_id)
    reference = _unused_reference(session)
    now = utc_now()
    reservation = Reservation(
        reference=reference,
        customer_id=customer.id,
        status="open",
        staff=staff,
        status_changed_at=now,
        created_at=now,
        updated_at=now,
        **values,
    )
    reservation.events.append(ReservationEvent(status="open", staff=staff, changed_at=now))
    session.add(reservation)
    customer.last_seen_at = now
    audit.customer_action(session, audit.RESERVATION_ADDED, customer.id, {"quantity": reservation.quantity})
    return reservation


def _unused_reference(session: Session) -> str:
    while True:
        code = card_codes.new_code(card_codes.RESERVATION_PREFIX)
        if session.scalar(select(Reservation.id).where(Reservation.reference == code)) is None:
            return code


def get_reservation(session: Session, reference_or_id: str | int) -> Reservation:
    """By reference code (as printed, typed or scanned) or by number."""
    require(session, Permission.LOOK_UP)
    text = str(reference_or_id).strip()
    if is_number(text):
        reservation = record_by_number(session, Reservation, text)
    else:
        reference = card_codes.normalise(text, card_codes.RESERVATION_PREFIX)
        reservation = session.scalars(select(Reservation).where(Reservation.reference == reference)).first()
    if reservation is None:
        raise NotFound(translatable("No reservation {ref}."), ref=text[:40])
    return reservation


def change_status(session: Session, reference_or_id: str | int, status: str, *, staff: str = "") -> Reservation:
    """Moves the reservation on; InvalidInput naming the allowed moves if this one is not."""
    require(session, Permission.RECORDS)
    staff = recorded_staff_name(session, staff)
    reservation = get_reservation(session, reference_or_id)
    allowed = NEXT_STATUSES.get(reservation.status, ())
    if status not in allowed:
        if allowed:
            problem = Problem(
                translatable("A reservation that is {current} can only become: {choices}."),
                {"current": reservation.status, "choices": ", ".join(allowed)},
            )
        else:
            problem = Problem(
                translatable("This reservation is {current} and cannot change any more."),
                {"current": reservation.status},
            )
        raise InvalidInput({"status": problem})
    now = utc_now()
    reservation.status = status
    reservation.staff = staff or reservation.staff
    reservation.status_changed_at = now
    reservation.updated_at = now
    reservation.events.append(ReservationEvent(status=status, staff=staff, changed_at=now))
    audit.customer_action(session, audit.RESERVATION_CHANGED, reservation.customer_id, {"status": status})
    return reservation


_SUMMARY = (
    select(Reservation, Customer.first_name, Customer.last_name, CustomerPhone.e164)
    .join(Customer, Customer.id == Reservation.customer_id)
    .outerjoin(CustomerPhone, FIRST_PHONE)
)


def _summaries(session: Session, query) -> list[ReservationSummary]:
    result = []
    for reservation, first, last, e164 in session.execute(query):
        result.append(
            ReservationSummary(
                id=reservation.id,
                reference=reservation.reference,
                customer_id=reservation.customer_id,
                customer_name=full_name(first, last),
                customer_phone=e164 or "",
                item=reservation.item,
                quantity=reservation.quantity,
                deposit_cents=reservation.deposit_cents,
                expected_on=reservation.expected_on,
                notes=reservation.notes,
                status=reservation.status,
                status_changed_at=reservation.status_changed_at,
                created_at=reservation.created_at,
            )
        )
    return result


def reservation_summary(session: Session, reference_or_id: str | int) -> ReservationSummary:
    reservation = get_reservation(session, reference_or_id)
    return _summaries(session, _SUMMARY.where(Reservation.id == reservation.id))[0]


def reservation_list(
    session: Session, which: str, *, today: date | None = None, limit: int = 200, offset: int = 0
) -> list[ReservationSummary]:
    """One of LISTS, soonest (or longest waiting) first."""
    require(session, Permission.RECORDS)
    today = today or date.today()
    if which == "due_this_week":
        query = _SUMMARY.where(
            Reservation.status == "open",
            Reservation.expected_on >= today,
            Reservation.expected_on <= today + timedelta(days=DUE_DAYS),
        ).order_by(Reservation.expected_on, Reservation.id)
    elif which == "overdue":
        query = _SUMMARY.where(Reservation.status == "open", Reservation.expected_on < today).order_by(
            Reservation.expected_on, Reservation.id
        )
    elif which == "ready":
        query = _SUMMARY.where(Reservation.status == "ready").order_by(
            Reservation.status_changed_at, Reservation.id
        )
    elif which == "open":
        query = _SUMMARY.where(Reservation.status == "open").order_by(Reservation.expected_on, Reservation.id)
    else:
        raise InvalidInput(
            {"list": Problem(translatable("Choose one of: {choices}."), {"choices": ", ".join(LISTS)})}
        )
    return _summaries(session, query.limit(limit).offset(offset))


def customer_reservations(session: Session, customer_id: int, *, limit: int = 50) -> list[ReservationSummary]:
    """The customer's reservations, newest first."""
    require(session, Permission.LOOK_UP)
    query = _SUMMARY.where(Reservation.customer_id == customer_id).order_by(
        Reservation.created_at.desc(), Reservation.id.desc()
    )
    return _summaries(session, query.limit(limit))


def status_history(session: Session, reference_or_id: str | int) -> list[tuple[str, datetime, str]]:
    """(status, when, staff) from the first to the latest."""
    reservation = get_reservation(session, reference_or_id)
    return [(e.status, e.changed_at, e.staff) for e in reservation.events]

"""The phone-call log: an inquiry written down while the caller is still on the line.

The caller's number finds the customer; a new caller who gives a name becomes a minimal
customer (name and that number, plus how they heard about the shop); a caller who gives
no name is logged by number alone. Follow-ups stay on the main screen until done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.errors import InvalidInput, NotFound, Problem, translatable
from desktop.models import Customer, CustomerPhone, PhoneCall
from desktop.models.base import utc_now
from desktop.services import audit
from desktop.services.choices import (
    CALL_REASON,
    HEARD_FROM,
    choice_labels,
    matching_label,
)
from desktop.services.customers import (
    FIRST_PHONE,
    CustomerDetails,
    add_customer,
    full_name,
    get_customer,
)
from desktop.services.dates import parse_date
from desktop.services.permissions import Permission, require
from desktop.services.staff import recorded_staff_name
from desktop.services.phones import display_phone, parse_phone
from desktop.services.record_ids import record_by_number
from desktop.services.text import clean_text


@dataclass
class CallLog:
    """What staff typed during the call. customer_id, when known, wins over the number."""

    reason: str = ""
    phone: str = ""
    customer_id: int | None = None
    caller_name: str = ""  # a new caller's name: they become a customer
    heard_from: str = ""  # a new caller's answer: one of the shop's choices or free text
    notes: str = ""
    follow_up_on: date | str | None = None


@dataclass(frozen=True)
class CallSummary:
    id: int
    called_at: datetime
    customer_id: int | None
    customer_name: str
    phone: str  # E.164: the customer's first phone, or the number logged
    reason: str
    notes: str
    follow_up_on: date | None
    follow_up_done_at: datetime | None
    staff: str

    def phone_display(self, region: str) -> str:
        return display_phone(self.phone, region) if self.phone else ""


def callers_with_phone(session: Session, phone: str, region: str) -> list[int]:
    """Customers with exactly this number, most recently seen first (empty for a bad number)."""
    require(session, Permission.LOOK_UP)
    parsed = parse_phone(phone, region) if phone and phone.strip() else None
    if parsed is None or isinstance(parsed, Problem):
        return []
    return list(
        session.scalars(
            select(CustomerPhone.customer_id)
            .join(Customer, Customer.id == CustomerPhone.customer_id)
            .where(CustomerPhone.e164 == parsed.e164)
            .order_by(Customer.last_seen_at.desc(), Customer.id.desc())
            .limit(5)
        )
    )


def _check(session: Session, form: CallLog, region: str, today: date) -> dict[str, object]:
    problems: dict[str, Problem] = {}
    values: dict[str, object] = {}
    reason = matching_label(session, CALL_REASON, form.reason or "") if (form.reason or "").strip() else None
    if reason is None:
        problems["reason"] = Problem(
            translatable("Choose a reason: {choices}."), {"choices": ", ".join(choice_labels(session, CALL_REASON))}
        )
    values["reason"] = reason
    values["caller_e164"] = ""
    if form.phone and form.phone.strip():
        parsed = parse_phone(form.phone, region)
        if isinstance(parsed, Problem):
            problems["phone"] = parsed
        else:
            values["caller_e164"] = parsed.e164
    notes = clean_text(form.notes, max_length=2000, multiline=True)
    if isinstance(notes, Problem):
        problems["notes"] = notes
    values["notes"] = notes
    follow_up = parse_date(form.follow_up_on, required=False)
    if isinstance(follow_up, Problem):
        problems["follow_up_on"] = follow_up
    elif follow_up is not None and follow_up < today:
        problems["follow_up_on"] = Problem(translatable("The follow-up date has passed: choose today or later."))
    values["follow_up_on"] = follow_up
    for name, max_length in (("caller_name", 200), ("heard_from", 200)):
        cleaned = clean_text(getattr(form, name), max_length=max_length)
        if isinstance(cleaned, Problem):
            problems[name] = cleaned
        values[name] = cleaned
    if problems:
        raise InvalidInput(problems)
    return values


def log_call(
    session: Session, form: CallLog, region: str, *, staff: str = "", today: date | None = None
) -> PhoneCall:
    """The call, tied to the caller when known; InvalidInput (nothing written) on bad input."""
    require(session, Permission.RECORDS)
    values = _check(session, form, region, today or date.today())
    staff = recorded_staff_name(session, staff)
    customer_id = form.customer_id
    if customer_id is not None:
        customer_id = get_customer(session, customer_id).id
    elif values["caller_e164"]:
        known = callers_with_phone(session, values["caller_e164"], region)
        customer_id = known[0] if known else None
    if customer_id is None and values["caller_name"]:
        if not values["caller_e164"]:
            raise InvalidInput(
                {"phone": Problem(translatable("Enter the caller's number to add them as a customer."))}
            )
        first, _, last = values["caller_name"].partition(" ")
        heard = matching_label(session, HEARD_FROM, values["heard_from"]) or values["heard_from"]
        customer = add_customer(
            session,
            CustomerDetails(first_name=first, last_name=last.strip(), phones=[values["caller_e164"]], heard_from=heard),
            region,
        )
        customer_id = customer.id
    call = PhoneCall(
        customer_id=customer_id,
        caller_e164=values["caller_e164"],
        reason=values["reason"],
        notes=values["notes"],
        follow_up_on=values["follow_up_on"],
        staff=staff,
    )
    session.add(call)
    if customer_id is not None:
        session.get(Customer, customer_id).last_seen_at = utc_now()
    audit.customer_action(session, audit.CALL_LOGGED, customer_id, {"follow_up": call.follow_up_on is not None})
    return call


def complete_follow_up(session: Session, call_id: int, *, staff: str = "") -> PhoneCall:
    """The follow-up was done: it leaves the main screen's list."""
    require(session, Permission.RECORDS)
    staff = recorded_staff_name(session, staff)
    call = _get_call(session, call_id)
    if call.follow_up_on is None:
        raise InvalidInput({"follow_up": Problem(translatable("This call has no follow-up to complete."))})
    if call.follow_up_done_at is None:
        call.follow_up_done_at = utc_now()
        call.updated_at = call.follow_up_done_at
        call.staff = call.staff or staff
        audit.customer_action(session, audit.FOLLOW_UP_DONE, call.customer_id)
    session.flush()
    return call


def reopen_follow_up(session: Session, call_id: int) -> PhoneCall:
    """Undoes Done: the follow-up is back on the main screen's list."""
    require(session, Permission.RECORDS)
    call = _get_call(session, call_id)
    if call.follow_up_done_at is not None:
        call.follow_up_done_at = None
        call.updated_at = utc_now()
        audit.customer_action(session, audit.FOLLOW_UP_DONE, call.customer_id, {"undone": True})
    session.flush()
    return call


_SUMMARY = (
    select(PhoneCall, Customer.first_name, Customer.last_name, CustomerPhone.e164)
    .outerjoin(Customer, Customer.id == PhoneCall.customer_id)
    .outerjoin(CustomerPhone, FIRST_PHONE)
)


def _summaries(session: Session, query) -> list[CallSummary]:
    return [
        CallSummary(
            id=call.id,
            called_at=call.called_at,
            customer_id=call.customer_id,
            customer_name=full_name(first, last),
            phone=call.caller_e164 or e164 or "",
            reason=call.reason,
            notes=call.notes,
            follow_up_on=call.follow_up_on,
            follow_up_done_at=call.follow_up_done_at,
            staff=call.staff,
        )
        for call, first, last, e164 in session.execute(query)
    ]


def _get_call(session: Session, call_id: int) -> PhoneCall:
    call = record_by_number(session, PhoneCall, call_id)
    if call is None:
        raise NotFound(translatable("No call {ref}."), ref=call_id)
    return call


def call_summary(session: Session, call_id: int) -> CallSummary:
    require(session, Permission.LOOK_UP)
    call = _get_call(session, call_id)
    return _summaries(session, _SUMMARY.where(PhoneCall.id == call.id))[0]


def open_follow_ups(session: Session, *, limit: int = 100) -> list[CallSummary]:
    """Follow-ups not yet done, the most pressing (earliest date) first."""
    require(session, Permission.LOOK_UP)
    query = _SUMMARY.where(PhoneCall.follow_up_done_at.is_(None), PhoneCall.follow_up_on.is_not(None))
    return _summaries(session, query.order_by(PhoneCall.follow_up_on, PhoneCall.id).limit(limit))


def recent_calls(session: Session, *, limit: int = 100, offset: int = 0) -> list[CallSummary]:
    require(session, Permission.RECORDS)
    query = _SUMMARY.order_by(PhoneCall.called_at.desc(), PhoneCall.id.desc())
    return _summaries(session, query.limit(limit).offset(offset))


def customer_calls(session: Session, customer_id: int, *, limit: int = 50) -> list[CallSummary]:
    require(session, Permission.LOOK_UP)
    query = _SUMMARY.where(PhoneCall.customer_id == customer_id)
    return _summaries(session, query.order_by(PhoneCall.called_at.desc(), PhoneCall.id.desc()).limit(limit))

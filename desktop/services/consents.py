"""Marketing consent per channel, with the notice version shown and who recorded it.

Each answer is a new row: the newest row per channel is the customer's current wish, and
the older rows are the history a shop must be able to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.errors import InvalidInput, Problem, translatable
from desktop.models import CHANNELS, Consent
from desktop.services.customers import get_customer
from desktop.services.permissions import Permission, require
from desktop.services.staff import recorded_staff_name
from desktop.services.privacy_notice import notice_version_exists

SOURCES = ("signup", "reservation", "warranty", "call", "paper", "counter")
# What a channel needs on file before a customer can be written to by it.
_NEEDS = {
    "email": ("email", translatable("Add an email address to send offers by email.")),
    "sms": ("phone", translatable("Add a phone number to send offers by SMS.")),
    "post": ("address_line1", translatable("Add a postal address to send offers by post.")),
}


@dataclass(frozen=True)
class ConsentState:
    channel: str
    granted: bool
    notice_version: int
    source: str
    staff: str
    recorded_at: datetime


def check_consent_choices(choices: dict[str, bool], source: str, notice_version: int) -> None:
    """Channels, source and version are known ones; InvalidInput otherwise. Writes nothing."""
    problems: dict[str, Problem] = {}
    for channel in choices:
        if channel not in CHANNELS:
            problems["consent"] = Problem(
                translatable("Unknown channel {channel}: use {choices}."),
                {"channel": channel, "choices": ", ".join(CHANNELS)},
            )
    if source not in SOURCES:
        problems["source"] = Problem(translatable("Choose one of: {choices}."), {"choices": ", ".join(SOURCES)})
    if not isinstance(notice_version, int) or notice_version < 1:
        problems["notice_version"] = Problem(translatable("Name the privacy notice version the customer saw."))
    if problems:
        raise InvalidInput(problems)


def missing_contact_problems(
    granted: dict[str, bool], *, email: str, phone: str, address_line1: str
) -> dict[str, Problem]:
    """A tick for a channel the shop has no address for, as a problem on that consent's field."""
    have = {"email": email, "phone": phone, "address_line1": address_line1}
    return {
        f"consent_{channel}": Problem(_NEEDS[channel][1])
        for channel, yes in granted.items()
        if yes and channel in _NEEDS and not have[_NEEDS[channel][0]]
    }


def record_consents(
    session: Session,
    customer_id: int,
    choices: dict[str, bool],
    *,
    notice_version: int,
    source: str,
    staff: str = "",
    only_changes: bool = False,
) -> list[Consent]:
    """One row per channel answered. only_changes skips channels whose answer is the same as now."""
    require(session, Permission.EDIT_CUSTOMERS)
    check_consent_choices(choices, source, notice_version)
    staff = recorded_staff_name(session, staff)
    customer = get_customer(session, customer_id)
    problems = missing_contact_problems(
        choices,
        email=customer.email or "",
        phone=customer.phones[0].e164 if customer.phones else "",
        address_line1=customer.address_line1,
    )
    if not notice_version_exists(session, notice_version):
        problems["notice_version"] = Problem(
            translatable("There is no privacy notice version {version}."), {"version": notice_version}
        )
    if problems:
        raise InvalidInput(problems)
    now = current_consents(session, customer.id) if only_changes else {}
    rows = [
        Consent(
            customer_id=customer.id,
            channel=channel,
            granted=bool(granted),
            notice_version=notice_version,
            source=source,
            staff=staff,
        )
        for channel, granted in choices.items()
        if not (channel in now and now[channel].granted == bool(granted))
    ]
    session.add_all(rows)
    session.flush()
    return rows


def current_consents(session: Session, customer_id: int) -> dict[str, ConsentState]:
    """The customer's newest answer per channel; a channel never asked about is absent (no consent)."""
    require(session, Permission.LOOK_UP)
    latest: dict[str, ConsentState] = {}
    for row in consent_history(session, customer_id):
        latest[row.channel] = row
    return latest


def consent_history(session: Session, customer_id: int) -> list[ConsentState]:
    """Every answer, oldest first."""
    require(session, Permission.LOOK_UP)
    rows = session.scalars(
        select(Consent).where(Consent.customer_id == customer_id).order_by(Consent.recorded_at, Consent.id)
    )
    return [
        ConsentState(r.channel, r.granted, r.notice_version, r.source, r.staff, r.recorded_at) for r in rows
    ]


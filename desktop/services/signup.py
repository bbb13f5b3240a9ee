"""Mailing-list sign-up at the counter: a name, one contact, and a tick per channel.

Nothing more is required, unticked means no, and a phone or email the shop already knows
leads back to that customer instead of a second record.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.errors import (
    CustomerRef,
    DuplicateCustomer,
    InvalidInput,
    Problem,
    translatable,
)
from desktop.models import Customer
from desktop.services.consents import (
    check_consent_choices,
    missing_contact_problems,
    record_consents,
)
from desktop.services.customers import (
    MAX_PHONES,
    CustomerDetails,
    add_customer,
    check_details,
    get_customer,
    update_customer,
)
from desktop.services.permissions import Permission, require
from desktop.services.phones import exact_phone
from desktop.services.privacy_notice import notice_version_exists
from desktop.services.search_keys import email_key

_FILLABLE = ("last_name", "email", "address_line1", "postal_code", "city", "heard_from")


@dataclass
class SignUp:
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    email: str = ""
    address_line1: str = ""
    postal_code: str = ""
    city: str = ""
    heard_from: str = ""
    consents: dict[str, bool] = field(default_factory=dict)  # channel -> ticked

    def details(self) -> CustomerDetails:
        return CustomerDetails(
            first_name=self.first_name,
            last_name=self.last_name,
            phones=[self.phone] if self.phone.strip() else [],
            email=self.email,
            address_line1=self.address_line1,
            postal_code=self.postal_code,
            city=self.city,
            heard_from=self.heard_from,
        )


def check_sign_up(session: Session, form: SignUp, region: str, notice_version: int, source: str) -> None:
    """Every problem with the form at once, by field; writes nothing."""
    problems: dict[str, Problem] = {}
    try:
        check_details(form.details(), region)
    except InvalidInput as exc:
        problems.update(exc.problems)
    try:
        check_consent_choices(form.consents, source, notice_version)
    except InvalidInput as exc:
        problems.update(exc.problems)
    problems.update(
        missing_contact_problems(
            form.consents, email=form.email.strip(), phone=form.phone.strip(), address_line1=form.address_line1.strip()
        )
    )
    if "notice_version" not in problems and not notice_version_exists(session, notice_version):
        problems["notice_version"] = Problem(
            translatable("There is no privacy notice version {version}."), {"version": notice_version}
        )
    if problems:
        raise InvalidInput(problems)


def sign_up(
    session: Session, form: SignUp, region: str, *, notice_version: int, staff: str = "", source: str = "signup"
) -> Customer:
    """A new customer with their consents; DuplicateCustomer (nothing written) if the phone or email is known."""
    require(session, Permission.EDIT_CUSTOMERS)
    check_sign_up(session, form, region, notice_version, source)
    customer = add_customer(session, form.details(), region)
    record_consents(
        session, customer.id, form.consents, notice_version=notice_version, source=source, staff=staff
    )
    return customer


def sign_up_existing(
    session: Session,
    customer_id: int,
    form: SignUp,
    region: str,
    *,
    notice_version: int,
    staff: str = "",
    source: str = "signup",
) -> Customer:
    """The form applied to a customer the shop already has: blanks filled in, never overwritten,
    and the consents recorded as answered today."""
    require(session, Permission.EDIT_CUSTOMERS)
    check_sign_up(session, form, region, notice_version, source)
    customer = get_customer(session, customer_id)
    details = CustomerDetails.of(customer)
    new = form.details()
    for name in _FILLABLE:
        if not getattr(details, name) and getattr(new, name):
            setattr(details, name, getattr(new, name))
            if name == "email":
                _refuse_someone_elses_email(session, customer.id, new.email)
    if (
        new.phones
        and exact_phone(new.phones[0], region) not in details.phones
        and len(details.phones) < MAX_PHONES
    ):
        details.phones.append(new.phones[0])
    # The phone may be shared on purpose (a family landline), so only the email is checked.
    customer = update_customer(session, customer.id, details, region, allow_duplicate=True)
    record_consents(
        session,
        customer.id,
        form.consents,
        notice_version=notice_version,
        source=source,
        staff=staff,
        only_changes=True,
    )
    return customer


def _refuse_someone_elses_email(session: Session, customer_id: int, email: str) -> None:
    """DuplicateCustomer when the email about to be filled in is another customer's."""
    if not email:
        return
    others = session.scalars(
        select(Customer).where(Customer.email_key == email_key(email), Customer.id != customer_id).limit(5)
    ).all()
    if others:
        raise DuplicateCustomer([CustomerRef(c.id, c.full_name) for c in others], "email")

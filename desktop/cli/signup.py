"""Mailing-list sign-up from the command line: a name, one contact, and the channels agreed to."""

from __future__ import annotations

from typing import Any

from desktop.cli.common import CommandFailed, print_json, shop_session, staff_name
from desktop.errors import DuplicateCustomer
from desktop.models import CHANNELS
from desktop.services.consents import current_consents
from desktop.services.privacy_notice import current_notice
from desktop.services.shop import shop_settings
from desktop.services.signup import SignUp, sign_up, sign_up_existing

FIELD_LABELS = {
    "first_name": "--first-name",
    "last_name": "--last-name",
    "phone": "--phone",
    "email": "--email",
    "address_line1": "--address",
    "postal_code": "--postal-code",
    "city": "--city",
    "heard_from": "--heard-from",
    "consent": "--consent",
    **{f"consent_{channel}": f"--consent {channel}" for channel in CHANNELS},
    "notice_version": "privacy notice",
    "staff": "--staff",
}


def _form_from(args) -> SignUp:
    return SignUp(
        first_name=args.first_name,
        last_name=args.last_name or "",
        phone=args.phone or "",
        email=args.email or "",
        address_line1=args.address or "",
        postal_code=args.postal_code or "",
        city=args.city or "",
        heard_from=args.heard_from or "",
        # Only what was ticked is an answer; a channel not named records nothing (no consent).
        consents={channel: True for channel in args.consent or []},
    )


def _duplicate_message(exc: DuplicateCustomer) -> str:
    if len(exc.existing) == 1:
        return f"{exc} Run again with --use-existing to update that customer."
    people = ", ".join(f"{c.full_name} (customer #{c.id})" for c in exc.existing)
    return f"This {exc.field} already belongs to several customers: {people}. Nothing was written."


def _record(customer, session, notice_version: int, updated: bool) -> dict[str, Any]:
    consents = current_consents(session, customer.id)
    return {
        "id": customer.id,
        "uuid": customer.uuid,
        "existing": updated,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "phone": customer.phones[0].e164 if customer.phones else None,
        "email": customer.email,
        "address_line1": customer.address_line1,
        "postal_code": customer.postal_code,
        "city": customer.city,
        "heard_from": customer.heard_from,
        "notice_version": notice_version,
        "consents": {channel: consents[channel].granted for channel in CHANNELS if channel in consents},
    }


def cmd_signup(args) -> int:
    form = _form_from(args)
    staff = staff_name(args)
    with shop_session(args, write=True) as session:
        region = shop_settings(session).region
        version = current_notice(session).version
        updated = False
        try:
            customer = sign_up(session, form, region, notice_version=version, staff=staff)
        except DuplicateCustomer as exc:
            if not args.use_existing or len(exc.existing) != 1:
                raise CommandFailed(_duplicate_message(exc)) from exc
            customer = sign_up_existing(
                session, exc.existing[0].id, form, region, notice_version=version, staff=staff
            )
            updated = True
        record = _record(customer, session, version, updated)
    if args.json:
        print_json(record)
        return 0
    name = f"{record['first_name']} {record['last_name']}".rstrip()
    print(f"{'Updated' if updated else 'Signed up'} customer #{record['id']}: {name}")
    ticked = [channel for channel in CHANNELS if channel in form.consents]
    if ticked:
        print(f"Consent recorded against privacy notice version {version}: {', '.join(ticked)}.")
    else:
        print(f"No consent given (privacy notice version {version}): nothing recorded for any channel.")
    return 0


def add_commands(commands) -> None:
    signup = commands.add_parser("signup", help="mailing-list sign-up: a name, a phone or email, and consents")
    signup.add_argument("--first-name", required=True)
    signup.add_argument("--last-name")
    signup.add_argument("--phone", help="any format")
    signup.add_argument("--email")
    signup.add_argument("--address", help="street and number")
    signup.add_argument("--postal-code")
    signup.add_argument("--city")
    signup.add_argument("--heard-from", help="how they heard of the shop")
    signup.add_argument("--consent", action="append", choices=CHANNELS,
                        help="a channel the customer agreed to; repeat for more (a channel not named: no consent)")
    signup.add_argument("--staff", help="who took the sign-up")
    signup.add_argument("--use-existing", action="store_true",
                        help="the phone or email is a customer's already: update that customer instead")
    signup.add_argument("--json", action="store_true")
    signup.set_defaults(run=cmd_signup, field_labels=FIELD_LABELS)

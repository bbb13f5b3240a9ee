"""Customers from the command line: add, edit, find and show."""

from __future__ import annotations

import sys
from typing import Any

from desktop.cli.arguments import record_ref
from desktop.cli.common import CommandFailed, list_limit, print_json, shop_session
from desktop.errors import DuplicateCustomer
from desktop.services import customers as customer_service
from desktop.services.lookup import CustomerMatch, find_customers, query_problem
from desktop.services.phones import display_phone
from desktop.services.shop import shop_settings


def _match_record(match: CustomerMatch) -> dict[str, Any]:
    return {
        "id": match.id,
        "uuid": match.uuid,
        "first_name": match.first_name,
        "last_name": match.last_name,
        "phone": match.phone or None,
        "email": match.email or None,
        "last_seen_at": match.last_seen_at.isoformat(timespec="seconds"),
        "matched_by": match.matched_by,
    }


def _customer_record(customer, region: str) -> dict[str, Any]:
    return {
        "id": customer.id,
        "uuid": customer.uuid,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "phone": customer.phones[0].e164 if customer.phones else None,
        "phones": [
            {"e164": p.e164, "display": display_phone(p.e164, region), "label": p.label}
            for p in customer.phones
        ],
        "email": customer.email,
        "company": customer.company,
        "address_line1": customer.address_line1,
        "address_line2": customer.address_line2,
        "city": customer.city,
        "state": customer.state,
        "postal_code": customer.postal_code,
        "country": customer.country,
        "preferred_payment": customer.preferred_payment,
        "birthday": customer.birthday.isoformat() if customer.birthday else None,
        "notes": customer.notes,
        "heard_from": customer.heard_from,
        "created_at": customer.created_at.isoformat(timespec="seconds"),
        "updated_at": customer.updated_at.isoformat(timespec="seconds"),
        "last_seen_at": customer.last_seen_at.isoformat(timespec="seconds"),
    }


def _details_from(args) -> customer_service.CustomerDetails:
    return customer_service.CustomerDetails(
        first_name=args.first_name,
        last_name=args.last_name or "",
        phones=list(args.phone or []),
        email=args.email or "",
        company=args.company or "",
        city=args.city or "",
        notes=args.notes or "",
        birthday=args.birthday,
        heard_from=args.heard_from or "",
    )


def cmd_customers_add(args) -> int:
    try:
        with shop_session(args, write=True) as session:
            region = shop_settings(session).region
            customer = customer_service.add_customer(
                session, _details_from(args), region, allow_duplicate=args.allow_duplicate
            )
            record = _customer_record(customer, region)
    except DuplicateCustomer as exc:
        raise CommandFailed(f"{exc} Use --allow-duplicate to add a new customer anyway.") from exc
    return _print_saved(args, record, "Added")


def cmd_customers_find(args) -> int:
    limit = list_limit(args)
    with shop_session(args) as session:
        region = shop_settings(session).region
        matches = find_customers(session, args.query, region, limit=limit)
    if args.json:
        print_json([_match_record(m) for m in matches])
    elif not matches:
        problem = query_problem(args.query)
        print(problem.text() if problem else "No customer found.", file=sys.stderr)
    else:
        for m in matches:
            print(f"{m.id:>8}  {m.full_name:<32}  {m.phone_display:<20}  {m.email}")
    return 0


def cmd_customers_show(args) -> int:
    with shop_session(args) as session:
        region = shop_settings(session).region
        record = _customer_record(customer_service.get_customer(session, args.id), region)
    if args.json:
        print_json(record)
    else:
        for key, value in record.items():
            if key == "phones":
                value = ", ".join(p["display"] for p in value)
            if value not in (None, ""):
                print(f"{key.replace('_', ' '):>18}: {value}")
    return 0



EDIT_FIELDS = ("first_name", "last_name", "email", "address_line1", "city", "postal_code", "notes")


def cmd_customers_edit(args) -> int:
    changes = {name: getattr(args, name) for name in EDIT_FIELDS if getattr(args, name) is not None}
    try:
        with shop_session(args, write=True) as session:
            region = shop_settings(session).region
            customer = customer_service.change_customer(
                session, args.id, region, changes=changes, add_phones=args.add_phone or [],
                remove_phones=args.remove_phone or [], allow_duplicate=args.allow_duplicate,
            )
            record = _customer_record(customer, region)
    except DuplicateCustomer as exc:
        raise CommandFailed(f"{exc} Use --allow-duplicate to save it anyway.") from exc
    return _print_saved(args, record, "Changed")


def _print_saved(args, record: dict, done: str) -> int:
    if args.json:
        print_json(record)
    else:
        print(f"{done} customer #{record['id']}: {record['first_name']} {record['last_name']}".rstrip())
    return 0


def add_commands(commands) -> None:
    customers = commands.add_parser("customers", help="add, find and show customers")
    customer_commands = customers.add_subparsers(dest="customers_command", metavar="ACTION", required=True)
    add = customer_commands.add_parser("add", help="add a customer (a name and a phone or email)")
    add.add_argument("--first-name", required=True)
    add.add_argument("--last-name")
    add.add_argument("--phone", action="append", help="any format; repeat for more numbers")
    add.add_argument("--email")
    add.add_argument("--company")
    add.add_argument("--city")
    add.add_argument("--birthday", help="YYYY-MM-DD")
    add.add_argument("--heard-from", help="how they heard of the shop")
    add.add_argument("--notes")
    add.add_argument("--allow-duplicate", action="store_true", help="add even if the phone or email is someone's")
    add.add_argument("--json", action="store_true")
    add.set_defaults(run=cmd_customers_add)

    find = customer_commands.add_parser("find", help="find by phone (any format or last digits), name or email")
    find.add_argument("query", nargs="?", default="")
    find.add_argument("--limit", type=int, default=20)
    find.add_argument("--json", action="store_true")
    find.set_defaults(run=cmd_customers_find)

    edit = customer_commands.add_parser("edit", help="change some of a customer's details; the rest stay")
    edit.add_argument("id", metavar="CUSTOMER", help="customer number or UUID")
    for name in EDIT_FIELDS:
        edit.add_argument(f"--{name.replace('_', '-')}", dest=name)
    edit.add_argument("--add-phone", action="append", metavar="P", help="any format; repeat for more numbers")
    edit.add_argument("--remove-phone", action="append", metavar="P", help="one of the customer's numbers")
    edit.add_argument("--allow-duplicate", action="store_true", help="save even if the phone or email is someone's")
    edit.add_argument("--json", action="store_true")
    edit.set_defaults(run=cmd_customers_edit, field_labels={
        **{name: f"--{name.replace('_', '-')}" for name in EDIT_FIELDS}, "phones": "--add-phone/--remove-phone"})

    show = customer_commands.add_parser("show", help="everything about one customer")
    show.add_argument("id", type=record_ref, help="customer number or UUID")
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=cmd_customers_show)

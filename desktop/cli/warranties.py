"""Warranty cards from the command line: register, find by serial number, what expires soon, and claims."""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

from desktop.cli.arguments import record_number, record_ref, reference_text
from desktop.cli.common import CommandFailed, fit, print_json, shop_session, staff_name
from desktop.services import warranties as warranty_service
from desktop.services.loyalty import customer_from_ref

FIELD_LABELS = {
    "customer": "--customer",
    "product": "--product",
    "serial_number": "--serial",
    "purchase_date": "--purchased",
    "months": "--months",
    "notes": "--notes",
    "days": "--days",
    "problem": "--problem",
    "claimed_on": "--date",
    "outcome": "--outcome",
    "staff": "--staff",
}
# `warranties outcome CLAIM_ID TEXT` takes the outcome as its second argument
OUTCOME_LABELS = {**FIELD_LABELS, "outcome": "outcome"}


def _claim_record(claim: warranty_service.ClaimSummary) -> dict[str, Any]:
    return {
        "id": claim.id,
        "claimed_on": claim.claimed_on.isoformat(),
        "problem": claim.problem,
        "outcome": claim.outcome,
    }


def _record(card: warranty_service.WarrantySummary, today: date) -> dict[str, Any]:
    return {
        "id": card.id,
        "customer_id": card.customer_id,
        "customer_name": card.customer_name,
        "product": card.product,
        "serial_number": card.serial_number,
        "purchase_date": card.purchase_date.isoformat(),
        "months": card.months,
        "expires_on": card.expires_on.isoformat(),
        "covered": card.is_covered(today),
        "notes": card.notes,
        "claims": [_claim_record(c) for c in card.claims],
    }


def _covered(record: dict[str, Any]) -> str:
    return f"covered to {record['expires_on']}" if record["covered"] else f"expired {record['expires_on']}"


# warranty 6, expires 10, customer 24, product 28, serial 20, two spaces between: 96 columns
_ROW = "{id:>6}  {expires:<10}  {customer}  {product}  {serial}"


def _print_table(records: list[dict[str, Any]]) -> None:
    print(_ROW.format(id="#", expires="Expires", customer=fit("Customer", 24), product=fit("Product", 28),
                      serial="Serial").rstrip())
    for r in records:
        print(_ROW.format(id=r["id"], expires=r["expires_on"], customer=fit(r["customer_name"], 24),
                          product=fit(r["product"], 28), serial=fit(r["serial_number"], 20)).rstrip())


def cmd_warranties_add(args) -> int:
    staff = staff_name(args)
    with shop_session(args, write=True) as session:
        customer = customer_from_ref(session, args.customer)
        form = warranty_service.NewWarranty(
            customer_id=customer.id,
            product=args.product,
            serial_number=args.serial,
            purchase_date=args.purchased,
            months=args.months,
            notes=args.notes or "",
        )
        warranty = warranty_service.add_warranty(session, form, staff=staff)
        record = _record(warranty_service.warranty_summary(session, warranty.id), date.today())
    if args.json:
        print_json(record)
    else:
        print(f"Warranty #{record['id']}: {record['product']} (serial {record['serial_number']}) "
              f"for {record['customer_name']}, {record['months']} month{'s' if record['months'] != 1 else ''}.")
        print(f"Covered until {record['expires_on']}.")
    return 0


def cmd_warranties_find(args) -> int:
    with shop_session(args) as session:
        today = date.today()
        records = [_record(card, today) for card in warranty_service.find_by_serial(session, args.serial)]
    if not records:
        raise CommandFailed(f"No warranty with serial number {args.serial.strip()[:60]}.")
    if args.json:
        print_json(records)
        return 0
    for r in records:
        print(f"#{r['id']}  {r['product']} (serial {r['serial_number']})")
        print(f"    {r['customer_name']} (customer #{r['customer_id']}), bought {r['purchase_date']}, {_covered(r)}")
        for claim in r["claims"]:
            outcome = claim["outcome"] or "no outcome yet"
            print(f"    claim #{claim['id']} on {claim['claimed_on']}: {claim['problem']} -> {outcome}")
    return 0


def cmd_warranties_expiring(args) -> int:
    with shop_session(args) as session:
        today = date.today()
        records = [_record(c, today) for c in warranty_service.expiring_warranties(session, args.days)]
    if args.json:
        print_json(records)
    elif not records:
        print(f"No warranty expires in the next {args.days} days.", file=sys.stderr)
    else:
        _print_table(records)
    return 0


def cmd_warranties_claim(args) -> int:
    staff = staff_name(args)
    with shop_session(args, write=True) as session:
        claim = warranty_service.add_claim(
            session, args.warranty, problem=args.problem, claimed_on=args.date, outcome=args.outcome or "",
            staff=staff,
        )
        record = {"warranty_id": claim.warranty_id, **_claim_record(claim)}
    if args.json:
        print_json(record)
    else:
        outcome = f"; outcome: {record['outcome']}" if record["outcome"] else ""
        print(f"Claim #{record['id']} on warranty #{record['warranty_id']}, {record['claimed_on']}{outcome}.")
    return 0


def cmd_warranties_outcome(args) -> int:
    staff = staff_name(args)
    with shop_session(args, write=True) as session:
        claim = warranty_service.set_claim_outcome(session, args.claim, args.outcome, staff=staff)
        record = {"warranty_id": claim.warranty_id, **_claim_record(claim)}
    if args.json:
        print_json(record)
    else:
        print(f"Claim #{record['id']} on warranty #{record['warranty_id']}: {record['outcome']}")
    return 0


def add_commands(commands) -> None:
    warranties = commands.add_parser("warranties", help="warranty cards and claims")
    actions = warranties.add_subparsers(dest="warranties_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="register a product sold with a warranty; prints the expiry")
    add.add_argument("--customer", required=True, type=record_ref, help="customer number, UUID or card code")
    add.add_argument("--product", required=True)
    add.add_argument("--serial", required=True, help="the serial number printed on the product")
    add.add_argument("--purchased", required=True, help="purchase date: YYYY-MM-DD")
    add.add_argument("--months", default="12", help="length of the warranty (default: 12)")
    add.add_argument("--notes")
    add.add_argument("--staff", help="who registered it")
    add.add_argument("--json", action="store_true")
    add.set_defaults(run=cmd_warranties_add, field_labels=FIELD_LABELS)

    find = actions.add_parser("find", help="warranties by serial number, however it is typed")
    find.add_argument("serial", type=reference_text)
    find.add_argument("--json", action="store_true")
    find.set_defaults(run=cmd_warranties_find)

    expiring = actions.add_parser("expiring", help="warranties whose cover ends soon, soonest first")
    expiring.add_argument("--days", type=int, default=30, help="from today to this many days on (default: 30)")
    expiring.add_argument("--json", action="store_true")
    expiring.set_defaults(run=cmd_warranties_expiring, field_labels=FIELD_LABELS)

    claim = actions.add_parser("claim", help="a claim against a warranty")
    claim.add_argument("warranty", metavar="WARRANTY_ID", type=record_ref, help="the warranty's number")
    claim.add_argument("--problem", required=True, help="what went wrong")
    claim.add_argument("--date", help="when it was claimed: YYYY-MM-DD (default: today)")
    claim.add_argument("--outcome", help="what was done, if known already")
    claim.add_argument("--staff", help="who took the claim")
    claim.add_argument("--json", action="store_true")
    claim.set_defaults(run=cmd_warranties_claim, field_labels=FIELD_LABELS)

    outcome = actions.add_parser("outcome", help="what was done about a claim: repaired, replaced, refunded, refused")
    outcome.add_argument("claim", metavar="CLAIM_ID", type=record_number, help="the claim's number")
    outcome.add_argument("outcome", metavar="TEXT")
    outcome.add_argument("--staff", help="who dealt with it")
    outcome.add_argument("--json", action="store_true")
    outcome.set_defaults(run=cmd_warranties_outcome, field_labels=OUTCOME_LABELS)

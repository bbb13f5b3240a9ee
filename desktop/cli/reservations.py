"""Reservations from the command line: add, list, move on and show, by the reference on the slip."""

from __future__ import annotations

import sys
from typing import Any

from desktop.cli.arguments import record_ref
from desktop.cli.common import (
    fit,
    local_time,
    print_json,
    shop_session,
    staff_name,
    stamp,
)
from desktop.services import reservations as reservation_service
from desktop.services.loyalty import customer_from_ref
from desktop.services.money import format_money
from desktop.services.phones import display_phone
from desktop.services.shop import shop_settings

FIELD_LABELS = {
    "customer": "--customer",
    "item": "--item",
    "quantity": "--quantity",
    "deposit": "--deposit",
    "expected_on": "--expected",
    "notes": "--notes",
    "staff": "--staff",
}
MOVES = ("ready", "collected", "cancelled")
EMPTY = {
    "due_this_week": "No open reservation is due this week.",
    "ready": "No reservation is ready and waiting.",
    "overdue": "No reservation is overdue.",
    "open": "No open reservations.",
    "customer": "This customer has no reservations.",
}


def _record(summary: reservation_service.ReservationSummary, shop) -> dict[str, Any]:
    return {
        "id": summary.id,
        "reference": summary.reference,
        "reference_display": summary.reference_display,
        "customer_id": summary.customer_id,
        "customer_name": summary.customer_name,
        "customer_phone": summary.customer_phone or None,
        "item": summary.item,
        "quantity": summary.quantity,
        "deposit_cents": summary.deposit_cents,
        "deposit": format_money(summary.deposit_cents, shop.currency, shop.region),
        "expected_on": summary.expected_on.isoformat(),
        "notes": summary.notes,
        "status": summary.status,
        "status_changed_at": stamp(summary.status_changed_at),
        "created_at": stamp(summary.created_at),
    }


def _history_record(status: str, changed_at, staff: str) -> dict[str, Any]:
    return {"status": status, "changed_at": stamp(changed_at), "staff": staff}


# reference 11, expected 10, status 9, customer 20, item 22, qty 3, deposit 12, two spaces between: 99 columns
_ROW = "{ref:<11}  {expected:<10}  {status:<9}  {customer}  {item}  {qty:>3}  {deposit:>12}"


def _print_table(records: list[dict[str, Any]]) -> None:
    print(_ROW.format(ref="Reference", expected="Expected", status="Status", customer=fit("Customer", 20),
                      item=fit("Item", 22), qty="Qty", deposit="Deposit").rstrip())
    for r in records:
        print(_ROW.format(ref=r["reference_display"], expected=r["expected_on"], status=r["status"],
                          customer=fit(r["customer_name"], 20), item=fit(r["item"], 22), qty=r["quantity"],
                          deposit=r["deposit"] if r["deposit_cents"] else "-").rstrip())


def cmd_reservations_add(args) -> int:
    staff = staff_name(args)
    with shop_session(args, write=True) as session:
        shop = shop_settings(session)
        customer = customer_from_ref(session, args.customer)
        form = reservation_service.NewReservation(
            customer_id=customer.id,
            item=args.item,
            quantity=args.quantity,
            deposit=args.deposit or "",
            expected_on=args.expected,
            notes=args.notes or "",
        )
        reservation = reservation_service.add_reservation(session, form, staff=staff)
        record = _record(reservation_service.reservation_summary(session, reservation.id), shop)
    if args.json:
        print_json(record)
    else:
        deposit = f", deposit {record['deposit']}" if record["deposit_cents"] else ""
        print(f"Reserved {record['quantity']} x {record['item']} for {record['customer_name']}, "
              f"expected {record['expected_on']}{deposit}.")
        print(f"Reference: {record['reference_display']}")
    return 0


def cmd_reservations_list(args) -> int:
    which = "customer" if args.customer else args.which
    with shop_session(args) as session:
        shop = shop_settings(session)
        if args.customer:
            customer = customer_from_ref(session, args.customer)
            found = reservation_service.customer_reservations(session, customer.id)
        else:
            found = reservation_service.reservation_list(session, which)
        records = [_record(s, shop) for s in found]
    if args.json:
        print_json(records)
    elif not records:
        print(EMPTY[which], file=sys.stderr)
    else:
        _print_table(records)
    return 0


def cmd_reservations_status(args) -> int:
    staff = staff_name(args)
    with shop_session(args, write=True) as session:
        shop = shop_settings(session)
        reservation = reservation_service.change_status(session, args.reference, args.status, staff=staff)
        record = _record(reservation_service.reservation_summary(session, reservation.id), shop)
    if args.json:
        print_json(record)
    else:
        print(f"{record['reference_display']} ({record['item']} for {record['customer_name']}) "
              f"is now {record['status']}.")
    return 0


def cmd_reservations_show(args) -> int:
    with shop_session(args) as session:
        shop = shop_settings(session)
        record = _record(reservation_service.reservation_summary(session, args.reference), shop)
        history = reservation_service.status_history(session, args.reference)
        record["history"] = [_history_record(*event) for event in history]
        phone = display_phone(record["customer_phone"], shop.region) if record["customer_phone"] else ""
    if args.json:
        print_json(record)
        return 0
    lines = [
        ("reference", record["reference_display"]),
        ("customer", f"{record['customer_name']} (customer #{record['customer_id']})"),
        ("phone", phone),
        ("item", record["item"]),
        ("quantity", record["quantity"]),
        ("deposit", record["deposit"] if record["deposit_cents"] else ""),
        ("expected", record["expected_on"]),
        ("status", record["status"]),
        ("notes", record["notes"]),
    ]
    for label, value in lines:
        if value not in (None, ""):
            print(f"{label:>10}: {value}")
    print("   history:")
    for status, changed_at, staff in history:
        by = f"  by {staff}" if staff else ""
        print(f"            {local_time(changed_at)}  {status}{by}")
    return 0


def add_commands(commands) -> None:
    reservations = commands.add_parser("reservations", help="items put aside or ordered for a customer")
    actions = reservations.add_subparsers(dest="reservations_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="a new reservation; prints the reference for the slip")
    add.add_argument("--customer", required=True, type=record_ref, help="customer number, UUID or card code")
    add.add_argument("--item", required=True, help="what is put aside or ordered")
    add.add_argument("--quantity", default="1", help="a whole number (default: 1)")
    add.add_argument("--deposit", help="amount paid now, e.g. 12,50 (default: none)")
    add.add_argument("--expected", required=True, help="when it is ready for collection: YYYY-MM-DD")
    add.add_argument("--notes")
    add.add_argument("--staff", help="who took the reservation")
    add.add_argument("--json", action="store_true")
    add.set_defaults(run=cmd_reservations_add, field_labels=FIELD_LABELS)

    listing = actions.add_parser("list", help="every open one (the default), due this week, ready, overdue, or one customer's")
    which = listing.add_mutually_exclusive_group()
    which.add_argument("--due-this-week", dest="which", action="store_const", const="due_this_week",
                       help="open, expected from today to six days on")
    which.add_argument("--ready", dest="which", action="store_const", const="ready", help="ready, not collected")
    which.add_argument("--overdue", dest="which", action="store_const", const="overdue",
                       help="open, and the expected date has passed")
    which.add_argument("--open", dest="which", action="store_const", const="open", help="every open reservation (the default)")
    which.add_argument("--customer", type=record_ref, help="one customer's (number, UUID or card code), newest first")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=cmd_reservations_list, which="open")

    status = actions.add_parser("status", help="move a reservation on: open -> ready -> collected, or cancelled")
    status.add_argument("reference", type=record_ref, help="the reference on the slip (or the reservation's number)")
    status.add_argument("status", choices=MOVES)
    status.add_argument("--staff", help="who made the change")
    status.add_argument("--json", action="store_true")
    status.set_defaults(run=cmd_reservations_status, field_labels=FIELD_LABELS)

    show = actions.add_parser("show", help="one reservation with its status history")
    show.add_argument("reference", type=record_ref, help="the reference on the slip (or the reservation's number)")
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=cmd_reservations_show)

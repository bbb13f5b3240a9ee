"""The phone-call log from the command line: log a call, list calls and follow-ups, mark one done."""

from __future__ import annotations

import sys
from typing import Any

from desktop.cli.arguments import record_number, record_ref
from desktop.cli.common import (
    fit,
    list_limit,
    local_time,
    print_json,
    shop_session,
    staff_name,
    stamp,
)
from desktop.models import PhoneCall
from desktop.services import phone_calls
from desktop.services.loyalty import customer_from_ref
from desktop.services.shop import shop_settings

FIELD_LABELS = {
    "reason": "--reason",
    "phone": "--phone",
    "customer": "--customer",
    "caller_name": "--name",
    "heard_from": "--heard-from",
    "notes": "--notes",
    "follow_up_on": "--follow-up",
    "follow_up": "follow-up",
    "staff": "--staff",
}


def _record(call: phone_calls.CallSummary, region: str) -> dict[str, Any]:
    return {
        "id": call.id,
        "called_at": stamp(call.called_at),
        "customer_id": call.customer_id,
        "customer_name": call.customer_name or None,
        "phone": call.phone or None,
        "phone_display": call.phone_display(region) or None,
        "reason": call.reason,
        "notes": call.notes,
        "follow_up_on": call.follow_up_on.isoformat() if call.follow_up_on else None,
        "follow_up_done_at": stamp(call.follow_up_done_at),
        "staff": call.staff,
    }


def _follow_up(record: dict[str, Any]) -> str:
    if not record["follow_up_on"]:
        return ""
    return f"done {record['follow_up_done_at'][:10]}" if record["follow_up_done_at"] else record["follow_up_on"]


# id 5, called 16, reason 12, caller 22, phone 20, follow-up 15, two spaces between: 100 columns
_ROW = "{id:>5}  {called:<16}  {reason}  {caller}  {phone}  {follow_up}"


def _print_table(records: list[dict[str, Any]], raw: list[phone_calls.CallSummary]) -> None:
    print(_ROW.format(id="#", called="Called", reason=fit("Reason", 12), caller=fit("Caller", 22),
                      phone=fit("Phone", 20), follow_up="Follow up").rstrip())
    for r, call in zip(records, raw):
        caller = r["customer_name"] or "(no name)"
        print(_ROW.format(id=r["id"], called=local_time(call.called_at), reason=fit(r["reason"], 12),
                          caller=fit(caller, 22), phone=fit(r["phone_display"] or "", 20),
                          follow_up=_follow_up(r)).rstrip())


def cmd_calls_log(args) -> int:
    staff = staff_name(args)
    with shop_session(args, write=True) as session:
        region = shop_settings(session).region
        customer_id = customer_from_ref(session, args.customer).id if args.customer else None
        known = phone_calls.callers_with_phone(session, args.phone or "", region) if customer_id is None else []
        form = phone_calls.CallLog(
            reason=args.reason,
            phone=args.phone or "",
            customer_id=customer_id,
            caller_name=args.name or "",
            heard_from=args.heard_from or "",
            notes=args.notes or "",
            follow_up_on=args.follow_up,
        )
        call = phone_calls.log_call(session, form, region, staff=staff)
        record = _record(phone_calls.call_summary(session, call.id), region)
        record["new_customer"] = customer_id is None and not known and call.customer_id is not None
    if args.json:
        print_json(record)
        return 0
    caller = record["customer_name"] or "a caller who left no name"
    if record["customer_id"] is not None:
        caller += f" (customer #{record['customer_id']}{', new' if record['new_customer'] else ''})"
    phone = f", {record['phone_display']}" if record["phone_display"] else ""
    print(f"Logged call #{record['id']}: {record['reason']} from {caller}{phone}.")
    if record["follow_up_on"]:
        print(f"Follow up on {record['follow_up_on']}.")
    return 0


def cmd_calls_list(args) -> int:
    limit = list_limit(args)
    with shop_session(args) as session:
        region = shop_settings(session).region
        customer_id = customer_from_ref(session, args.customer).id if args.customer else None
        if args.follow_ups:
            found = phone_calls.open_follow_ups(session, limit=limit if customer_id is None else 100_000)
            if customer_id is not None:
                found = [c for c in found if c.customer_id == customer_id][: limit]
        elif customer_id is not None:
            found = phone_calls.customer_calls(session, customer_id, limit=limit)
        else:
            found = phone_calls.recent_calls(session, limit=limit)
        records = [_record(c, region) for c in found]
    if args.json:
        print_json(records)
    elif not records:
        print("No follow-ups to do." if args.follow_ups else "No calls logged.", file=sys.stderr)
    else:
        _print_table(records, found)
    return 0


def cmd_calls_done(args) -> int:
    staff = staff_name(args)
    with shop_session(args, write=True) as session:
        region = shop_settings(session).region
        before = session.get(PhoneCall, args.call)
        already = before is not None and before.follow_up_done_at is not None
        call = phone_calls.complete_follow_up(session, args.call, staff=staff)
        record = _record(phone_calls.call_summary(session, call.id), region)
        done_at = local_time(call.follow_up_done_at)
    if args.json:
        print_json(record)
    elif already:
        print(f"The follow-up of call #{record['id']} was already done ({done_at}).")
    else:
        print(f"Follow-up of call #{record['id']} done.")
    return 0


def add_commands(commands) -> None:
    calls = commands.add_parser("calls", help="the phone-call log and its follow-ups")
    actions = calls.add_subparsers(dest="calls_command", metavar="ACTION", required=True)
    log = actions.add_parser("log", help="a call, tied to the caller when the number or --customer is known")
    log.add_argument("--reason", required=True, help="one of the shop's call reasons, e.g. Question")
    log.add_argument("--phone", help="the caller's number, any format")
    log.add_argument("--customer", type=record_ref, help="customer number, UUID or card code (wins over --phone)")
    log.add_argument("--name", help="a new caller's name: they are added as a customer with --phone")
    log.add_argument("--heard-from", help="a new caller's answer to how they heard of the shop")
    log.add_argument("--notes")
    log.add_argument("--follow-up", help="when to call back: YYYY-MM-DD")
    log.add_argument("--staff", help="who took the call")
    log.add_argument("--json", action="store_true")
    log.set_defaults(run=cmd_calls_log, field_labels=FIELD_LABELS)

    listing = actions.add_parser("list", help="recent calls, newest first, or the follow-ups still to do")
    listing.add_argument("--follow-ups", action="store_true", help="follow-ups not done yet, earliest first")
    listing.add_argument("--customer", type=record_ref, help="one customer's calls (number, UUID or card code)")
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=cmd_calls_list)

    done = actions.add_parser("done", help="a call's follow-up was done")
    done.add_argument("call", metavar="CALL_ID", type=record_number, help="the call's number")
    done.add_argument("--staff", help="who did it")
    done.add_argument("--json", action="store_true")
    done.set_defaults(run=cmd_calls_done, field_labels=FIELD_LABELS)

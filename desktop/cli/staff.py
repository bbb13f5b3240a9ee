"""Staff accounts and the audit trail from the command line (the owner: see desktop/cli/common.py for --as).

A new PIN is read from REGULARS_NEW_PIN (or, when no --as names someone whose own PIN
REGULARS_PIN is, from REGULARS_PIN) or typed twice on a terminal, never taken as an option:
options end up in the shell's history and in the process list.
"""

from __future__ import annotations

import getpass
import os
import sys
from datetime import datetime, time, timedelta, timezone

from desktop.cli.arguments import record_ref
from desktop.cli.common import PIN_ENV, CommandFailed, fit, list_limit, local_time, print_json, shop_session, stamp
from desktop.errors import InvalidInput, Problem
from desktop.services import audit, staff
from desktop.services.dates import parse_date

NEW_PIN_ENV = "REGULARS_NEW_PIN"
FIELD_LABELS = {"name": "NAME", "role": "--role", "pin": "the new PIN", "active": "the account"}


def _new_pin(args) -> str:
    value = os.environ.get(NEW_PIN_ENV)
    if value is None and args.acting_as is None:  # under --as, REGULARS_PIN is the acting person's own
        value = os.environ.get(PIN_ENV)
    if value is not None:
        return value
    if not sys.stdin or not sys.stdin.isatty():
        raise CommandFailed(f"No new PIN: set {NEW_PIN_ENV} or run on a terminal.")
    pin = getpass.getpass("New PIN: ")
    if getpass.getpass("Same PIN again: ") != pin:
        raise CommandFailed("The two PINs differ; nothing was changed.")
    return pin


def _member_json(member: staff.StaffSummary) -> dict:
    return {"id": member.id, "uuid": member.uuid, "name": member.name, "role": member.role,
            "active": member.active, "locked_until": stamp(member.locked_until)}  # fmt: skip


def cmd_staff_list(args) -> int:
    with shop_session(args) as session:
        members = staff.list_staff(session, include_inactive=True)
    if args.json:
        print_json([_member_json(member) for member in members])
        return 0
    if not members:
        print("No staff accounts yet: whoever has the passphrase works as the owner.")
    for member in members:
        state = "" if member.active else "turned off"
        if member.locked_until is not None and member.locked_until > datetime.now(timezone.utc).replace(tzinfo=None):
            state = f"locked until {local_time(member.locked_until)}"
        print(f"{member.id:>4}  {fit(member.name, 24)}  {fit(member.role, 8)}  {state}".rstrip())
    return 0


def cmd_staff_add(args) -> int:
    pin = _new_pin(args)
    with shop_session(args, write=True) as session:
        member = staff.add_staff(session, args.name, args.role, pin)
    if args.json:
        print_json(_member_json(member))
    else:
        print(f"Added {member.name} ({member.role}), staff #{member.id}.")
    return 0


def _change(args, **change) -> int:
    with shop_session(args, write=True) as session:
        member = staff.change_staff(session, args.staff_member, **change)
    if args.json:
        print_json(_member_json(member))
    else:
        print(f"{member.name}: {member.role}, {'active' if member.active else 'turned off'}.")
    return 0


def cmd_staff_set_pin(args) -> int:
    return _change(args, pin=_new_pin(args))


def cmd_staff_set_role(args) -> int:
    return _change(args, role=args.role)


def cmd_staff_turn_off(args) -> int:
    return _change(args, active=False)


def cmd_staff_turn_on(args) -> int:
    return _change(args, active=True)


def _day_start(text: str | None, option: str, *, days_after: int = 0) -> datetime | None:
    """Local midnight of the day typed (plus days_after), in stored (naive UTC) time."""
    if not text:
        return None
    day = parse_date(text)
    if isinstance(day, Problem):
        raise InvalidInput({option: day})
    local = datetime.combine(day + timedelta(days=days_after), time()).astimezone()
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def cmd_audit_list(args) -> int:
    since = _day_start(args.since, "--since")
    until = _day_start(args.until, "--until", days_after=1)  # up to and including that day
    wanted = audit.AuditFilter(action=args.action or "", staff=args.staff or "", since=since, until=until)
    with shop_session(args) as session:
        entries = audit.list_entries(session, wanted, limit=list_limit(args))
        rows = [
            {"entry": e.id, "at": stamp(e.at), "staff": e.staff_name, "role": e.role, "action": e.action,
             "subject_kind": e.subject_kind, "subject_uuid": e.subject_uuid, "details": e.details}
            for e in entries
        ]  # fmt: skip
    if args.json:
        print_json(rows)
        return 0
    for row, entry in zip(rows, entries):
        who = row["staff"] or ("passphrase" if row["role"] else "")
        subject = f"{row['subject_kind']} {row['subject_uuid'][:8]}".strip()
        print(f"#{row['entry']:<6} {local_time(entry.at)}  {fit(who, 16)}  {fit(row['action'], 22)}  "
              f"{fit(subject, 24)}  {row['details']}".rstrip())  # fmt: skip
    return 0


def cmd_audit_verify(args) -> int:
    with shop_session(args) as session:
        check = audit.verify_chain(session)
    if args.json:
        print_json({"entries": check.entries, "intact": check.intact, "broken_at": check.broken_at,
                    "reason": check.reason})  # fmt: skip
    elif check.intact:
        print(f"The audit trail is intact: {check.entries} entries, each chained to the one before.")
    else:
        print(f"The audit trail was tampered with: the chain breaks at entry #{check.broken_at}.")
    return 0 if check.intact else 1


def add_commands(commands) -> None:
    team = commands.add_parser("staff", help="staff accounts: who works the till, with which role and PIN")
    actions = team.add_subparsers(dest="staff_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="everyone, with role and state")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=cmd_staff_list)

    add = actions.add_parser("add", help=f"a new account; the PIN comes from {NEW_PIN_ENV} or is typed twice")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=("owner", "manager", "cashier"))
    add.add_argument("--json", action="store_true")
    add.set_defaults(run=cmd_staff_add, field_labels=FIELD_LABELS)

    for name, run, text in (
        ("set-pin", cmd_staff_set_pin, f"a new PIN ({NEW_PIN_ENV} or typed twice); it also lifts a lock"),
        ("set-role", cmd_staff_set_role, "a new role"),
        ("turn-off", cmd_staff_turn_off, "the account can no longer sign in"),
        ("turn-on", cmd_staff_turn_on, "the account can sign in again"),
    ):
        change = actions.add_parser(name, help=text)
        change.add_argument("staff_member", metavar="STAFF", type=record_ref, help="the staff member's number or name")
        if name == "set-role":
            change.add_argument("role", choices=("owner", "manager", "cashier"))
        change.add_argument("--json", action="store_true")
        change.set_defaults(run=run, field_labels=FIELD_LABELS)

    trail = commands.add_parser("audit", help="the audit trail: who did what, and a check that nobody edited it")
    audit_actions = trail.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    listing = audit_actions.add_parser("list", help="entries, newest first")
    listing.add_argument("--action", choices=audit.ACTIONS)
    listing.add_argument("--staff", help="one staff member's name")
    listing.add_argument("--since", help="from this day (YYYY-MM-DD)")
    listing.add_argument("--until", help="up to and including this day")
    listing.add_argument("--limit", type=int, default=100)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=cmd_audit_list)
    verify = audit_actions.add_parser("verify", help="recompute the hash chain; exit status 1 if it is broken")
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(run=cmd_audit_verify)

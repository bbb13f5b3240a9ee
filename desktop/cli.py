"""The command line: the same services as the app, for scripts and the back office.

Errors go to stderr with exit status 1 and nothing is written; usage errors exit 2.
`regulars` with no command opens the app.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable

from desktop.db.engine import ShopDatabase, open_shop_file, open_shop_file_with_recovery_key, verify_shop_file
from desktop.db.instance_lock import InstanceLock
from desktop.db.key_changes import new_recovery_key, rotate_key
from desktop.db.key_file import ORIGIN_LEGACY, key_file_path, read_key_file
from desktop.db.unlock import Secret, read_header, recovery_key_from_text
from desktop.errors import DuplicateCustomer, InvalidInput, RegularsError
from desktop.paths import default_shop_path
from desktop.services import card_codes, loyalty
from desktop.services import customers as customer_service
from desktop.services.demo import add_demo_customers, add_demo_loyalty
from desktop.services.lookup import CustomerMatch, find_customers, query_problem
from desktop.services.phones import display_phone
from desktop.services.shop import (
    ShopSettings,
    change_shop_passphrase,
    check_new_passphrase,
    check_settings,
    create_shop,
    shop_settings,
)

PASSPHRASE_ENV = "REGULARS_PASSPHRASE"
NEW_PASSPHRASE_ENV = "REGULARS_NEW_PASSPHRASE"
RECOVERY_KEY_ENV = "REGULARS_RECOVERY_KEY"
KEEP_IT_SAFE = (
    "Print it or write it down now and keep it in a safe: it unlocks the shop if the passphrase is "
    "forgotten, and it is not shown again. Any earlier recovery key no longer works."
)


class CommandFailed(Exception):
    """A message for stderr and exit status 1."""


def _passphrase(*, confirm: bool = False) -> str:
    value = os.environ.get(PASSPHRASE_ENV)
    if value is not None:
        return value
    if not sys.stdin or not sys.stdin.isatty():
        raise CommandFailed(f"No passphrase: set {PASSPHRASE_ENV} or run on a terminal.")
    value = getpass.getpass("Shop passphrase: ")
    if confirm and getpass.getpass("Same passphrase again: ") != value:
        raise CommandFailed("The two passphrases differ; nothing was created.")
    return value


def _with_recovery_key(args) -> bool:
    """Unlock with the recovery key: --recovery-key, or REGULARS_RECOVERY_KEY set."""
    return args.recovery_key or os.environ.get(RECOVERY_KEY_ENV) is not None


def _recovery_key_text() -> str:
    value = os.environ.get(RECOVERY_KEY_ENV)
    if value is not None:
        return value
    if not sys.stdin or not sys.stdin.isatty():
        raise CommandFailed(f"No recovery key: set {RECOVERY_KEY_ENV} or run on a terminal.")
    return getpass.getpass("Recovery key: ")


def _unlocking_secret(args) -> Secret:
    """The passphrase, or the recovery key when asked to use it."""
    if _with_recovery_key(args):
        return recovery_key_from_text(args.db, _recovery_key_text())
    return _passphrase()


def _open(args) -> ShopDatabase:
    if _with_recovery_key(args):
        return open_shop_file_with_recovery_key(args.db, _recovery_key_text())
    return open_shop_file(args.db, _passphrase())


def _print_recovery_key(recovery_key: str) -> None:
    print(f"\n    {recovery_key}\n")
    print(KEEP_IT_SAFE)


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2, default=str))


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


def cmd_init(args) -> int:
    settings = check_settings(
        ShopSettings(name=args.shop_name, region=args.region, currency=args.currency or "", paper_size=args.paper or "")
    )
    if Path(args.db).exists():
        raise CommandFailed(f"A file already exists at {args.db}; nothing was changed.")
    passphrase = _passphrase(confirm=True)
    check_new_passphrase(passphrase)
    create_shop(args.db, passphrase, settings).close()
    print(f"Created shop {settings.name!r} ({settings.region}, {settings.currency}) at {args.db}")
    print(f"Its key file is {key_file_path(args.db)}: back up both files together.")
    print(f"Next, print a recovery key to keep in a safe: regulars --db {args.db} recovery-key new")
    return 0


def cmd_demo(args) -> int:
    if args.customers < 0:
        raise CommandFailed("--customers must be zero or more.")
    if Path(args.db).exists():
        database = _open(args)
    else:
        passphrase = _passphrase(confirm=True)
        check_new_passphrase(passphrase)
        database = create_shop(args.db, passphrase, ShopSettings(name=args.shop_name, region=args.region))
    with database.writing() as session:
        region = shop_settings(session).region
        result = add_demo_customers(session, region, args.customers, seed=args.seed)
        if not loyalty.list_programs(session, include_ended=True):
            add_demo_loyalty(session, seed=args.seed)
    database.close()
    print(f"Added {result.customers} demo customers to {args.db}")
    return 0


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
    database = _open(args)
    try:
        with database.writing() as session:
            region = shop_settings(session).region
            customer = customer_service.add_customer(
                session, _details_from(args), region, allow_duplicate=args.allow_duplicate
            )
            record = _customer_record(customer, region)
    except DuplicateCustomer as exc:
        raise CommandFailed(f"{exc} Use --allow-duplicate to add a new customer anyway.") from exc
    finally:
        database.close()
    if args.json:
        _print_json(record)
    else:
        print(f"Added customer #{record['id']}: {record['first_name']} {record['last_name']}".rstrip())
    return 0


def cmd_customers_find(args) -> int:
    if args.limit < 1:
        raise CommandFailed("--limit must be at least 1.")
    database = _open(args)
    try:
        with database.reading() as session:
            region = shop_settings(session).region
            matches = find_customers(session, args.query, region, limit=args.limit)
    finally:
        database.close()
    if args.json:
        _print_json([_match_record(m) for m in matches])
    elif not matches:
        problem = query_problem(args.query)
        print(problem.text() if problem else "No customer found.", file=sys.stderr)
    else:
        for m in matches:
            print(f"{m.id:>8}  {m.full_name:<32}  {m.phone_display:<20}  {m.email}")
    return 0


def cmd_customers_show(args) -> int:
    database = _open(args)
    try:
        with database.reading() as session:
            region = shop_settings(session).region
            record = _customer_record(customer_service.get_customer(session, args.id), region)
    finally:
        database.close()
    if args.json:
        _print_json(record)
    else:
        for key, value in record.items():
            if key == "phones":
                value = ", ".join(p["display"] for p in value)
            if value not in (None, ""):
                print(f"{key.replace('_', ' '):>18}: {value}")
    return 0


def cmd_check(args) -> int:
    database = _open(args)
    try:
        problems = verify_shop_file(database)
    finally:
        database.close()
    if problems:
        raise CommandFailed(f"{args.db} is damaged: " + "; ".join(problems[:10]))
    print(f"{args.db}: encryption and structure check ok")
    return 0


def _new_passphrase() -> str:
    value = os.environ.get(NEW_PASSPHRASE_ENV)
    if value is not None:
        check_new_passphrase(value)
        return value
    if not sys.stdin or not sys.stdin.isatty():
        raise CommandFailed(f"No new passphrase: set {NEW_PASSPHRASE_ENV} or run on a terminal.")
    value = getpass.getpass("New passphrase: ")
    check_new_passphrase(value)
    check_new_passphrase(value, getpass.getpass("Same new passphrase again: "))
    return value


def cmd_passphrase_change(args) -> int:
    old = _unlocking_secret(args)
    new = _new_passphrase()
    if old == new:
        raise CommandFailed("That is the current passphrase; nothing was changed.")
    change_shop_passphrase(args.db, old, new)
    print(f"Changed the passphrase of {args.db}. A recovery key, if printed, still works.")
    if read_key_file(key_file_path(args.db)).key_origin == ORIGIN_LEGACY:
        print(
            "This shop file is still encrypted under a key made from its first passphrase, which opens it "
            "without the key file: run `regulars key rotate` so that passphrase stops working."
        )
    return 0


def cmd_recovery_key_new(args) -> int:
    recovery_key = new_recovery_key(args.db, _unlocking_secret(args))
    print(f"New recovery key for {args.db}:")
    _print_recovery_key(recovery_key)
    return 0


def cmd_key_rotate(args) -> int:
    if _with_recovery_key(args):
        raise CommandFailed(
            "Rotating the key needs the passphrase. If it is forgotten, set a new one first: "
            "regulars --recovery-key passphrase change"
        )
    passphrase = _passphrase()
    read_header(Path(args.db))  # a missing or foreign file is named before anything else happens
    with InstanceLock(Path(args.db)):  # the app must not have the file open while it is re-encrypted
        recovery_key = rotate_key(args.db, passphrase)
    print(
        f"Re-encrypted {args.db} under a new key. Old copies of its key file, old passphrases and the old "
        "recovery key no longer open it: back up the shop file and its key file together now."
    )
    print("New recovery key:")
    _print_recovery_key(recovery_key)
    return 0


def _balance_record(balance: loyalty.Balance) -> dict[str, Any]:
    return {
        "program": balance.program,
        "kind": balance.kind,
        "status": balance.status,
        "balance": balance.balance,
        "reward_at": balance.reward_at,
        "rewards_due": balance.rewards_due,
        "reward": balance.reward_description,
    }


def _print_balance(balance: loyalty.Balance, as_json: bool) -> None:
    if as_json:
        _print_json(_balance_record(balance))
        return
    due = f"  REWARD DUE: {balance.reward_description} (x{balance.rewards_due})" if balance.rewards_due else ""
    print(f"{balance.program}: {balance.balance} of {balance.reward_at} {balance.kind}{due}")


def cmd_programs_add(args) -> int:
    settings = loyalty.ProgramSettings(
        name=args.name,
        kind="points" if args.points_per_unit is not None else "stamps",
        reward_at=args.reward_at,
        reward_description=args.reward,
        spend_per_stamp=args.spend_per_stamp,
        points_per_unit=args.points_per_unit,
    )
    database = _open(args)
    try:
        with database.writing() as session:
            program = loyalty.add_program(session, settings)
    finally:
        database.close()
    print(f"Added {program.kind} programme {program.name!r}: reward at {program.reward_at}.")
    return 0


def cmd_programs_list(args) -> int:
    database = _open(args)
    try:
        with database.reading() as session:
            programs = [
                {"id": p.id, "name": p.name, "kind": p.kind, "reward_at": p.reward_at,
                 "reward": p.reward_description, "status": p.status}
                for p in loyalty.list_programs(session, include_ended=True)
            ]
    finally:
        database.close()
    if args.json:
        _print_json(programs)
    else:
        for p in programs:
            print(f"{p['id']:>4}  {p['name']:<24} {p['kind']:<7} reward at {p['reward_at']:<6} {p['status']}")
    return 0


def cmd_programs_status(args) -> int:
    status = {"pause": "paused", "resume": "active", "end": "ended"}[args.action]
    database = _open(args)
    try:
        with database.writing() as session:
            program = loyalty.set_program_status(session, args.program, status)
    finally:
        database.close()
    print(f"{program.name} is now {program.status}; balances are kept.")
    return 0


def _loyalty_action(args, act: Callable[[Any, int], loyalty.Balance]) -> int:
    database = _open(args)
    try:
        with database.writing() as session:
            customer = loyalty.customer_from_ref(session, args.customer)
            balance = act(session, customer.id)
    finally:
        database.close()
    _print_balance(balance, args.json)
    return 0


def cmd_loyalty_stamp(args) -> int:
    return _loyalty_action(args, lambda session, cid: loyalty.earn(session, cid, args.program, args.purchase))


def cmd_loyalty_redeem(args) -> int:
    if not args.yes:
        if not sys.stdin or not sys.stdin.isatty():
            raise CommandFailed("Redeeming needs confirmation: add --yes.")
        if input(f"Redeem one reward on {args.program} for {args.customer}? [y/N] ").strip().lower() not in ("y", "yes"):
            raise CommandFailed("Not redeemed.")
    return _loyalty_action(args, lambda session, cid: loyalty.redeem(session, cid, args.program))


def cmd_loyalty_adjust(args) -> int:
    return _loyalty_action(args, lambda session, cid: loyalty.adjust(session, cid, args.program, args.amount, args.reason))


def cmd_loyalty_balance(args) -> int:
    database = _open(args)
    try:
        with database.reading() as session:
            customer = loyalty.customer_from_ref(session, args.customer)
            found = loyalty.balances(session, customer.id)
    finally:
        database.close()
    if args.json:
        _print_json([_balance_record(b) for b in found])
    elif not found:
        print("No loyalty programmes yet.", file=sys.stderr)
    for balance in [] if args.json else found:
        _print_balance(balance, False)
    return 0


def cmd_loyalty_card(args) -> int:
    database = _open(args)
    try:
        with database.writing() as session:
            customer = loyalty.customer_from_ref(session, args.customer)
            card = loyalty.replace_card(session, customer.id) if args.replace else loyalty.card_for(session, customer.id)
            record = {"customer_id": customer.id, "code": card.code, "display": card_codes.display(card.code)}
    finally:
        database.close()
    if args.json:
        _print_json(record)
    else:
        print(f"{record['display']}  ({record['code']})")
    return 0


def cmd_print_cards(args) -> int:
    from desktop.printing.loyalty_cards import render_cards

    if not (args.customer or args.all or args.without_card):
        raise CommandFailed("Say whose cards to print: --customer ID (repeatable), --without-card or --all.")
    database = _open(args)
    try:
        with database.writing() as session:
            shop = shop_settings(session)
            if args.customer:
                ids = [loyalty.customer_from_ref(session, ref).id for ref in args.customer]
            elif args.without_card:
                ids = loyalty.customers_without_card(session)
            else:
                ids = loyalty.all_customer_ids(session)
            if not ids:
                raise CommandFailed("Nobody to print a card for.")
            faces = loyalty.card_faces(session, ids, shop.name, args.program)
            pages = render_cards(faces, args.out, layout=args.layout, paper_size=shop.paper_size)
    finally:
        database.close()
    print(f"Wrote {len(faces)} card(s) on {pages} page(s) to {args.out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="regulars", description="Regulars: the customer book beside the till.")
    parser.add_argument("--db", type=Path, default=default_shop_path(), help="shop file (default: %(default)s)")
    parser.add_argument(
        "--recovery-key",
        action="store_true",
        help=f"unlock with the recovery key ({RECOVERY_KEY_ENV} or a prompt) instead of the passphrase",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    init = commands.add_parser("init", help="create a new, encrypted shop file")
    init.add_argument("--shop-name", required=True)
    init.add_argument("--region", required=True, help="two-letter country code, e.g. BR, PT, GR, NL")
    init.add_argument("--currency", help="ISO 4217 code (default: the region's)")
    init.add_argument("--paper", choices=["A4", "Letter"], help="paper size (default: the region's)")
    init.set_defaults(run=cmd_init)

    demo = commands.add_parser("demo", help="fill a shop (new or existing) with realistic fake customers")
    demo.add_argument("--customers", type=int, default=500)
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--shop-name", default="Padaria Demo", help="name of a new demo shop")
    demo.add_argument("--region", default="BR", help="region of a new demo shop")
    demo.set_defaults(run=cmd_demo)

    check = commands.add_parser("check", help="verify the shop file's encryption and structure")
    check.set_defaults(run=cmd_check)

    passphrase = commands.add_parser("passphrase", help="change the shop's passphrase")
    passphrase_commands = passphrase.add_subparsers(dest="passphrase_command", metavar="ACTION", required=True)
    change = passphrase_commands.add_parser(
        "change", help=f"new passphrase from {NEW_PASSPHRASE_ENV} or asked twice; the recovery key is kept"
    )
    change.set_defaults(run=cmd_passphrase_change)

    recovery = commands.add_parser("recovery-key", help="the printed key that unlocks the shop without the passphrase")
    recovery_commands = recovery.add_subparsers(dest="recovery_command", metavar="ACTION", required=True)
    recovery_new = recovery_commands.add_parser("new", help="make a new recovery key and print it once")
    recovery_new.set_defaults(run=cmd_recovery_key_new)

    key = commands.add_parser("key", help="the shop file's encryption key")
    key_commands = key.add_subparsers(dest="key_command", metavar="ACTION", required=True)
    rotate = key_commands.add_parser("rotate", help="re-encrypt the file under a new key; prints a new recovery key")
    rotate.set_defaults(run=cmd_key_rotate)

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

    show = customer_commands.add_parser("show", help="everything about one customer")
    show.add_argument("id", help="customer number or UUID")
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=cmd_customers_show)

    loyalty_parser = commands.add_parser("loyalty", help="stamp cards and points")
    loyalty_commands = loyalty_parser.add_subparsers(dest="loyalty_command", metavar="ACTION", required=True)
    programs = loyalty_commands.add_parser("programs", help="add, list, pause, resume or end programmes")
    program_commands = programs.add_subparsers(dest="programs_command", metavar="ACTION", required=True)
    program_add = program_commands.add_parser("add", help="a stamp card (default) or, with --points-per-unit, points")
    program_add.add_argument("--name", required=True)
    program_add.add_argument("--reward-at", required=True, help="stamps or points that make one reward")
    program_add.add_argument("--reward", required=True, help='what the reward is, e.g. "Free coffee"')
    program_add.add_argument("--spend-per-stamp", help="stamps: one stamp per this amount spent (default: per purchase)")
    program_add.add_argument("--points-per-unit", help="points earned per currency unit spent (makes a points programme)")
    program_add.set_defaults(run=cmd_programs_add)
    program_list = program_commands.add_parser("list")
    program_list.add_argument("--json", action="store_true")
    program_list.set_defaults(run=cmd_programs_list)
    for action in ("pause", "resume", "end"):
        change = program_commands.add_parser(action, help=f"{action} a programme (balances are kept)")
        change.add_argument("program", help="name or number")
        change.set_defaults(run=cmd_programs_status, action=action)

    def customer_action(name: str, help_text: str, run):
        command = loyalty_commands.add_parser(name, help=help_text)
        command.add_argument("customer", help="customer number, UUID or card code")
        command.add_argument("--program", required=True, help="programme name or number")
        command.add_argument("--json", action="store_true")
        command.set_defaults(run=run)
        return command

    stamp = customer_action("stamp", "a stamp, or points for --purchase", cmd_loyalty_stamp)
    stamp.add_argument("--purchase", help="amount spent, e.g. 12,50")
    redeem = customer_action("redeem", "one reward (asks to confirm)", cmd_loyalty_redeem)
    redeem.add_argument("--yes", action="store_true", help="confirm without asking")
    adjust = customer_action("adjust", "correct a balance by hand, with a reason", cmd_loyalty_adjust)
    adjust.add_argument("--amount", required=True, help="e.g. 2 or -1")
    adjust.add_argument("--reason", required=True)
    balance = loyalty_commands.add_parser("balance", help="a customer's balances")
    balance.add_argument("customer", help="customer number, UUID or card code")
    balance.add_argument("--json", action="store_true")
    balance.set_defaults(run=cmd_loyalty_balance)
    card = loyalty_commands.add_parser("card", help="a customer's card code (issued if needed)")
    card.add_argument("customer", help="customer number, UUID or card code")
    card.add_argument("--replace", action="store_true", help="a lost card: the old code stops working")
    card.add_argument("--json", action="store_true")
    card.set_defaults(run=cmd_loyalty_card)

    printing = commands.add_parser("print", help="print documents")
    print_commands = printing.add_subparsers(dest="print_command", metavar="DOCUMENT", required=True)
    cards = print_commands.add_parser("cards", help="loyalty cards as a PDF")
    cards.add_argument("--out", required=True, type=Path)
    whose = cards.add_mutually_exclusive_group()
    whose.add_argument("--customer", action="append", help="customer number, UUID or card code; repeatable")
    whose.add_argument("--without-card", action="store_true", help="everyone who has no card yet")
    whose.add_argument("--all", action="store_true", help="every customer")
    cards.add_argument("--layout", choices=["sheet", "single"], default="sheet",
                       help="sheet: 10 per page with cut marks; single: one card per page for a card printer")
    cards.add_argument("--program", help="the stamp programme whose boxes to print (default: the first)")
    cards.set_defaults(run=cmd_print_cards)
    return parser


def _run(run: Callable[[Any], int], args) -> int:
    try:
        return run(args)
    except InvalidInput as exc:
        print(f"regulars: {exc.describe()}", file=sys.stderr)
    except (RegularsError, CommandFailed) as exc:
        print(f"regulars: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        print("regulars: interrupted; nothing more was written.", file=sys.stderr)
    except Exception as exc:  # no traceback, and no message that might hold personal data
        print(f"regulars: unexpected {type(exc).__name__}; nothing was written.", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        from desktop.ui.app import run_app

        return run_app(args.db)
    return _run(args.run, args)


if __name__ == "__main__":
    raise SystemExit(main())

"""Loyalty from the command line: programmes, stamps, rewards, balances and card codes."""

from __future__ import annotations

import sys
from typing import Any, Callable

from desktop.cli.arguments import record_ref
from desktop.cli.common import CommandFailed, print_json, shop_session
from desktop.services import card_codes, loyalty

FIELD_LABELS = {
    "name": "--name",
    "reward_at": "--reward-at",
    "reward_description": "--reward",
    "spend_per_stamp": "--spend-per-stamp",
    "points_per_unit": "--points-per-unit",
    "purchase": "--purchase",
    "amount": "--amount",
    "reason": "--reason",
}


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
        print_json(_balance_record(balance))
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
    with shop_session(args, write=True) as session:
        program = loyalty.add_program(session, settings)
    print(f"Added {program.kind} programme {program.name!r}: reward at {program.reward_at}.")
    return 0


def cmd_programs_list(args) -> int:
    with shop_session(args) as session:
        programs = [
            {"id": p.id, "name": p.name, "kind": p.kind, "reward_at": p.reward_at,
             "reward": p.reward_description, "status": p.status}
            for p in loyalty.list_programs(session, include_ended=True)
        ]
    if args.json:
        print_json(programs)
    else:
        for p in programs:
            print(f"{p['id']:>4}  {p['name']:<24} {p['kind']:<7} reward at {p['reward_at']:<6} {p['status']}")
    return 0


def cmd_programs_status(args) -> int:
    status = {"pause": "paused", "resume": "active", "end": "ended"}[args.action]
    with shop_session(args, write=True) as session:
        program = loyalty.set_program_status(session, args.program, status)
    print(f"{program.name} is now {program.status}; balances are kept.")
    return 0


def _loyalty_action(args, act: Callable[[Any, int], loyalty.Balance]) -> int:
    with shop_session(args, write=True) as session:
        customer = loyalty.customer_from_ref(session, args.customer)
        balance = act(session, customer.id)
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
    with shop_session(args) as session:
        customer = loyalty.customer_from_ref(session, args.customer)
        found = loyalty.balances(session, customer.id)
    if args.json:
        print_json([_balance_record(b) for b in found])
    elif not found:
        print("No loyalty programmes yet.", file=sys.stderr)
    for balance in [] if args.json else found:
        _print_balance(balance, False)
    return 0


def cmd_loyalty_card(args) -> int:
    with shop_session(args, write=True) as session:
        customer = loyalty.customer_from_ref(session, args.customer)
        card = loyalty.replace_card(session, customer.id) if args.replace else loyalty.card_for(session, customer.id)
        record = {"customer_id": customer.id, "code": card.code, "display": card_codes.display(card.code)}
    if args.json:
        print_json(record)
    else:
        print(f"{record['display']}  ({record['code']})")
    return 0



def add_commands(commands) -> None:
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
    program_add.set_defaults(run=cmd_programs_add, field_labels=FIELD_LABELS)
    program_list = program_commands.add_parser("list")
    program_list.add_argument("--json", action="store_true")
    program_list.set_defaults(run=cmd_programs_list)
    for action in ("pause", "resume", "end"):
        change = program_commands.add_parser(action, help=f"{action} a programme (balances are kept)")
        change.add_argument("program", type=record_ref, help="name or number")
        change.set_defaults(run=cmd_programs_status, action=action)

    def customer_action(name: str, help_text: str, run):
        command = loyalty_commands.add_parser(name, help=help_text)
        command.add_argument("customer", type=record_ref, help="customer number, UUID or card code")
        command.add_argument("--program", required=True, type=record_ref, help="programme name or number")
        command.add_argument("--json", action="store_true")
        command.set_defaults(run=run, field_labels=FIELD_LABELS)
        return command

    stamp = customer_action("stamp", "a stamp, or points for --purchase", cmd_loyalty_stamp)
    stamp.add_argument("--purchase", help="amount spent, e.g. 12,50")
    redeem = customer_action("redeem", "one reward (asks to confirm)", cmd_loyalty_redeem)
    redeem.add_argument("--yes", action="store_true", help="confirm without asking")
    adjust = customer_action("adjust", "correct a balance by hand, with a reason", cmd_loyalty_adjust)
    adjust.add_argument("--amount", required=True, help="e.g. 2 or -1")
    adjust.add_argument("--reason", required=True)
    balance = loyalty_commands.add_parser("balance", help="a customer's balances")
    balance.add_argument("customer", type=record_ref, help="customer number, UUID or card code")
    balance.add_argument("--json", action="store_true")
    balance.set_defaults(run=cmd_loyalty_balance, field_labels=FIELD_LABELS)
    card = loyalty_commands.add_parser("card", help="a customer's card code (issued if needed)")
    card.add_argument("customer", type=record_ref, help="customer number, UUID or card code")
    card.add_argument("--replace", action="store_true", help="a lost card: the old code stops working")
    card.add_argument("--json", action="store_true")
    card.set_defaults(run=cmd_loyalty_card)

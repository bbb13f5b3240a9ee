"""Printing from the command line: loyalty cards and paper forms as PDFs."""

from __future__ import annotations

from pathlib import Path

from desktop.cli.common import CommandFailed, open_shop
from desktop.services import loyalty
from desktop.services.shop import shop_settings


def cmd_print_cards(args) -> int:
    from desktop.printing.loyalty_cards import render_cards

    if not (args.customer or args.all or args.without_card):
        raise CommandFailed("Say whose cards to print: --customer ID (repeatable), --without-card or --all.")
    database = open_shop(args)
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



def add_commands(commands) -> None:
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

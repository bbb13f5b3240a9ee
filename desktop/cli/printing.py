"""Printing from the command line: loyalty cards, paper forms, reservation slips and warranty certificates as PDFs."""

from __future__ import annotations

import io

from desktop.cli.arguments import record_ref
from desktop.cli.common import OUT_LABEL, CommandFailed, add_output_options, shop_session
from desktop.output_files import check_output, write_output
from desktop.services import loyalty
from desktop.services.shop import sheet_paper, shop_settings

# desktop.printing.paper_forms.FORM_KINDS, repeated so that building the parser loads no printing code
FORM_KINDS = ("signup", "reservation", "warranty", "inquiry")


def cmd_print_cards(args) -> int:
    from desktop.printing.loyalty_cards import render_cards

    if not (args.customer or args.all or args.without_card):
        raise CommandFailed("Say whose cards to print: --customer ID (repeatable), --without-card or --all.")
    check_output(args.out, shop=args.db, replace=args.force)
    with shop_session(args, write=True) as session:
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
        buffer = io.BytesIO()
        pages = render_cards(faces, buffer, layout=args.layout, paper_size=sheet_paper(shop.paper_size, shop.region))
        write_output(args.out, buffer.getvalue(), shop=args.db, replace=args.force)  # before the cards are kept
    print(f"Wrote {len(faces)} card(s) on {pages} page(s) to {args.out}")
    return 0


def _print_document(args, render, what: str) -> int:
    """Renders one document into memory, then writes the file: a refusal leaves no file and no audit entry."""
    buffer = io.BytesIO()
    check_output(args.out, shop=args.db, replace=args.force)  # a refused path costs no rendering
    with shop_session(args, write=True) as session:  # "printed" enters the audit trail only with the file
        pages = render(session, buffer)
        write_output(args.out, buffer.getvalue(), shop=args.db, replace=args.force)
    print(f"Wrote {what} ({pages} page(s)) to {args.out}")
    return 0


def cmd_print_form(args) -> int:
    from desktop.services.documents import FORM_NAMES, print_blank_form

    return _print_document(
        args, lambda session, out: print_blank_form(session, args.kind, out),
        f"a blank {FORM_NAMES[args.kind].lower()} form",
    )


def cmd_print_slip(args) -> int:
    from desktop.services.documents import print_reservation_slip

    return _print_document(
        args, lambda session, out: print_reservation_slip(session, args.reference, out), "the reservation slip"
    )


def cmd_print_certificate(args) -> int:
    from desktop.services.documents import print_warranty_certificate

    return _print_document(
        args, lambda session, out: print_warranty_certificate(session, args.warranty, out),
        "the warranty certificate",
    )



def add_commands(commands) -> None:
    printing = commands.add_parser("print", help="print documents")
    print_commands = printing.add_subparsers(dest="print_command", metavar="DOCUMENT", required=True)
    cards = print_commands.add_parser("cards", help="loyalty cards as a PDF")
    add_output_options(cards, metavar="FILE.pdf")
    whose = cards.add_mutually_exclusive_group()
    whose.add_argument("--customer", action="append", type=record_ref, help="customer number, UUID or card code; repeatable")
    whose.add_argument("--without-card", action="store_true", help="everyone who has no card yet")
    whose.add_argument("--all", action="store_true", help="every customer")
    cards.add_argument("--layout", choices=["sheet", "single"], default="sheet",
                       help="sheet: 10 per page with cut marks; single: one card per page for a card printer")
    cards.add_argument("--program", type=record_ref, help="the stamp programme whose boxes to print (default: the first)")
    cards.set_defaults(run=cmd_print_cards, field_labels=OUT_LABEL)

    form = print_commands.add_parser("form", help="a blank paper form to fill in by hand, with the privacy notice")
    form.add_argument("kind", choices=FORM_KINDS)
    add_output_options(form, metavar="FILE.pdf")
    form.set_defaults(run=cmd_print_form, field_labels=OUT_LABEL)
    slip = print_commands.add_parser("slip", help="a reservation's slip")
    slip.add_argument("reference", metavar="RESERVATION_REF", type=record_ref, help="the reference (or the reservation's number)")
    add_output_options(slip, metavar="FILE.pdf")
    slip.set_defaults(run=cmd_print_slip, field_labels=OUT_LABEL)
    certificate = print_commands.add_parser("certificate", help="a warranty certificate with its claims")
    certificate.add_argument("warranty", metavar="WARRANTY_ID", type=record_ref, help="the warranty's number")
    add_output_options(certificate, metavar="FILE.pdf")
    certificate.set_defaults(run=cmd_print_certificate, field_labels=OUT_LABEL)

"""Exports for other tools: the marketing list for a mailing tool, and contacts as vCards.

(`regulars export` is the sync bundle's command; these two have names of their own.)
"""

from __future__ import annotations

import sys

from desktop.cli.arguments import record_ref
from desktop.cli.common import OUT_LABEL, CommandFailed, add_output_options, open_shop, print_json
from desktop.models import CHANNELS
from desktop.output_files import check_output
from desktop.services import exports
from desktop.services.loyalty import customer_from_ref
from desktop.services.shop import shop_settings


def _progress_line():
    """A progress line on stderr when it is a terminal; nothing when piped or in a script."""
    if not (sys.stderr and sys.stderr.isatty()):
        return None

    def show(count: int) -> None:
        print(f"\r{count:,} written…", end="", file=sys.stderr, flush=True)

    return show


def _end_progress_line(progress) -> None:
    if progress is not None:
        print(file=sys.stderr)


def cmd_export_marketing(args) -> int:
    check_output(args.out, shop=args.db, replace=args.force)  # before the passphrase is asked
    progress = _progress_line()
    database = open_shop(args)
    try:
        with database.reading() as session:
            count = exports.write_marketing_csv(
                session, args.channel, args.out, bom=args.bom, progress=progress, replace=args.force
            )
    finally:
        _end_progress_line(progress)
        database.close()
    if args.json:
        print_json({"channel": args.channel, "count": count, "path": str(args.out), "bom": args.bom})
    else:
        print(f"Wrote {count} customer(s) who agreed to {args.channel} offers to {args.out}")
    return 0


def cmd_export_contacts(args) -> int:
    if not (args.customer or args.query is not None or args.all):
        raise CommandFailed("Say whose contacts to export: --customer REF (repeatable), --query TEXT or --all.")
    check_output(args.out, shop=args.db, replace=args.force)  # before the passphrase is asked
    progress = _progress_line()
    database = open_shop(args)
    try:
        with database.reading() as session:
            if args.customer:
                ids: list[int] | None = [customer_from_ref(session, ref).id for ref in args.customer]
            elif args.query is not None:
                ids = exports.customers_matching(session, args.query, shop_settings(session).region)
                if not ids:
                    raise CommandFailed(f"No customer matches {args.query.strip()!r}; nothing was written.")
            else:
                ids = None  # everyone
            count = exports.write_vcards(
                session, ids, args.out, with_notes=args.notes, progress=progress, replace=args.force
            )
    finally:
        _end_progress_line(progress)
        database.close()
    if args.json:
        print_json({"count": count, "path": str(args.out)})
    else:
        print(f"Wrote {count} contact(s) to {args.out}")
    return 0


def add_commands(commands) -> None:
    marketing = commands.add_parser(
        "export-marketing",
        help="the customers who agreed to offers on a channel, as CSV for a mailing tool",
        description="Only customers whose latest answer for the channel is yes, and who have its contact. "
        "Columns: email: email, first_name, last_name, tags; sms: phone, first_name, last_name, tags; "
        "post: first_name, last_name, company, address_line1, address_line2, postal_code, city, state, country.",
    )
    marketing.add_argument("--channel", required=True, choices=CHANNELS)
    add_output_options(marketing, metavar="FILE.csv")
    marketing.add_argument("--bom", action="store_true", help="start with a UTF-8 BOM, for Excel (accents read right)")
    marketing.add_argument("--json", action="store_true")
    marketing.set_defaults(run=cmd_export_marketing, field_labels={**OUT_LABEL, "channel": "--channel"})

    contacts = commands.add_parser(
        "export-contacts",
        help="customers as vCards (.vcf) for the shop's phone or contacts app",
        description="vCard 4.0, UTF-8. Not for marketing: the shop's own address book.",
    )
    add_output_options(contacts, metavar="FILE.vcf")
    whose = contacts.add_mutually_exclusive_group()
    whose.add_argument(
        "--customer", action="append", metavar="REF", type=record_ref, help="customer number, UUID or card code; repeatable"
    )
    whose.add_argument("--query", metavar="TEXT", help="everyone `customers find TEXT` finds")
    whose.add_argument("--all", action="store_true", help="every customer")
    contacts.add_argument("--notes", action="store_true", help="include the shop's notes on each customer")
    contacts.add_argument("--json", action="store_true")
    contacts.set_defaults(run=cmd_export_contacts, field_labels={**OUT_LABEL, "query": "--query"})

"""The customer's privacy rights from the command line: access (export), erasure, and the retention review.

These act as the owner, as every command does once the passphrase has opened the file.
"""

from __future__ import annotations

import sys
from pathlib import Path

from desktop.cli.arguments import record_ref
from desktop.cli.common import OUT_LABEL, CommandFailed, fit, local_time, open_shop, print_json, shop_session, stamp
from desktop.services.erasure import anonymise_inactive, erase_customer, inactive_customers
from desktop.services.erasure_register import register_path
from desktop.services.loyalty import customer_from_ref
from desktop.services.privacy_access import write_access_export
from desktop.services.shop import shop_settings


def cmd_export(args) -> int:
    with shop_session(args, write=True) as session:
        export = write_access_export(session, args.customer, args.out, replace=args.force)
    if args.json:
        print_json({"json": str(export.json_path), "pdf": str(export.pdf_path)})
    else:
        print(f"Wrote {export.pdf_path}")
        print(f"Wrote {export.json_path}")
    return 0


def cmd_erase(args) -> int:
    if not args.yes and (not sys.stdin or not sys.stdin.isatty()):
        raise CommandFailed("Erasing a customer needs confirmation: add --yes.")
    database = open_shop(args)
    try:
        ref = args.customer
        if not args.yes:
            with database.reading() as session:
                customer = customer_from_ref(session, args.customer)
                ref, who = customer.uuid, f"customer #{customer.id} {customer.full_name}".rstrip()
            answer = input(f"Erase {who} for good, here and on every till this shop syncs with? Their name, "
                           "contacts, notes and what their records say about them go; counts and loyalty totals "
                           "stay. [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                raise CommandFailed("Nothing was erased.")
        with database.writing() as session:  # the erasure register beside the file is written once this commits
            report = erase_customer(session, ref)
    finally:
        database.close()
    if args.json:
        print_json({
            "customer_id": report.customer_id,
            "customer_uuid": report.customer_uuid,
            "erased_at": stamp(report.erased_at),
            "already_erased": report.already_erased,
            "anonymised": report.anonymised,
            "kept": report.kept,
            "register": str(register_path(args.db)),
        })
        return 0
    counts = ", ".join(f"{table.replace('_', ' ')}: {count}" for table, count in report.kept.items() if count)
    again = " (again: they had been erased before)" if report.already_erased else ""
    print(f"Erased customer #{report.customer_id}{again}. Nothing that says who they were is left in {args.db}; "
          "the other tills erase them when they import this till's next sync bundle.")
    print(f"Kept, anonymous, for the shop's counts: {counts or 'nothing'}.")
    return 0


def cmd_retention(args) -> int:
    args.field_labels = {"years": "--years"}
    if args.anonymise and not args.yes and (not sys.stdin or not sys.stdin.isatty()):
        raise CommandFailed("Anonymising customers needs confirmation: add --yes.")
    database = open_shop(args)
    anonymised = 0
    try:
        with database.reading() as session:
            inactive = inactive_customers(session, args.years)
            years = args.years if args.years is not None else shop_settings(session).retention_years
        if not args.json and inactive:
            print(f"{len(inactive)} customers inactive for {years} years or more (no visit, stamp, reservation, "
                  "warranty or call):")
            print(f"{'#':>7}  {fit('Name', 32)}  Last active")
            for customer in inactive:
                print(f"{customer.id:>7}  {fit(customer.name, 32)}  {local_time(customer.last_active_at)[:10]}")
        if args.anonymise and inactive:
            if not args.yes:
                answer = input(f"Anonymise these {len(inactive)} customers for good, here and on every till this "
                               "shop syncs with? [y/N] ")
                if answer.strip().lower() not in ("y", "yes"):
                    raise CommandFailed("Nothing was anonymised.")
            anonymised = anonymise_inactive(database, [c.id for c in inactive], args.years)  # those still inactive
    finally:
        database.close()
    if args.json:
        listed = [{"id": c.id, "uuid": c.uuid, "name": c.name, "last_active_at": stamp(c.last_active_at)}
                  for c in inactive]
        print_json({"years": years, "customers": listed, **({"anonymised": anonymised} if args.anonymise else {})})
    elif not inactive:
        print(f"No customer has been inactive for {years} years or more.")
    elif args.anonymise:
        print(f"Anonymised {anonymised} of them; their counts and loyalty totals stay.")
    else:
        print("Anonymise them all with --anonymise.")
    return 0


def add_commands(commands) -> None:
    privacy = commands.add_parser("privacy", help="a customer's privacy rights: access, erasure, retention")
    actions = privacy.add_subparsers(dest="privacy_command", metavar="ACTION", required=True)

    export = actions.add_parser("export", help="everything held about one customer, as a PDF and a JSON file")
    export.add_argument("customer", type=record_ref, help="customer number, UUID or card code")
    export.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder to write the two files into")
    export.add_argument("--force", action="store_true", help="replace the two files if they exist")
    export.add_argument("--json", action="store_true", help="print the result as JSON")
    export.set_defaults(run=cmd_export, field_labels=OUT_LABEL)

    erase = actions.add_parser("erase", help="anonymise one customer everywhere, keeping anonymous totals")
    erase.add_argument("customer", type=record_ref, help="customer number, UUID or card code")
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    erase.add_argument("--json", action="store_true", help="print the result as JSON")
    erase.set_defaults(run=cmd_erase)

    retention = actions.add_parser("retention", help="list customers inactive for the retention period")
    retention.add_argument("--years", type=int, help="inactive for this many years (default: the shop's setting)")
    retention.add_argument("--anonymise", action="store_true", help="anonymise everyone listed")
    retention.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    retention.add_argument("--json", action="store_true", help="print the result as JSON")
    retention.set_defaults(run=cmd_retention)

"""Sync between tills: export a bundle of changes, import another till's bundle, review conflicts.

The bundle is sealed, and encrypted unless --plain, with the shop's sync passphrase
(REGULARS_SYNC_PASSPHRASE, else asked on the terminal), a secret of its own: the shop
passphrase never leaves the till. Plain bundles need it too, on both tills: their seal
is what shows they come from a till of this shop.
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from desktop.cli.common import OUT_LABEL, CommandFailed, add_output_options, open_shop, print_json, shop_session
from desktop.output_files import check_output
from desktop.sync.bundle import SyncCancelled, check_bundle_file, check_sync_passphrase
from desktop.sync.conflicts import KEEP, ConflictView, list_conflicts, resolve_conflict
from desktop.sync.export import ExportReport, export_bundle
from desktop.sync.importer import ClockAhead, import_bundle

SYNC_PASSPHRASE_ENV = "REGULARS_SYNC_PASSPHRASE"


class TerminalProgress:
    """ "Exporting… 42%" on stderr, rewritten in place, only when stderr is a terminal."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.shown = -1
        self.active = bool(getattr(sys.stderr, "isatty", lambda: False)())

    def __call__(self, done: int, total: int) -> None:
        percent = 100 * done // total if total else 100
        if self.active and percent != self.shown:
            self.shown = percent
            print(f"\r{self.label} {percent}%", end="", file=sys.stderr, flush=True)

    def end(self) -> None:
        if self.active and self.shown >= 0:
            print(file=sys.stderr, flush=True)


def sync_passphrase(*, confirm: bool) -> str:
    value = os.environ.get(SYNC_PASSPHRASE_ENV)
    if value is not None:
        return value
    if not sys.stdin or not sys.stdin.isatty():
        raise CommandFailed(f"No sync passphrase: set {SYNC_PASSPHRASE_ENV} or run on a terminal "
                            "(plain bundles need it too: it seals them).")
    value = getpass.getpass("Sync passphrase: ")
    if confirm and getpass.getpass("Same sync passphrase again: ") != value:
        raise CommandFailed("The two sync passphrases differ; nothing was exported.")
    return value


def _export_json(report: ExportReport) -> dict:
    manifest = report.manifest
    return {
        "path": str(report.path),
        "encrypted": report.encrypted,
        "full": manifest.full,
        "shop_uuid": manifest.shop_uuid,
        "till_uuid": manifest.till_uuid,
        "exported_at": manifest.exported_at,
        "watermark_from": manifest.watermark_from,
        "watermark_to": manifest.watermark_to,
        "rows": {entry.table: entry.rows for entry in manifest.files},
        "seconds": round(report.seconds, 3),
    }


def cmd_export(args) -> int:
    check_output(args.out, shop=args.db, replace=args.force)  # before any passphrase is asked
    passphrase = sync_passphrase(confirm=True)  # a plain bundle is sealed with it all the same
    check_sync_passphrase(passphrase)
    database = open_shop(args)
    progress = TerminalProgress("Exporting…")
    try:
        report = export_bundle(database, args.out, passphrase=passphrase, plain=args.plain, full=args.full,
                               progress=progress, replace=args.force)
    except (KeyboardInterrupt, SyncCancelled):
        raise CommandFailed("Export cancelled; no bundle was written.") from None
    finally:
        progress.end()
        database.close()
    if args.plain:
        print(
            f"regulars: warning: {report.path} is NOT encrypted: anyone who gets the file can read these "
            "customers (its seal only keeps it from being changed). Carry it yourself and delete it once imported.",
            file=sys.stderr,
        )
    if args.json:
        print_json(_export_json(report))
        return 0
    what = "every record" if report.manifest.full else f"changes since {report.manifest.watermark_from[:16]} UTC"
    how = "encrypted with the sync passphrase and sealed" if report.encrypted else "sealed with the sync passphrase"
    print(f"Exported {report.customers} customers and {report.rows - report.customers} other rows ({what}) "
          f"to {report.path}, {how}.")
    return 0


def cmd_import(args) -> int:
    path = Path(args.file)
    check_bundle_file(path)
    passphrase = sync_passphrase(confirm=False)  # plain bundles too: it checks their seal
    database = open_shop(args)
    progress = TerminalProgress("Importing…")
    try:
        report = import_bundle(database, path, passphrase=passphrase, progress=progress,
                               accept_clock_ahead=args.accept_clock_ahead)
    except (KeyboardInterrupt, SyncCancelled):
        raise CommandFailed("Import cancelled; nothing was written.") from None
    except ClockAhead as error:
        raise CommandFailed(f"{error} To do so, run the import again with --accept-clock-ahead.") from None
    finally:
        progress.end()
        database.close()
    if args.json:
        print_json(report.to_json())
    else:
        print(f"Imported {path} (exported by till {report.from_till} at {report.exported_at[:16]} UTC).")
        for line in report.summary_lines():
            print(line)
    for warning in report.warnings:
        print(f"regulars: warning: {warning}", file=sys.stderr)
    return 0


def _conflict_line(conflict: ConflictView) -> str:
    kept = conflict.resolution or conflict.kept
    state = f"kept {kept}" + ("" if conflict.resolution else " (open)")
    return (f"{conflict.id:>5}  {conflict.table} {conflict.record_uuid}  {conflict.field}: "
            f"mine {conflict.mine!r}, theirs {conflict.theirs!r}  {state}")


def cmd_sync_conflicts(args) -> int:
    if args.conflicts_command == "resolve":
        with shop_session(args, write=True) as session:
            conflicts = [resolve_conflict(session, args.id, args.keep)]
    else:
        with shop_session(args) as session:
            conflicts = list_conflicts(session)
    if args.json:
        print_json([conflict.to_json() for conflict in conflicts])
    elif args.conflicts_command == "resolve":
        print(f"Conflict {args.id}: kept {args.keep} ({conflicts[0].field}).")
    elif not conflicts:
        print("No sync conflicts to review.")
    else:
        for conflict in conflicts:
            print(_conflict_line(conflict))
    return 0


def add_commands(commands) -> None:
    export = commands.add_parser(
        "export",
        help="write a sync bundle of the changes since the last export (AES-256 zip, sync passphrase)",
    )
    add_output_options(export, help="the bundle to write (a .zip)")
    export.add_argument("--full", action="store_true", help="every record, not only the changes")
    export.add_argument(
        "--plain", action="store_true",
        help="an UNENCRYPTED zip (warns): only for carrying it by hand; still sealed with the sync passphrase"
    )
    export.add_argument("--json", action="store_true")
    export.set_defaults(run=cmd_export, field_labels={**OUT_LABEL, "sync_passphrase": SYNC_PASSPHRASE_ENV})

    imported = commands.add_parser(
        "import", help="merge another till's sync bundle into this shop file (checked whole first)"
    )
    imported.add_argument("file", metavar="FILE")
    imported.add_argument(
        "--accept-clock-ahead", action="store_true",
        help="import a bundle stamped more than a day ahead of this till's clock (this till's clock follows it)",
    )
    imported.add_argument("--json", action="store_true")
    imported.set_defaults(run=cmd_import)

    sync = commands.add_parser("sync", help="sync conflicts: values set aside when two tills changed the same field")
    sync_commands = sync.add_subparsers(dest="sync_command", metavar="ACTION", required=True)
    conflicts = sync_commands.add_parser("conflicts", help="list the open conflicts (owner)")
    conflicts.add_argument("--json", action="store_true")
    conflicts.set_defaults(run=cmd_sync_conflicts, conflicts_command=None)
    conflict_commands = conflicts.add_subparsers(dest="conflicts_command", metavar="ACTION")
    resolve = conflict_commands.add_parser("resolve", help="keep this till's value (mine) or the other till's")
    resolve.add_argument("id", type=int, metavar="ID", help="the conflict's number")
    resolve.add_argument("--keep", required=True, choices=KEEP)
    resolve.add_argument("--json", action="store_true")
    resolve.set_defaults(run=cmd_sync_conflicts, field_labels={"keep": "--keep", "id": "ID"})

"""Backups: take one now, the daily automatic one, its settings, and restoring one.

A backup is a pair: FILE and its key file FILE.key. It opens with the shop's passphrase
or recovery key as they were when it was taken.
"""

from __future__ import annotations

import getpass
import os
import sys
from datetime import datetime
from pathlib import Path

from desktop.cli.common import (
    OUT_LABEL,
    PASSPHRASE_ENV,
    CommandFailed,
    ask_passphrase,
    local_time,
    open_shop,
    print_json,
    recovery_key_text,
    require_acting,
    stamp,
    with_recovery_key,
)
from desktop.db.backup import (
    BackupCancelled,
    BackupReport,
    before_restore_path,
    restore_backup,
)
from desktop.db.key_file import key_file_path
from desktop.db.unlock import recovery_key_from_text
from desktop.errors import ShopFileError, ShopFileInUse, WrongPassphrase
from desktop.models.base import utc_now
from desktop.services import backup_schedule
from desktop.services.backups import (
    SCHEDULE_EVERY,
    BackupSettings,
    back_up,
    backup_settings,
    backup_status,
    scheduled_backup,
    update_backup_settings,
)
from desktop.services.erasure_register import reapply_after_restore
from desktop.services.permissions import Permission


class TerminalProgress:
    """ "Backing up… 42%" on stderr, rewritten in place, only when stderr is a terminal."""

    def __init__(self, label: str = "Backing up…", at_end: str = ", checking the copy…") -> None:
        self.label = label
        self.at_end = at_end  # shown beside 100% while the work's last step runs
        self.shown = -1
        self.active = bool(getattr(sys.stderr, "isatty", lambda: False)())

    def __call__(self, done: int, total: int) -> None:
        percent = 100 * done // total if total else 100
        if self.active and percent != self.shown:
            self.shown = percent
            at_end = self.at_end if percent == 100 else ""  # a backup's checks read it all again
            print(f"\r{self.label} {percent}%{at_end}", end="", file=sys.stderr, flush=True)

    def end(self) -> None:
        if self.active and self.shown >= 0:
            print(file=sys.stderr, flush=True)


def _report_json(report: BackupReport) -> dict:
    return {
        "path": str(report.path),
        "key_file": str(report.key_file) if report.key_file else None,
        "taken_at": stamp(report.taken_at),
        "revision": report.revision,
        "customers": report.customers,
        "rows": report.row_counts,
        "bytes": report.size_bytes,
        "seconds": round(report.seconds, 3),
    }


def _print_report(report: BackupReport) -> None:
    print(f"Backed up {report.customers} customers to {report.path} (verified).")
    if report.key_file is not None:
        print(
            f"Its key file is {report.key_file}: keep the two files together. The backup opens with the "
            "shop's passphrase or recovery key as they are now."
        )
    else:
        print("This shop file has no key file yet: the backup opens with the shop's passphrase alone.")


def _backing_up(run):
    """Runs a backup with a progress line; Ctrl+C cancels it, leaving nothing behind."""
    progress = TerminalProgress()
    try:
        return run(progress)
    except (KeyboardInterrupt, BackupCancelled):
        raise CommandFailed("Backup cancelled; nothing was written.") from None
    finally:
        progress.end()


def _open_for_backup(args):
    """The shop; a scheduled run with no passphrase given uses the one kept when the schedule was turned on."""
    kept = None
    if args.scheduled and not with_recovery_key(args) and PASSPHRASE_ENV not in os.environ:
        kept = backup_schedule.stored_passphrase(args.db)
        if kept is None and backup_schedule.left_in_a_plain_file(args.db):
            raise CommandFailed(
                "The scheduled backup's passphrase is no longer read from a plain file. Turn the schedule off and "
                "on again to keep it in the system's credential store: regulars backup-settings --schedule off, "
                "then --schedule on."
            )
    # A scheduled run has nobody at the till to say who acts: the passphrase holder backs up.
    if kept is None:
        return open_shop(args, acting=False)
    try:
        return open_shop(args, secret=kept, acting=False)
    except WrongPassphrase:
        raise CommandFailed(
            "The passphrase kept for the scheduled backup no longer opens the shop (was it changed?). Turn the "
            "schedule off and on again: regulars backup-settings --schedule off, then --schedule on."
        ) from None


def cmd_backup(args) -> int:
    database = open_shop(args) if not args.scheduled else _open_for_backup(args)
    try:
        if args.scheduled:
            return _scheduled(args, database)
        report = _backing_up(lambda progress: back_up(database, args.out, progress=progress))
    finally:
        database.close()
    if args.json:
        print_json(_report_json(report))
    else:
        _print_report(report)
    return 0


def _scheduled(args, database) -> int:
    now = utc_now()
    with database.reading() as session:
        status = backup_status(session, now)
    if not status.folder:
        raise CommandFailed(f"No backup folder is set for {args.db}: regulars backup-settings --folder DIR")
    report = _backing_up(lambda progress: scheduled_backup(database, now, progress=progress))
    if report is None:
        next_at = status.last_backup_at + SCHEDULE_EVERY
        if args.json:
            print_json({"backed_up": False, "last_backup_at": stamp(status.last_backup_at), "due_at": stamp(next_at)})
        else:
            print(
                f"Not due: the last backup was at {local_time(status.last_backup_at)}; "
                f"the next is due after {local_time(next_at)}."
            )
        return 0
    if args.json:
        print_json({"backed_up": True, **_report_json(report)})
    else:
        _print_report(report)
    return 0


def _settings_json(settings: BackupSettings, status) -> dict:
    return {
        "folder": settings.folder,
        "keep": settings.keep,
        "warn_days": settings.warn_days,
        "last_backup_at": stamp(status.last_backup_at),
        "last_export_at": stamp(status.last_export_at),
        "overdue": status.overdue,
    }


SCHEDULE_WARNING = (
    "The scheduled backup runs with nobody at the till, so the shop passphrase is kept in this computer's "
    "credential store (Windows Credential Manager, macOS Keychain or the desktop's keyring), never in a file; "
    "whoever can sign in to this user account can then open the shop."
)


def _schedule(args, database, passphrase: str | None) -> list[str]:
    """Turns the scheduled backup on or off; the lines to tell the owner."""
    if args.schedule == "off":
        result = backup_schedule.turn_off(database)
        lines = ["The scheduled daily backup is off; the passphrase kept in the credential store is deleted."]
    else:
        if passphrase is None:
            raise CommandFailed("--schedule on needs the shop passphrase (not the recovery key): it is kept for the "
                                "scheduled task.")
        result = backup_schedule.turn_on(database, passphrase)
        lines = [f"The daily backup now runs from the system's scheduler ({result.entry.name}), even when Regulars "
                 "is closed.", SCHEDULE_WARNING]
    if result.manual:
        lines.append(f"The system's scheduler did not answer; to finish, run:\n{result.manual}")
    return lines


def _schedule_state(db) -> str:
    return "on" if backup_schedule.is_on(db) else "off"


def cmd_backup_settings(args) -> int:
    passphrase = None
    if args.schedule == "on" and not with_recovery_key(args):
        passphrase = ask_passphrase()
    database = open_shop(args, secret=passphrase)
    try:
        changes = {"folder": args.folder, "keep": args.keep, "warn_days": args.warn_days}
        if any(value is not None for value in changes.values()):
            with database.writing() as session:
                current = backup_settings(session)
                update_backup_settings(
                    session,
                    BackupSettings(**{name: getattr(current, name) if value is None else value
                                      for name, value in changes.items()}),
                )
        told = _schedule(args, database, passphrase) if args.schedule is not None else []
        with database.reading() as session:
            settings, status = backup_settings(session), backup_status(session, utc_now())
    finally:
        database.close()
    if args.json:
        print_json({**_settings_json(settings, status), "schedule": _schedule_state(args.db)})
        return 0
    for line in told:
        print(line)
    print(f"Backup folder:     {settings.folder or '(none: no automatic backups)'}")
    print(f"Backups kept:      {settings.keep}")
    print(f"Warn after:        {settings.warn_days} days without a backup")
    overdue = "  (overdue)" if status.overdue else ""
    print(f"Last backup:       {local_time(status.last_backup_at) or 'never'}{overdue}")
    print(f"Last export:       {local_time(status.last_export_at) or 'never'}")
    print(f"Scheduled backup:  {_schedule_state(args.db)} (runs while Regulars is closed)")
    return 0


def _restore_secret(args, backup: Path):
    if with_recovery_key(args):
        return recovery_key_from_text(backup, recovery_key_text())
    return ask_passphrase()


def _confirm_replace(target: Path, kept: Path) -> None:
    if not sys.stdin or not sys.stdin.isatty():
        raise CommandFailed("Replacing a shop file needs confirmation: add --yes.")
    answer = input(f"Replace the shop file at {target}? The current one is kept as {kept.name}  [y/N] ")
    if answer.strip().lower() not in ("y", "yes"):
        raise CommandFailed("Nothing was changed.")


def _only_its_owner_replaces(args, target: Path, secret) -> None:
    """The shop being replaced is opened and the person acting checked, as every command does: on a
    shop with staff accounts only its owner (--as NAME with her PIN, or the recovery key) replaces it.

    It opens with the secret given for the backup, or, when its passphrase changed since, with its own
    (asked on a terminal). A shop file too damaged to open is not guarded: that is when it is replaced.
    """
    try:
        require_acting(args, Permission.BACKUP, secret=secret)
        return
    except WrongPassphrase:
        if with_recovery_key(args) or not sys.stdin or not sys.stdin.isatty():
            raise CommandFailed(
                f"The shop file being replaced, {target}, does not open with that "
                f"{'recovery key' if with_recovery_key(args) else 'passphrase'}: its owner must unlock it "
                "before it is replaced (run on a terminal to type its own passphrase). Nothing was changed."
            ) from None
    except ShopFileError as exc:
        if isinstance(exc, ShopFileInUse):
            raise
        return  # damaged beyond opening: nothing left to guard
    current = getpass.getpass(f"The passphrase of the shop file being replaced, {target.name}: ")
    require_acting(args, Permission.BACKUP, secret=current)


def cmd_restore(args) -> int:
    backup, target = Path(args.file), Path(args.db)
    now = datetime.now()
    exists = target.exists() or key_file_path(target).exists()
    if exists and not args.replace:
        raise CommandFailed(
            f"A shop file is already at {target}. Restore to another file with --db PATH, or add --replace "
            f"(the current one is then kept as {before_restore_path(target, now).name}). Nothing was changed."
        )
    if exists and not args.yes:
        _confirm_replace(target, before_restore_path(target, now))
    secret = _restore_secret(args, backup)
    if exists and target.is_file():  # a pipe, a folder: no shop to guard; restore_backup names what it is
        _only_its_owner_replaces(args, target, secret)
    report = restore_backup(backup, secret, target, replace=args.replace, now=now)
    # A backup from before an erasure forgets them again (the register copy beside the backups counts too).
    erased_again = reapply_after_restore(report.path, secret, backup_folder=backup.parent)
    if args.json:
        print_json({
            "path": str(report.path),
            "key_file": str(report.key_file) if report.key_file else None,
            "kept": str(report.kept) if report.kept else None,
            "revision": report.revision,
            "customers": report.customers,
            "rows": report.row_counts,
            "erased_again": erased_again,
        })
        return 0
    print(f"Restored {report.customers} customers from {backup} to {report.path} (verified).")
    if erased_again:
        print(f"Erased again {erased_again} customers the backup still held: the erasure register beside the "
              "shop file names them.")
    if report.kept is not None:
        print(f"The shop file it replaced is kept as {report.kept}, with its key file.")
    print("It opens with the passphrase or recovery key the shop had when the backup was taken.")
    return 0


def add_commands(commands) -> None:
    backup = commands.add_parser(
        "backup", help="write a verified, encrypted backup (FILE and its key file FILE.key) while the app runs"
    )
    where = backup.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", type=Path, metavar="FILE", help="the backup file; its key file goes beside it")
    where.add_argument(
        "--scheduled",
        action="store_true",
        help="for a daily task: back up into the backup folder if due, keeping the last N",
    )
    backup.add_argument("--json", action="store_true")
    backup.set_defaults(run=cmd_backup, field_labels=OUT_LABEL)

    settings = commands.add_parser("backup-settings", help="show or change where and how often backups are kept")
    settings.add_argument("--folder", metavar="DIR", help='folder for the daily automatic backups ("" for none)')
    settings.add_argument("--keep", type=int, metavar="N", help="automatic backups kept in the folder (1-365)")
    settings.add_argument("--warn-days", type=int, metavar="N", help="warn after N days without a backup (1-90)")
    settings.add_argument("--schedule", choices=["on", "off"],
                          help="run the daily backup from the system's scheduler, even when Regulars is closed")
    settings.add_argument("--json", action="store_true")
    settings.set_defaults(
        run=cmd_backup_settings, field_labels={"folder": "--folder", "keep": "--keep", "warn_days": "--warn-days",
                                              "schedule": "--schedule"}
    )

    restore = commands.add_parser(
        "restore", help="restore a backup (FILE with FILE.key beside it) into --db PATH or the default shop file"
    )
    restore.add_argument("file", metavar="FILE")
    restore.add_argument("--replace", action="store_true", help="replace an existing shop file (it is kept, renamed)")
    restore.add_argument("--yes", action="store_true", help="replace without asking")
    restore.add_argument("--json", action="store_true")
    restore.set_defaults(run=cmd_restore, field_labels={"db": "--db"})

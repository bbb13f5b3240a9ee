"""What every command shares: unlocking the shop, saying who acts, and printing results for people or scripts.

Who acts: on a shop without staff accounts, whoever unlocked it (the owner). On a shop with
staff accounts, the staff member named by the global ``--as NAME`` who proves it with their
PIN (REGULARS_PIN, or asked on a terminal), checked by the lock screen's own sign-in (a wrong
PIN counts toward that account's lock and goes in the audit trail); the services then check
that person's role and record them. Without ``--as`` such a shop refuses, except to whoever
unlocked it with the recovery key kept in the owner's safe: that is the owner (as the
window's "Use the shop passphrase" is), and the way back in when an owner forgot her PIN.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy.orm import Session

from desktop.db.engine import (
    ShopDatabase,
    open_shop_file,
    open_shop_file_with_recovery_key,
)
from desktop.db.keys import RecoveryKey
from desktop.db.unlock import Secret, recovery_key_from_text
from desktop.errors import NotFound
from desktop.services.backups import remove_leftovers_of
from desktop.services.erasure_register import reapply_erasure_register
from desktop.services.permissions import Permission, require_actor
from desktop.services.staff import has_staff, sign_in

PASSPHRASE_ENV = "REGULARS_PASSPHRASE"
NEW_PASSPHRASE_ENV = "REGULARS_NEW_PASSPHRASE"
RECOVERY_KEY_ENV = "REGULARS_RECOVERY_KEY"
PIN_ENV = "REGULARS_PIN"
KEEP_IT_SAFE = (
    "Print it or write it down now and keep it in a safe: it unlocks the shop if the passphrase is "
    "forgotten, and it is not shown again. Any earlier recovery key no longer works."
)


OUT_LABEL = {"out": "--out"}  # field_labels for a command writing a file: its refusals name the option


def add_output_options(parser, *, metavar: str = "FILE", help: str | None = None) -> None:
    """--out for the file a command writes, and --force to replace an existing (ordinary) file there."""
    parser.add_argument("--out", required=True, type=Path, metavar=metavar, help=help)
    parser.add_argument("--force", action="store_true", help="replace the file if it exists (never the shop's own)")


class CommandFailed(Exception):
    """A message for stderr and exit status 1."""


def ask_passphrase(*, confirm: bool = False) -> str:
    value = os.environ.get(PASSPHRASE_ENV)
    if value is not None:
        return value
    if not sys.stdin or not sys.stdin.isatty():
        raise CommandFailed(f"No passphrase: set {PASSPHRASE_ENV} or run on a terminal.")
    value = getpass.getpass("Shop passphrase: ")
    if confirm and getpass.getpass("Same passphrase again: ") != value:
        raise CommandFailed("The two passphrases differ; nothing was created.")
    return value


def with_recovery_key(args) -> bool:
    """Unlock with the recovery key: --recovery-key, or REGULARS_RECOVERY_KEY set."""
    return args.recovery_key or os.environ.get(RECOVERY_KEY_ENV) is not None


def recovery_key_text() -> str:
    value = os.environ.get(RECOVERY_KEY_ENV)
    if value is not None:
        return value
    if not sys.stdin or not sys.stdin.isatty():
        raise CommandFailed(f"No recovery key: set {RECOVERY_KEY_ENV} or run on a terminal.")
    return getpass.getpass("Recovery key: ")


def unlocking_secret(args) -> Secret:
    """The passphrase, or the recovery key when asked to use it."""
    if with_recovery_key(args):
        return recovery_key_from_text(args.db, recovery_key_text())
    return ask_passphrase()


def open_shop(args, *, acting: bool = True, secret: Secret | None = None) -> ShopDatabase:
    """The unlocked shop, with every registered erasure carried out (a backup put back by hand
    must not bring anyone back into an export), what killed backups left behind cleared, and the
    person acting signed in (see the module's docstring; acting=False for the few commands that
    need no role). ``secret``: the passphrase or recovery key already asked for, else it is asked now."""
    secret = unlocking_secret(args) if secret is None else secret
    if isinstance(secret, RecoveryKey):
        database = open_shop_file_with_recovery_key(args.db, secret.text)
    else:
        database = open_shop_file(args.db, secret)
    database.when_busy = say_the_shop_is_busy()
    try:
        reapply_erasure_register(database)
        remove_leftovers_of(database)
        if acting:
            sign_in_acting_staff(database, args)
    except BaseException:
        database.close()
        raise
    return database


def require_acting(args, permission: Permission, *, secret: Secret | None = None) -> None:
    """Opens the shop only to check that the person acting (named by --as on a shop with staff
    accounts; whoever unlocked it otherwise) may do ``permission``; NotAllowed if not."""
    database = open_shop(args, secret=secret)
    try:
        require_actor(database.acting, permission)
    finally:
        database.close()


def say_the_shop_is_busy():
    """Says once, on stderr, that a write is waiting for another window or command (ShopDatabase.when_busy)."""
    said = False

    def when_busy() -> None:
        nonlocal said
        if not said:
            said = True
            print(
                "regulars: the shop file is busy with another window or command (an import, a backup, a demo "
                "being made); waiting for it to finish…",
                file=sys.stderr,
                flush=True,
            )

    return when_busy


def sign_in_acting_staff(database: ShopDatabase, args) -> None:
    """Makes the person named by --as the one acting, or refuses; see the module's docstring."""
    ref = getattr(args, "acting_as", None)
    with database.reading() as session:
        staffed = has_staff(session)
    if not staffed:
        if ref is not None:
            raise CommandFailed(
                "--as: this shop has no staff accounts, so there is nobody to act as; leave --as out "
                "(whoever unlocks the shop acts as the owner)."
            )
        return
    if ref is None:
        if with_recovery_key(args):
            return  # the recovery key is the owner's
        raise CommandFailed(
            "This shop has staff accounts: say who is acting with --as NAME (your staff number or name), "
            f"before the command; your PIN comes from {PIN_ENV} or is asked on a terminal."
        )
    try:
        sign_in(database, ref, acting_pin(ref))
    except NotFound as exc:
        raise CommandFailed(f"--as: {exc}") from exc


def acting_pin(name: str) -> str:
    """The PIN of the person named by --as: REGULARS_PIN, else asked on a terminal."""
    value = os.environ.get(PIN_ENV)
    if value is not None:
        return value
    if not sys.stdin or not sys.stdin.isatty():
        raise CommandFailed(f"No PIN for --as {name}: set {PIN_ENV} or run on a terminal.")
    return getpass.getpass(f"PIN for {name}: ")


@contextmanager
def shop_session(args, *, write: bool = False) -> Iterator[Session]:
    """One command's session on the unlocked shop: committed on leaving when write (rolled back
    if anything failed), and the file closed after."""
    database = open_shop(args)
    try:
        with database.writing() if write else database.reading() as session:
            yield session
    finally:
        database.close()


def print_recovery_key(recovery_key: str) -> None:
    print(f"\n    {recovery_key}\n")
    print(KEEP_IT_SAFE)


def print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2, default=str))


MAX_LIMIT = 100_000


def list_limit(args) -> int:
    """--limit: how many lines a listing prints, at least one."""
    if args.limit < 1:
        raise CommandFailed("--limit must be at least 1.")
    if args.limit > MAX_LIMIT:
        raise CommandFailed(f"--limit must be at most {MAX_LIMIT}.")
    return args.limit


def staff_name(args) -> str:
    """--staff as typed (empty: the person acting, as --as named them); the services check it
    names an active staff member and name the "staff" field when it does not."""
    return getattr(args, "staff", None) or ""


def fit(text: str, width: int) -> str:
    """One table cell: on one line, cut with an ellipsis when longer than width, padded to it."""
    text = " ".join((text or "").split())
    if len(text) > width:
        text = text[: width - 1] + "…"
    return f"{text:<{width}}"


def local_time(value: datetime | None) -> str:
    """A stored (naive UTC) time as the shop's clock reads it, to the minute."""
    if value is None:
        return ""
    return value.replace(tzinfo=timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M")


def stamp(value: datetime | None) -> str | None:
    """A stored time for JSON, as `customers` prints them."""
    return value.isoformat(timespec="seconds") if value is not None else None

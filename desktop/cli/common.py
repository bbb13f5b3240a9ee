"""What every command shares: unlocking the shop, and printing results for people or scripts."""

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
from desktop.db.unlock import Secret, recovery_key_from_text
from desktop.services.backups import remove_leftovers_of
from desktop.services.erasure_register import reapply_erasure_register

PASSPHRASE_ENV = "REGULARS_PASSPHRASE"
NEW_PASSPHRASE_ENV = "REGULARS_NEW_PASSPHRASE"
RECOVERY_KEY_ENV = "REGULARS_RECOVERY_KEY"
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


def open_shop(args) -> ShopDatabase:
    """The unlocked shop, with every registered erasure carried out (a backup put back by hand
    must not bring anyone back into an export), and what killed backups left behind cleared."""
    if with_recovery_key(args):
        database = open_shop_file_with_recovery_key(args.db, recovery_key_text())
    else:
        database = open_shop_file(args.db, ask_passphrase())
    try:
        reapply_erasure_register(database)
        remove_leftovers_of(database)
    except BaseException:
        database.close()
        raise
    return database


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


def staff_name(args) -> str:
    """--staff as typed; the services clean it and name the "staff" field when it is wrong."""
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

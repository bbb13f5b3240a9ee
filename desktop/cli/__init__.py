"""The command line: the same services as the app, for scripts and the back office.

Errors go to stderr with exit status 1 and nothing is written; usage errors exit 2.
`regulars` with no command opens the app. Each module here adds the commands of one area.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, Callable

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy.exc import SQLAlchemyError

from desktop.cli import (
    backups,
    calls,
    customers,
    exports,
    loyalty,
    printing,
    privacy,
    reservations,
    shop_file,
    signup,
    staff,
    sync,
    warranties,
)
from desktop.cli.arguments import ArgumentParser
from desktop.cli.common import (
    NEW_PASSPHRASE_ENV,
    PASSPHRASE_ENV,
    PIN_ENV,
    RECOVERY_KEY_ENV,
    CommandFailed,
)
from desktop import __version__
from desktop.db.engine import BUSY, is_busy
from desktop.errors import InvalidInput, Problem, RegularsError
from desktop.output_files import DiskFull, is_disk_full
from desktop.paths import default_shop_path

__all__ = ["NEW_PASSPHRASE_ENV", "PASSPHRASE_ENV", "PIN_ENV", "RECOVERY_KEY_ENV", "build_parser", "main"]
AREAS = (shop_file, customers, signup, loyalty, reservations, warranties, calls, printing, backups, exports, sync,
         privacy, staff)


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(prog="regulars", description="Regulars: the customer book beside the till.")
    parser.add_argument("--version", action="version", version=f"Regulars {__version__}")
    parser.add_argument("--db", type=Path, default=default_shop_path(), help="shop file (default: %(default)s)")
    parser.add_argument(
        "--recovery-key",
        action="store_true",
        help=f"unlock with the recovery key ({RECOVERY_KEY_ENV} or a prompt) instead of the passphrase",
    )
    parser.add_argument(
        "--as",
        dest="acting_as",
        metavar="NAME",
        help=f"on a shop with staff accounts: who is acting (staff number or name); the PIN comes from {PIN_ENV} "
        "or is asked on a terminal",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    for area in AREAS:
        area.add_commands(commands)
    return parser


def _run(run: Callable[[Any], int], args) -> int:
    try:
        status = run(args)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
        return status
    except BrokenPipeError:
        return _stdout_closed()
    except InvalidInput as exc:  # a command may name its fields as its options (set_defaults(field_labels=...))
        print(f"regulars: {exc.describe(getattr(args, 'field_labels', None))}", file=sys.stderr)
    except (RegularsError, CommandFailed) as exc:
        print(f"regulars: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        print("regulars: interrupted; nothing more was written.", file=sys.stderr)
    except (OSError, SQLAlchemyError, sqlcipher.Error) as exc:  # a busy file or a full disk says so
        print(f"regulars: {_fault_text(exc, args)}", file=sys.stderr)
    except Exception as exc:  # no traceback, and no message that might hold personal data
        print(f"regulars: {_unexpected(exc)}", file=sys.stderr)
    return 1


def _stdout_closed() -> int:
    """`regulars … | head` read what it wanted and closed the pipe: end quietly, as other commands do."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # what is still buffered goes nowhere, without a second error
    return 0


def _fault_text(exc: Exception, args) -> str:
    """"database is locked" outside a unit of work (which names it itself), a full disk, or unexpected."""
    if is_busy(exc):
        return Problem(BUSY).text()
    filename = getattr(exc, "filename", None)
    folder = Path(filename).parent if filename else Path(args.db).resolve().parent
    if is_disk_full(exc, folder):
        return str(DiskFull(folder))
    return _unexpected(exc)


def _unexpected(exc: Exception) -> str:
    return f"unexpected {type(exc).__name__}; nothing was written."


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        from desktop.ui.app import run_app

        return run_app(args.db)
    return _run(args.run, args)



if __name__ == "__main__":
    raise SystemExit(main())

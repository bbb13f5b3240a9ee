"""The command line: the same services as the app, for scripts and the back office.

Errors go to stderr with exit status 1 and nothing is written; usage errors exit 2.
`regulars` with no command opens the app. Each module here adds the commands of one area.
"""

from __future__ import annotations

import argparse
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
from desktop.cli.common import (
    NEW_PASSPHRASE_ENV,
    PASSPHRASE_ENV,
    RECOVERY_KEY_ENV,
    CommandFailed,
)
from desktop.errors import InvalidInput, RegularsError
from desktop.output_files import DiskFull, is_disk_full
from desktop.paths import default_shop_path

__all__ = ["NEW_PASSPHRASE_ENV", "PASSPHRASE_ENV", "RECOVERY_KEY_ENV", "build_parser", "main"]
AREAS = (shop_file, customers, signup, loyalty, reservations, warranties, calls, printing, backups, exports, sync,
         privacy, staff)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="regulars", description="Regulars: the customer book beside the till.")
    parser.add_argument("--db", type=Path, default=default_shop_path(), help="shop file (default: %(default)s)")
    parser.add_argument(
        "--recovery-key",
        action="store_true",
        help=f"unlock with the recovery key ({RECOVERY_KEY_ENV} or a prompt) instead of the passphrase",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    for area in AREAS:
        area.add_commands(commands)
    return parser


def _run(run: Callable[[Any], int], args) -> int:
    try:
        return run(args)
    except InvalidInput as exc:  # a command may name its fields as its options (set_defaults(field_labels=...))
        print(f"regulars: {exc.describe(getattr(args, 'field_labels', None))}", file=sys.stderr)
    except (RegularsError, CommandFailed) as exc:
        print(f"regulars: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        print("regulars: interrupted; nothing more was written.", file=sys.stderr)
    except (OSError, SQLAlchemyError, sqlcipher.Error) as exc:  # a full disk (under the shop file) says so
        print(f"regulars: {_disk_error_text(exc, args)}", file=sys.stderr)
    except Exception as exc:  # no traceback, and no message that might hold personal data
        print(f"regulars: unexpected {type(exc).__name__}; nothing was written.", file=sys.stderr)
    return 1


def _disk_error_text(exc: Exception, args) -> str:
    filename = getattr(exc, "filename", None)
    folder = Path(filename).parent if filename else Path(args.db).resolve().parent
    if not is_disk_full(exc, folder):
        return f"unexpected {type(exc).__name__}; nothing was written."
    return str(DiskFull(folder))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        from desktop.ui.app import run_app

        return run_app(args.db)
    return _run(args.run, args)



if __name__ == "__main__":
    raise SystemExit(main())

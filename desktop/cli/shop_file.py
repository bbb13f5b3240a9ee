"""The shop file itself: create it, fill it with demo data, check it, and change its keys."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import Callable

from desktop.cli.backups import TerminalProgress
from desktop.cli.common import (
    NEW_PASSPHRASE_ENV,
    CommandFailed,
    ask_passphrase,
    open_shop,
    print_recovery_key,
    require_acting,
    unlocking_secret,
    with_recovery_key,
)
from desktop.db.engine import verify_shop_file
from desktop.db.instance_lock import InstanceLock
from desktop.db.key_changes import new_recovery_key, recovery_key_opens, rotate_key
from desktop.db.key_file import ORIGIN_LEGACY, key_file_path, read_key_file, write_private_file
from desktop.db.keys import RecoveryKey
from desktop.db.unlock import Secret, read_header
from desktop.services.demo import make_demo_shop
from desktop.services.permissions import Permission
from desktop.services.shop import (
    PAPER_SIZES,
    ShopSettings,
    change_shop_passphrase,
    check_new_passphrase,
    check_settings,
    create_shop,
)


def cmd_init(args) -> int:
    settings = check_settings(
        ShopSettings(name=args.shop_name, region=args.region, currency=args.currency or "", paper_size=args.paper or "")
    )
    if Path(args.db).exists():
        raise CommandFailed(f"A file already exists at {args.db}; nothing was changed.")
    passphrase = ask_passphrase(confirm=True)
    check_new_passphrase(passphrase)
    create_shop(args.db, passphrase, settings).close()
    print(f"Created shop {settings.name!r} ({settings.region}, {settings.currency}) at {args.db}")
    print(f"Its key file is {key_file_path(args.db)}: back up both files together.")
    print(f"Next, print a recovery key to keep in a safe: regulars --db {args.db} recovery-key new")
    return 0


def cmd_demo(args) -> int:
    if args.customers < 0:
        raise CommandFailed("--customers must be zero or more.")
    if Path(args.db).exists():
        database = open_shop(args)
    else:
        passphrase = ask_passphrase(confirm=True)
        check_new_passphrase(passphrase)
        database = create_shop(args.db, passphrase, ShopSettings(name=args.shop_name, region=args.region))
    progress = TerminalProgress("Making demo customers…", at_end="")
    try:
        result = make_demo_shop(database, args.customers, seed=args.seed, progress=progress)
    finally:
        progress.end()
        database.close()
    print(f"Added {result.customers} demo customers to {args.db}")
    return 0


def cmd_check(args) -> int:
    database = open_shop(args, acting=False)  # reads the file's pages, not the book: no role needed
    try:
        problems = verify_shop_file(database)
    finally:
        database.close()
    if problems:
        raise CommandFailed(f"{args.db} is damaged: " + "; ".join(problems[:10]))
    print(f"{args.db}: encryption and structure check ok")
    return 0


def _new_passphrase() -> str:
    value = os.environ.get(NEW_PASSPHRASE_ENV)
    if value is not None:
        check_new_passphrase(value)
        return value
    if not sys.stdin or not sys.stdin.isatty():
        raise CommandFailed(f"No new passphrase: set {NEW_PASSPHRASE_ENV} or run on a terminal.")
    value = getpass.getpass("New passphrase: ")
    check_new_passphrase(value)
    check_new_passphrase(value, getpass.getpass("Same new passphrase again: "))
    return value


def _only_an_owner_changes_keys(args, secret: Secret) -> None:
    """On a shop with staff accounts, only an owner (named by --as, or holding the recovery key)
    changes how it is unlocked, as only the owner may in the window."""
    require_acting(args, Permission.SETTINGS, secret=secret)


def cmd_passphrase_change(args) -> int:
    old = unlocking_secret(args)
    _only_an_owner_changes_keys(args, old)
    new = _new_passphrase()
    if old == new:
        raise CommandFailed("That is the current passphrase; nothing was changed.")
    change_shop_passphrase(args.db, old, new)
    print(f"Changed the passphrase of {args.db}. A recovery key, if printed, still works.")
    if read_key_file(key_file_path(args.db)).key_origin == ORIGIN_LEGACY:
        print(
            "This shop file is still encrypted under a key made from its first passphrase, which opens it "
            "without the key file: run `regulars key rotate` so that passphrase stops working."
        )
    return 0


def cmd_recovery_key_new(args) -> int:
    out = _recovery_key_out(args, "recovery-key new")
    secret = unlocking_secret(args)
    _only_an_owner_changes_keys(args, secret)  # also refuses a wrong secret before any key is shown
    _switch_to_a_new_recovery_key(args.db, out, lambda recovery_key: new_recovery_key(args.db, secret, recovery_key))
    print(f"The new recovery key{f' saved in {out}' if out else ''} is the one that works now for {args.db}; "
          "the earlier one no longer does.")
    return 0


def cmd_key_rotate(args) -> int:
    if with_recovery_key(args):
        raise CommandFailed(
            "Rotating the key needs the passphrase. If it is forgotten, set a new one first: "
            "regulars --recovery-key passphrase change"
        )
    out = _recovery_key_out(args, "key rotate")
    passphrase = ask_passphrase()
    read_header(Path(args.db))  # a missing or foreign file is named before anything else happens
    with InstanceLock(Path(args.db)):  # the app must not have the file open while it is re-encrypted
        _only_an_owner_changes_keys(args, passphrase)  # also refuses a wrong passphrase before any key is shown
        _switch_to_a_new_recovery_key(args.db, out, lambda recovery_key: rotate_key(args.db, passphrase, recovery_key))
    print(
        f"Re-encrypted {args.db} under a new key. Old copies of its key file, old passphrases and the old "
        "recovery key no longer open it: back up the shop file and its key file together now."
    )
    print(f"The new recovery key{f' saved in {out}' if out else ''} is the one that works now.")
    return 0


def _recovery_key_out(args, command: str) -> Path | None:
    """--recovery-key-out FILE (a new file), or None to show the key on a terminal; refused before anything is asked."""
    out = Path(args.recovery_key_out) if args.recovery_key_out else None
    if out is None and not _on_a_terminal():
        raise CommandFailed(
            f"{command} shows the new recovery key and has you confirm it before the switch: run it on a "
            "terminal, or save the key to a file you choose with --recovery-key-out FILE. Nothing was changed."
        )
    if out is not None and (out.exists() or out.is_symlink()):
        raise CommandFailed(f"--recovery-key-out: {out} already exists; choose a new file. Nothing was changed.")
    return out


def _switch_to_a_new_recovery_key(path, out: Path | None, switch: Callable[[RecoveryKey], object]) -> None:
    """Makes a recovery key, puts it in the owner's hands (shown and confirmed, or saved in ``out``),
    and only then calls ``switch`` with it: killed at any point, a recovery key the owner has still works."""
    recovery_key = RecoveryKey.new()
    _hand_over(recovery_key, out)
    try:
        switch(recovery_key)
    except BaseException:
        _take_back_if_unused(path, recovery_key, out)
        raise


def _on_a_terminal() -> bool:
    return bool(sys.stdin) and sys.stdin.isatty()


def _hand_over(recovery_key: RecoveryKey, out: Path | None) -> None:
    """The new recovery key, in the owner's hands before the switch: saved to ``out`` (readable by
    this user only), or shown and confirmed by typing its last group back."""
    if out is not None:
        try:
            write_private_file(out, f"{recovery_key.text}\n".encode())
        except OSError as exc:
            raise CommandFailed(
                f"--recovery-key-out: cannot write {out}: {exc.strerror or exc}. Nothing was changed."
            ) from exc
        print(f"The new recovery key is saved in {out}. Keep it in a safe; the key is switched now.")
        return
    print("New recovery key (it replaces the earlier one once the key is switched):")
    print_recovery_key(recovery_key.text)
    last_group = recovery_key.text.rsplit("-", 1)[1]
    try:
        typed = input("Type its last four characters to confirm you have it: ")
    except EOFError:
        typed = ""
    if typed.strip().upper() != last_group:
        raise CommandFailed(
            "That is not how the new recovery key ends, so it was not put in use: nothing was changed, "
            "and the earlier recovery key still works."
        )


def _take_back_if_unused(path: Path, recovery_key: RecoveryKey, out: Path | None) -> None:
    """A rotation that failed before the switch: a saved key that never worked is removed, and the owner told."""
    try:
        in_use = recovery_key_opens(path, recovery_key)
    except Exception:
        return  # not known: the saved key stays, and opening the shop will tell which one works
    if in_use:
        return
    if out is not None:
        out.unlink(missing_ok=True)
    print("The new recovery key was not put in use: the earlier recovery key still works.", file=sys.stderr)


def add_commands(commands) -> None:
    init = commands.add_parser("init", help="create a new, encrypted shop file")
    init.add_argument("--shop-name", required=True)
    init.add_argument("--region", required=True, help="two-letter country code, e.g. BR, PT, GR, NL")
    init.add_argument("--currency", help="ISO 4217 code (default: the region's)")
    init.add_argument("--paper", choices=list(PAPER_SIZES),
                      help="paper size: A4, Letter, or a receipt roll (80mm, 58mm) for slips and certificates "
                           "(default: the region's sheet)")
    init.set_defaults(run=cmd_init)

    demo = commands.add_parser("demo", help="fill a shop (new or existing) with realistic fake customers")
    demo.add_argument("--customers", type=int, default=500)
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--shop-name", default="Padaria Demo", help="name of a new demo shop")
    demo.add_argument("--region", default="BR", help="region of a new demo shop")
    demo.set_defaults(run=cmd_demo)

    check = commands.add_parser("check", help="verify the shop file's encryption and structure")
    check.set_defaults(run=cmd_check)

    passphrase = commands.add_parser("passphrase", help="change the shop's passphrase")
    passphrase_commands = passphrase.add_subparsers(dest="passphrase_command", metavar="ACTION", required=True)
    change = passphrase_commands.add_parser(
        "change", help=f"new passphrase from {NEW_PASSPHRASE_ENV} or asked twice; the recovery key is kept"
    )
    change.set_defaults(run=cmd_passphrase_change)

    recovery = commands.add_parser("recovery-key", help="the printed key that unlocks the shop without the passphrase")
    recovery_commands = recovery.add_subparsers(dest="recovery_command", metavar="ACTION", required=True)
    recovery_new = recovery_commands.add_parser(
        "new", help="make a new recovery key; it is shown and confirmed (or saved) before it replaces the earlier one"
    )
    add_recovery_key_out(recovery_new)
    recovery_new.set_defaults(run=cmd_recovery_key_new)

    key = commands.add_parser("key", help="the shop file's encryption key")
    key_commands = key.add_subparsers(dest="key_command", metavar="ACTION", required=True)
    rotate = key_commands.add_parser(
        "rotate",
        help="re-encrypt the file under a new key; its new recovery key is shown and confirmed (or saved) first",
    )
    add_recovery_key_out(rotate)
    rotate.set_defaults(run=cmd_key_rotate)


def add_recovery_key_out(parser) -> None:
    parser.add_argument(
        "--recovery-key-out", metavar="FILE",
        help="save the new recovery key to FILE (a new file, readable by you only) instead of showing it",
    )  # fmt: skip

"""Child process for test_killed_rotation: runs `regulars key rotate` (or `recovery-key new`) and
SIGKILLs itself at one step.

Usage: python rotation_child.py SHOP_FILE RECOVERY_KEY_OUT STEP [rotate|recovery-key]
(passphrase in REGULARS_PASSPHRASE).
The steps are the moments a rotation writes or switches something; the kill is a real kill -9
of this process, as a power cut or a killed terminal would stop it.
"""

from __future__ import annotations

import os
import signal
import sys

from desktop.cli import main
from desktop.cli import shop_file as cli_shop_file
from desktop.db import key_changes

STEPS = (
    "before-saving-the-recovery-key",
    "after-saving-the-recovery-key",
    "after-writing-the-new-key-file",
    "after-re-encrypting",
    "before-moving-the-new-key-file",
    "after-moving-the-new-key-file",
)
# `recovery-key new` rewrites the key file in place: that write is its one switch.
RECOVERY_KEY_STEPS = (
    "before-saving-the-recovery-key",
    "after-saving-the-recovery-key",
    "before-writing-the-new-key-file",
    "after-writing-the-new-key-file",
)
COMMANDS = {"rotate": ["key", "rotate"], "recovery-key": ["recovery-key", "new"]}


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def kill_around(module, name: str, *, before: bool) -> None:
    real = getattr(module, name)

    def wrapper(*args, **kwargs):
        if before:
            die()
        result = real(*args, **kwargs)
        die()
        return result

    setattr(module, name, wrapper)


class KilledAfterRekey:
    """The rotation's exclusive connection, killed right after the re-encryption has committed."""

    def __init__(self, conn) -> None:
        self._conn = conn

    def execute(self, sql: str, *args):
        result = self._conn.execute(sql, *args)
        if sql.startswith("PRAGMA rekey"):
            die()
        return result

    def close(self) -> None:
        self._conn.close()


def arm(step: str) -> None:
    if step == "before-saving-the-recovery-key":
        kill_around(cli_shop_file, "write_private_file", before=True)
    elif step == "after-saving-the-recovery-key":
        kill_around(cli_shop_file, "write_private_file", before=False)
    elif step == "before-writing-the-new-key-file":
        kill_around(key_changes, "write_key_file", before=True)
    elif step == "after-writing-the-new-key-file":
        kill_around(key_changes, "write_key_file", before=False)
    elif step == "after-re-encrypting":
        real = key_changes._exclusive_connection
        key_changes._exclusive_connection = lambda *args: KilledAfterRekey(real(*args))
    elif step == "before-moving-the-new-key-file":
        kill_around(key_changes, "move_into_place", before=True)
    elif step == "after-moving-the-new-key-file":
        kill_around(key_changes, "move_into_place", before=False)
    else:
        raise SystemExit(f"unknown step {step}")


if __name__ == "__main__":
    shop, out, step = sys.argv[1:4]
    command = COMMANDS[sys.argv[4] if len(sys.argv) > 4 else "rotate"]
    arm(step)
    raise SystemExit(main(["--db", shop, *command, "--recovery-key-out", out]))

"""A key rotation killed at any step never loses the recovery key.

Each step of `regulars key rotate --recovery-key-out FILE` is stopped by a real kill -9 of
the process (tests/integration/rotation_child.py). Afterwards exactly one recovery key opens
the shop, and it is one the owner has: the earlier one (nothing was switched) or the new one
saved in FILE. The passphrase opens it throughout, and no customer is lost.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from desktop.db.engine import open_shop_file, verify_shop_file
from desktop.db.key_changes import new_recovery_key, recovery_key_opens
from desktop.db.key_file import pending_key_file_path
from desktop.db.keys import RecoveryKey
from desktop.services.customers import CustomerDetails, add_customer
from tests.conftest import PASSPHRASE
from tests.integration.rotation_child import RECOVERY_KEY_STEPS, STEPS

CHILD = Path(__file__).with_name("rotation_child.py")
SWITCHED = {"after-re-encrypting", "before-moving-the-new-key-file", "after-moving-the-new-key-file"}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL"),
]


@pytest.mark.parametrize("first_opened_with", ["passphrase", "recovery key"])
@pytest.mark.parametrize("step", STEPS)
def test_a_killed_rotation_leaves_a_known_recovery_key_working(shop_path, step, first_opened_with):
    old, saved = killed_at(shop_path, step, "rotate")

    # The next start finishes or undoes the rotation, whichever secret opens the shop first.
    if first_opened_with == "passphrase":
        opens_with_the_passphrase(shop_path)
    new = RecoveryKey.parse(saved.read_text()) if saved.exists() else None
    working = [name for name, key in (("old", old), ("new", new)) if key is not None and recovery_key_opens(shop_path, key)]
    assert working == (["new"] if step in SWITCHED else ["old"])
    opens_with_the_passphrase(shop_path)
    assert not pending_key_file_path(shop_path).exists()


@pytest.mark.parametrize("step", RECOVERY_KEY_STEPS)
def test_a_killed_recovery_key_new_leaves_a_known_recovery_key_working(shop_path, step):
    """`recovery-key new` saves (or shows and has confirmed) the new key before the key file is rewritten."""
    old, saved = killed_at(shop_path, step, "recovery-key")

    new = RecoveryKey.parse(saved.read_text()) if saved.exists() else None
    working = [name for name, key in (("old", old), ("new", new)) if key is not None and recovery_key_opens(shop_path, key)]
    assert working == (["new"] if step == "after-writing-the-new-key-file" else ["old"])
    opens_with_the_passphrase(shop_path)


def killed_at(shop_path: Path, step: str, command: str) -> tuple[RecoveryKey, Path]:
    """Ana in the shop and a recovery key made, then the child killed with -9 at ``step`` of ``command``;
    the earlier recovery key, and where the child saves the new one."""
    database = open_shop_file(shop_path, PASSPHRASE)
    with database.writing() as session:
        add_customer(session, CustomerDetails(first_name="Ana", email="ana@example.com"), "BR")
    database.close()
    old = RecoveryKey.parse(new_recovery_key(shop_path, PASSPHRASE))
    saved = shop_path.parent.parent / "recovery-key.txt"

    env = dict(os.environ, REGULARS_PASSPHRASE=PASSPHRASE)
    env.pop("REGULARS_RECOVERY_KEY", None)
    child = subprocess.run([sys.executable, str(CHILD), str(shop_path), str(saved), step, command],
                           env=env, capture_output=True, timeout=120)  # fmt: skip
    assert child.returncode == -signal.SIGKILL, child.stderr.decode(errors="replace")[-2000:]
    assert b"Traceback" not in child.stderr
    return old, saved


def opens_with_the_passphrase(shop_path: Path) -> None:
    database = open_shop_file(shop_path, PASSPHRASE)
    try:
        with database.reading() as session:
            assert session.execute(text("SELECT first_name FROM customers")).scalars().all() == ["Ana"]
        assert verify_shop_file(database) == []
    finally:
        database.close()

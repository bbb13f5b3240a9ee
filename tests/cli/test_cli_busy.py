"""Commands beside a long job: they go through between its short commits, and one that must wait says so.

Real processes on one shop file, as a till and a back-office script would run them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from desktop.cli import PASSPHRASE_ENV, PIN_ENV, RECOVERY_KEY_ENV
from desktop.db.engine import open_shop_file
from tests.cli.helpers import count_rows
from tests.conftest import PASSPHRASE

pytestmark = pytest.mark.slow
DEMO_CUSTOMERS = 60_000  # long enough for several commands to run beside it
START_TIMEOUT_S = 60


def regulars(db: Path, *args: str, **popen) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in (RECOVERY_KEY_ENV, PIN_ENV)}
    env[PASSPHRASE_ENV] = PASSPHRASE
    return subprocess.Popen([sys.executable, "-m", "desktop", "--db", str(db), *args], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            **popen)  # fmt: skip


def add_customer(db: Path, n: int) -> tuple[int, str, str]:
    child = regulars(db, "customers", "add", "--first-name", f"Till {n}", "--email", f"till{n}@example.com", "--json")
    out, err = child.communicate(timeout=START_TIMEOUT_S * 3)
    return child.returncode, out, err


def test_customers_added_while_a_demo_is_made_go_through(shop_path):
    demo = regulars(shop_path, "demo", "--customers", str(DEMO_CUSTOMERS), "--seed", "3")
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while count_rows(shop_path, "customers") == 0:  # its first batch is in: it is under way
            assert demo.poll() is None, demo.communicate()
            assert time.monotonic() < deadline, "the demo never committed a batch"
            time.sleep(0.2)
        added_meanwhile = []
        n = 0
        while demo.poll() is None:
            status, out, err = add_customer(shop_path, n)
            assert (status, "unexpected" in err) == (0, False), err
            if demo.poll() is None:  # finished while the demo was still running
                added_meanwhile.append(json.loads(out)["id"])
            n += 1
        demo_out, demo_err = demo.communicate(timeout=START_TIMEOUT_S)
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
    assert demo.returncode == 0, demo_err
    assert f"Added {DEMO_CUSTOMERS} demo customers" in demo_out
    assert added_meanwhile, "no command ran beside the demo: make the demo longer"
    assert count_rows(shop_path, "customers") == DEMO_CUSTOMERS + n


def test_a_command_that_must_wait_says_so_and_goes_through(shop_path):
    database = open_shop_file(shop_path, PASSPHRASE)
    try:
        with database.writing() as session:
            session.connection()  # another window holds the write lock
            child = regulars(shop_path, "customers", "add", "--first-name", "Bia", "--email", "bia@example.com")
            said = []
            reader = threading.Thread(target=lambda: said.append(child.stderr.readline()), daemon=True)
            reader.start()
            reader.join(START_TIMEOUT_S)
            assert said and "busy" in said[0] and "waiting" in said[0], said
            assert child.poll() is None  # still waiting, not failed
        out, err = child.communicate(timeout=START_TIMEOUT_S)
    finally:
        database.close()
    assert child.returncode == 0, err
    assert "Added" in out or "Bia" in out
    assert count_rows(shop_path, "customers") == 1

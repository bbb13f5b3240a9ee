"""A customer acknowledged as saved survives the till being killed at any moment.

A child process adds customers in a loop and prints each id only after its writing()
unit of work has committed; the parent SIGKILLs it at random moments, restarts it on the
same file, and finally checks that every acknowledged customer is there and the file is
sound.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from desktop.db.engine import open_shop_file, verify_shop_file

PASSPHRASE = "correct horse battery"  # the shared template's (tests/conftest.py)
CHILD = Path(__file__).with_name("durability_child.py")
ROUNDS = 5
START_TIMEOUT_S = 30

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL"),
]


def _run_and_kill(shop_path: Path, tag: str, delay: float, log: Path) -> list[tuple[int, str]]:
    """Starts a child, lets it write for `delay` seconds after it is ready, kills it, returns its acks."""
    env = dict(os.environ, REGULARS_PASSPHRASE=PASSPHRASE)
    with log.open("ab") as stderr:
        child = subprocess.Popen(
            [sys.executable, str(CHILD), str(shop_path), tag],
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=env,
            cwd=shop_path.parent.parent,
        )
    try:
        ready = threading.Event()
        lines: list[bytes] = []

        def read() -> None:
            for line in child.stdout:
                if line == b"ready\n":
                    ready.set()
                else:
                    lines.append(line)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        if not ready.wait(START_TIMEOUT_S):
            pytest.fail(f"child did not start: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=START_TIMEOUT_S)
        reader.join(timeout=START_TIMEOUT_S)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL, log.read_text(errors="replace")[-2000:]
    acks = []
    for line in lines:
        if not line.endswith(b"\n"):
            continue  # cut off mid-write: never acknowledged
        customer_id, email = line.decode().split()
        acks.append((int(customer_id), email))
    return acks


def test_acknowledged_customers_survive_sigkill(shop_path, tmp_path):
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    log = tmp_path / "child-stderr.log"
    acknowledged: list[tuple[int, str]] = []
    for round_number in range(ROUNDS):
        delay = rng.uniform(0.2, 1.5)
        acknowledged += _run_and_kill(shop_path, f"r{round_number}", delay, log)

    context = f"seed={seed}"
    assert acknowledged, context
    assert len({customer_id for customer_id, _ in acknowledged}) == len(acknowledged), context
    assert "Traceback" not in log.read_text(errors="replace"), context

    database = open_shop_file(shop_path, PASSPHRASE)
    try:
        with database.reading() as session:
            stored = dict(session.execute(text("SELECT id, email FROM customers")).all())
            integrity = session.execute(text("PRAGMA integrity_check")).scalars().all()
            orphans = session.execute(
                text("SELECT count(*) FROM customer_search_keys WHERE customer_id NOT IN (SELECT id FROM customers)")
            ).scalar_one()
        problems = verify_shop_file(database)
    finally:
        database.close()
    missing = [(i, e) for i, e in acknowledged if stored.get(i) != e]
    assert missing == [], context
    assert len(stored) >= len(acknowledged)
    assert integrity == ["ok"], context
    assert orphans == 0
    assert problems == [], context

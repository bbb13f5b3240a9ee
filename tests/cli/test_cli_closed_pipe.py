"""`regulars … | head`: a reader that stops early ends the command quietly."""

from __future__ import annotations

import os
import subprocess
import sys

from desktop.cli import PASSPHRASE_ENV
from tests.cli.helpers import ok
from tests.conftest import PASSPHRASE


def test_a_closed_pipe_ends_quietly(cli, shop_path):
    for number in range(3):
        ok(cli, shop_path, "customers", "add", "--first-name", f"Ana{number}", "--phone", f"1198765432{number}")
    reader, writer = os.pipe()
    os.close(reader)  # `head` has read its lines and gone
    try:
        result = subprocess.run(
            [sys.executable, "-m", "desktop", "--db", str(shop_path), "customers", "find"],
            env={**os.environ, PASSPHRASE_ENV: PASSPHRASE}, stdin=subprocess.DEVNULL, stdout=writer,
            stderr=subprocess.PIPE, text=True, timeout=120,
        )
    finally:
        os.close(writer)
    assert result.stderr == ""
    assert result.returncode == 0

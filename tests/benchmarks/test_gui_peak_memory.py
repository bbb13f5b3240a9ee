"""The GUI session's peak memory is its own, not that of the process that started it.

On Linux ru_maxrss survives exec: a child of the benchmark suite reported at least the suite's
own peak (572 MB at a million customers, set by the suite's sync import of the 100,000-customer
shop, where the window itself peaked at 218 MB).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BALLAST_MB = 400


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="VmHWM is read from /proc")
def test_the_reported_peak_is_the_sessions_own_not_its_parents():
    ballast = bytearray(BALLAST_MB << 20)
    ballast[:: 1 << 12] = b"\x01" * len(range(0, len(ballast), 1 << 12))  # every page resident
    code = "from benchmarks.gui_session import peak_rss_mb; print(peak_rss_mb())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert float(done.stdout) < BALLAST_MB / 2  # a bare interpreter, not the ballast held here
    assert ballast[0] == 1

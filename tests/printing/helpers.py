"""What the printing tests share beyond reading PDFs (tests/pdf_reading.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_CHECK = (
    "loaded = sorted(name for name in sys.modules\n"
    "                if name.split('.')[0] in ('PySide6', 'shiboken6', 'sqlalchemy', 'sqlcipher3')\n"
    "                or name.startswith(('desktop.db', 'desktop.services', 'desktop.ui')))\n"
    "print(loaded)\n"
    "sys.exit(1 if loaded else 0)\n"
)


def assert_prints_alone(code: str) -> None:
    """Runs code (which renders something; io and sys are imported) in a fresh interpreter and fails
    if that loaded Qt, SQLAlchemy, SQLCipher or the database, service or window layers."""
    script = "import io, sys\n" + code + _CHECK
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr

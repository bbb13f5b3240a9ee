"""A bundle whose file inflates far beyond its rows is refused at once, and the import's memory stays small
whatever a file inflates to: the bundle is read as a stream, never held whole.

The import runs in a process of its own, which reports its peak resident memory (VmHWM) above what it
held just before the import.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.sync.bundle import MAX_LINE_BYTES
from desktop.sync.export import export_bundle
from tests.conftest import PASSPHRASE
from tests.sync_helpers import SYNC_PASSPHRASE, fill_book, members, rezip

INFLATED = 160 << 20  # what customers.csv unpacks to; the bundle itself stays well under a megabyte
MEMORY_BOUND_MB = 64  # above what the process held before the import

IMPORT_AND_MEASURE = """
import json, sys
from benchmarks.memory import peak_rss_mb, reset_peak
from desktop.db.engine import open_shop_file
from desktop.errors import RegularsError
from desktop.sync.importer import import_bundle

shop, passphrase, bundle, sync_passphrase = sys.argv[1:5]
database = open_shop_file(shop, passphrase)
before = reset_peak()
try:
    import_bundle(database, bundle, passphrase=sync_passphrase)
    message = ""
except RegularsError as error:
    message = str(error)
print(json.dumps({"message": message, "above_mb": peak_rss_mb() - before}))
"""


def import_in_a_process(till: Path, bundle: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_AND_MEASURE, str(till), PASSPHRASE, str(bundle), SYNC_PASSPHRASE],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def bomb(shop, tmp_path: Path, rows: int | None) -> Path:
    """A sealed bundle (as a till knowing the sync passphrase could make it) whose customers.csv is its
    header and then one line of INFLATED bytes; the manifest says it holds rows rows (None: as exported)."""
    fill_book(shop)
    files = members(export_bundle(shop, tmp_path / "a.zip", passphrase=SYNC_PASSPHRASE).path)
    header = files["customers.csv"].split(b"\r\n", 1)[0]
    files["customers.csv"] = header + b"\r\n" + b"a" * INFLATED
    if rows is not None:
        manifest = json.loads(files["manifest.json"])
        next(entry for entry in manifest["files"] if entry["table"] == "customers")["rows"] = rows
        files["manifest.json"] = json.dumps(manifest).encode()
    out = rezip(tmp_path / "bomb.zip", files)
    assert out.stat().st_size < 1_000_000
    return out


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (None, "customers.csv is larger than its rows can be"),  # refused before it is inflated
        (20_000, f"customers.csv, line 2: the line is longer than {MAX_LINE_BYTES} bytes"),  # while streaming
    ],
    ids=["larger than its rows allow", "within the allowance, one endless line"],
)
def test_a_size_bomb_is_refused_in_little_memory(shop, till_b, tmp_path, rows, expected):
    bundle = bomb(shop, tmp_path, rows)
    till_path = till_b.path
    till_b.close()

    result = import_in_a_process(till_path, bundle)

    assert expected in result["message"] and "othing was imported" in result["message"]
    assert result["above_mb"] < MEMORY_BOUND_MB, result

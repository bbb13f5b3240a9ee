"""The baseline: the same rows in an unencrypted SQLite file, timed by plain sqlite3 in another process.

The copy is made here with sqlcipher3 itself (SQLCipher's documented ``sqlcipher_export``
into a database attached with an empty key), so nothing but sqlcipher3 ever opens the
shop file. The timing happens in ``benchmarks.plain_sqlite_worker``, a separate process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.query_samples import QuerySamples
from benchmarks.registry import RunOptions
from benchmarks.synthetic_shop import SyntheticShop
from desktop.db.engine import open_shop_file

PLAIN_FILE = "plain-baseline.sqlite"
_REPO_ROOT = Path(__file__).resolve().parent.parent


def plain_copy(shop: SyntheticShop) -> tuple[Path, float]:
    """The unencrypted copy beside the cached shop (made now if missing) and the seconds it took."""
    target = shop.folder / PLAIN_FILE
    if target.exists():
        return target, 0.0
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    started = time.perf_counter()
    database = open_shop_file(shop.path, shop.passphrase)
    try:
        raw = database.engine.raw_connection()
        try:
            conn = raw.driver_connection
            conn.execute("ATTACH DATABASE ? AS plain KEY ''", (str(partial),))
            conn.execute("SELECT sqlcipher_export('plain')")
            conn.execute("DETACH DATABASE plain")
        finally:
            raw.close()
    finally:
        database.close()
    partial.rename(target)
    return target, time.perf_counter() - started


def run_baseline(shop: SyntheticShop, samples: QuerySamples, options: RunOptions) -> dict:
    path, copy_seconds = plain_copy(shop)
    request = {
        "path": str(path),
        "limit": options.limit,
        "unlock_runs": options.unlock_runs,
        "params": samples.baseline_params(),
    }
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(_REPO_ROOT), env.get("PYTHONPATH"))))
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.plain_sqlite_worker"],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"plain-SQLite baseline failed:\n{done.stderr}")
    result = json.loads(done.stdout)
    result["copy_seconds"] = copy_seconds
    return result

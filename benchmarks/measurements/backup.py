"""Backup: a verified online copy of the shop file (desktop.db.backup.backup_shop) into an empty folder.

The time is everything a backup does: the row counts of the snapshot, the page copy, and
the checks of the copy (both integrity checks and the row counts again), which read the
whole copy once more. The details split the copy from the rest.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from benchmarks.latency import median
from benchmarks.registry import BenchContext, Figure, measurement
from desktop.db.backup import backup_shop
from desktop.db.engine import open_shop_file

BACKUP_TIME = Figure("backup_s", "Backup, verified (median)", "s")
BACKUP_RATE = Figure("backup_mb_per_s", "Backup throughput", "MB/s", higher_is_better=True)
LARGE_FILE_BYTES = 200_000_000  # above this, one run is enough (and spares the disk)


def backup_once(database, folder: Path, name: str) -> dict[str, float]:
    copied_at: list[float] = []
    started = time.perf_counter()
    report = backup_shop(database, folder / name, progress=lambda done, total: copied_at.append(time.perf_counter()))
    seconds = time.perf_counter() - started
    for path in (report.path, report.key_file):
        if path is not None:
            path.unlink()
    return {
        "seconds": seconds,
        "copy_seconds": copied_at[-1] - started if copied_at else seconds,
        "bytes": report.size_bytes,
        "pages": report.pages,
    }


@measurement("backup", BACKUP_TIME, BACKUP_RATE)
def measure_backup(ctx: BenchContext) -> dict[str, float]:
    database = open_shop_file(ctx.shop.path, ctx.shop.passphrase)
    try:
        with tempfile.TemporaryDirectory(prefix="regulars-backup-bench-") as folder:
            runs = [backup_once(database, Path(folder), "run-1.regulars")]
            if runs[0]["bytes"] < LARGE_FILE_BYTES:
                runs += [backup_once(database, Path(folder), f"run-{n}.regulars") for n in (2, 3)]
    finally:
        database.close()
    seconds = median([run["seconds"] for run in runs])
    size = runs[0]["bytes"]
    ctx.details["backup"] = {
        "runs_s": [round(run["seconds"], 3) for run in runs],
        "copy_s": round(median([run["copy_seconds"] for run in runs]), 3),
        "file_mb": round(size / 1e6, 1),
        "pages": runs[0]["pages"],
    }
    return {BACKUP_TIME.key: seconds, BACKUP_RATE.key: size / 1e6 / seconds}

"""Sync bundles: a full export of the synthetic shop (AES-256 zip), and its import into a new, empty till.

Export is counted in customers per second (the whole book goes: customers, their phones,
loyalty cards and ledger, consents and calls), the median of three exports (the machine's
noise shows in the details); import in rows per second across every file, each row checked as the
services check it (phones parsed, emails validated, text cleaned) and merged in one
transaction, search keys rebuilt. The details split import into reading (decrypt, verify,
parse) and the rest, and say how many rows each file held. Memory during import is the
process's peak resident memory while importing, above what it held just before (the
issue's bound: 300 MB at a million customers).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from benchmarks.latency import median
from benchmarks.memory import peak_rss_mb, reset_peak
from benchmarks.registry import BenchContext, Figure, measurement
from desktop.db.engine import open_shop_file
from desktop.services.shop import ShopSettings, create_shop
from desktop.sync.bundle import verify_bundle
from desktop.sync.export import export_bundle
from desktop.sync.importer import import_bundle

SYNC_PASSPHRASE = "benchmark sync passphrase"
EXPORT_RATE = Figure("sync_export_customers_per_s", "Sync export, full (AES zip)", "customers/s",
                     target=100_000, higher_is_better=True)
IMPORT_RATE = Figure("sync_import_rows_per_s", "Sync import into a new till, checked", "rows/s",
                     target=20_000, higher_is_better=True)
IMPORT_MEMORY = Figure("sync_import_memory_mb", "Sync import, peak memory above before", "MB", target=300.0)
EXPORT_RUNS = 3


@measurement("sync", EXPORT_RATE, IMPORT_RATE, IMPORT_MEMORY)
def measure_sync(ctx: BenchContext) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="regulars-sync-bench-") as folder:
        folder = Path(folder)
        database = open_shop_file(ctx.shop.path, ctx.shop.passphrase)
        try:
            export_seconds = []
            for run in range(EXPORT_RUNS):
                report = export_bundle(database, folder / "bundle.zip", passphrase=SYNC_PASSPHRASE, full=True,
                                       replace=True)  # each run writes over the one before
                export_seconds.append(report.seconds)
        finally:
            database.close()
        bundle = folder / "bundle.zip"
        started = time.perf_counter()
        verify_bundle(bundle, SYNC_PASSPHRASE)
        read_seconds = time.perf_counter() - started
        till = create_shop(folder / "till.regulars", ctx.shop.passphrase,
                           ShopSettings(name="Benchmark Till", region=ctx.shop.region))
        try:
            before_mb = reset_peak()
            started = time.perf_counter()
            imported = import_bundle(till, bundle, passphrase=SYNC_PASSPHRASE)
            import_seconds = time.perf_counter() - started
            import_memory_mb = peak_rss_mb() - before_mb
        finally:
            till.close()
        rows = report.rows
        ctx.details["sync"] = {
            "bundle_mb": round(bundle.stat().st_size / 1e6, 1),
            "export_runs_s": [round(s, 3) for s in export_seconds],
            "rows": {entry.table: entry.rows for entry in report.manifest.files if entry.rows},
            "import_s": round(import_seconds, 3),
            "import_read_s": round(read_seconds, 3),
            "import_added": imported.total("added"),
            "import_rejected": imported.total("rejected"),
            "import_rss_before_mb": round(before_mb, 1),
        }
    return {
        EXPORT_RATE.key: report.customers / median(export_seconds),
        IMPORT_RATE.key: rows / import_seconds,
        IMPORT_MEMORY.key: import_memory_mb,
    }

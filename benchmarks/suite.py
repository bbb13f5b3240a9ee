"""One run of the suite: for each size, a synthetic shop, every registered measurement, the baseline."""

from __future__ import annotations

import sys
import time
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

from benchmarks import registry
from benchmarks.machine import describe_machine
from benchmarks.plain_sqlite_baseline import run_baseline
from benchmarks.query_samples import draw_samples
from benchmarks.registry import BenchContext, RunOptions
from benchmarks.synthetic_shop import obtain_shop
from desktop.db.engine import open_shop_file


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_size(
    customers: int, *, seed: int, region: str, cache_dir: Path, options: RunOptions, fresh: bool, baseline: bool,
    only: list[str] | None = None,
) -> dict:
    started = time.perf_counter()
    _say(f"[{customers:,}] synthetic shop (seed {seed}, region {region})...")
    shop = obtain_shop(cache_dir, customers, seed, region, fresh=fresh)
    _say(
        f"[{customers:,}] {'built' if shop.built_now else 'reused'} {shop.path} "
        f"({shop.path.stat().st_size / 1e6:,.0f} MB; demo data {shop.demo_seconds:,.1f} s)"
    )
    database = open_shop_file(shop.path, shop.passphrase)
    try:
        samples = draw_samples(database, options.queries, options.warmup, seed)
    finally:
        database.close()
    ctx = BenchContext(shop=shop, samples=samples, options=options)
    figures: dict[str, float] = {}
    for measurement in registry.measurements():
        if only and measurement.name not in only:
            continue
        _say(f"[{customers:,}] measuring {measurement.name}...")
        figures.update(measurement.run(ctx))
    run = {
        "customers": customers,
        "shop": {
            "file": str(shop.path),
            "file_mb": round(shop.path.stat().st_size / 1e6, 1),
            "built_now": shop.built_now,
            "built_at": shop.built_at,
            "demo_seconds": shop.demo_seconds,
            "history": shop.history,
        },
        "figures": figures,
        "details": {**ctx.details, "query_composition": samples.composition},
    }
    if baseline:
        _say(f"[{customers:,}] plain-SQLite baseline...")
        plain = run_baseline(shop, samples, options)
        run["baseline"] = plain.pop("figures")
        run["baseline_details"] = plain
        run["ratio"] = {
            key: value / run["baseline"][key] for key, value in figures.items() if run["baseline"].get(key)
        }
    run["seconds"] = time.perf_counter() - started
    _say(f"[{customers:,}] done in {run['seconds']:,.0f} s")
    return run


def run_suite(
    sizes: list[int],
    *,
    seed: int,
    region: str,
    cache_dir: Path,
    options: RunOptions,
    fresh: bool = False,
    baseline: bool = True,
    only: list[str] | None = None,
) -> dict:
    unknown = set(only or ()) - {m.name for m in registry.measurements()}
    if unknown:
        raise SystemExit(f"no measurement named {', '.join(sorted(unknown))}")
    runs = {
        str(n): run_size(n, seed=seed, region=region, cache_dir=cache_dir, options=options, fresh=fresh,
                         baseline=baseline, only=only)
        for n in sizes
    }
    largest = str(max(sizes))
    verdicts = {}
    for figure in registry.figures():
        value = runs[largest]["figures"].get(figure.key)
        if figure.target is not None and value is not None:
            verdicts[figure.key] = {
                "customers": int(largest),
                "value": value,
                "target": figure.target,
                "target_customers": registry.TARGET_SIZE,
                "verdict": figure.verdict(value),
            }
    return {
        "suite": "regulars-benchmarks",
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": describe_machine(),
        "seed": seed,
        "region": region,
        "options": asdict(options),
        "sizes": sizes,
        "figures": [
            {
                "key": f.key,
                "label": f.label,
                "unit": f.unit,
                "target": f.target,
                "target_customers": registry.TARGET_SIZE if f.target is not None else None,
                "higher_is_better": f.higher_is_better,
                "has_baseline": f.has_baseline,
            }
            for f in registry.figures()
        ],
        "runs": runs,
        "verdicts": verdicts,
    }

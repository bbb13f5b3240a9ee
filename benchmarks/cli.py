"""``python -m benchmarks``: build or reuse synthetic shops, measure, print the table, write JSON."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import datetime
from pathlib import Path

from benchmarks.registry import RunOptions, figures
from benchmarks.report import format_table, write_json
from benchmarks.suite import run_suite
from benchmarks.synthetic_shop import DEFAULT_CACHE_DIR

DEFAULT_SIZES = "10000,100000"
RESULTS_DIR = Path(__file__).resolve().parent / "results"


def parse_size(text: str) -> int:
    """10000, 10_000, 10k, 1M or 1,000,000."""
    match = re.fullmatch(r"\s*([\d_,]+)\s*([kKmM]?)\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"not a number of customers: {text!r}")
    number = int(match.group(1).replace("_", "").replace(",", ""))
    number *= {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2).lower()]
    if number < 1:
        raise argparse.ArgumentTypeError("the number of customers must be at least 1")
    return number


def parse_sizes(text: str) -> list[int]:
    return sorted({parse_size(part) for part in text.split(",") if part.strip()})


def parse_names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--customers", type=parse_size, help="one shop size, e.g. 1000000 or 1M")
    which.add_argument("--sizes", type=parse_sizes, help=f"several sizes, comma-separated (default {DEFAULT_SIZES})")
    parser.add_argument("--json", type=Path, help="where to write the figures (default benchmarks/results/<time>.json)")
    parser.add_argument("--seed", type=int, default=1, help="demo data and query sample seed (default 1)")
    parser.add_argument("--region", default="BR", help="the synthetic shop's country (default BR)")
    parser.add_argument("--queries", type=int, default=RunOptions.queries, help="timed queries per lookup figure")
    parser.add_argument("--warmup", type=int, default=RunOptions.warmup, help="untimed queries before each lookup figure")
    parser.add_argument("--limit", type=int, default=RunOptions.limit, help="results per lookup (the app's page)")
    parser.add_argument("--unlock-runs", type=int, default=RunOptions.unlock_runs, help="unlocks to take the median of")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR, help="where synthetic shops are kept")
    parser.add_argument("--fresh", action="store_true", help="rebuild the synthetic shops even if cached")
    parser.add_argument("--no-baseline", action="store_true", help="skip the plain-SQLite baseline")
    parser.add_argument("--only", type=parse_names, metavar="NAMES",
                        help="only these measurements, comma-separated (e.g. sync, or unlock,lookups)")
    parser.add_argument("--fail-on-miss", action="store_true", help="exit with status 1 if a target is missed")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    sizes = [args.customers] if args.customers else (args.sizes or parse_sizes(DEFAULT_SIZES))
    if args.queries < 1 or args.warmup < 0 or args.unlock_runs < 1 or args.limit < 1:
        print("--queries, --unlock-runs and --limit must be at least 1, --warmup at least 0", file=sys.stderr)
        return 2
    options = RunOptions(queries=args.queries, warmup=args.warmup, unlock_runs=args.unlock_runs, limit=args.limit)
    result = run_suite(
        sizes,
        seed=args.seed,
        region=args.region.upper(),
        cache_dir=args.cache_dir,
        options=options,
        fresh=args.fresh,
        baseline=not args.no_baseline,
        only=args.only,
    )
    json_path = args.json or RESULTS_DIR / f"benchmarks-{datetime.now():%Y%m%d-%H%M%S}.json"
    write_json(result, json_path)
    print(format_table(result))
    print(f"\nFigures written to {json_path}")
    missed = [f.key for f in figures() if result["verdicts"].get(f.key, {}).get("verdict") == "MISS"]
    return 1 if missed and args.fail_on_miss else 0

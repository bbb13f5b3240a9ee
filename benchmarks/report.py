"""The printed table and the JSON file: the same figures, for people and for tools."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.registry import TARGET_SIZE, Figure, figures


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "customers/s":
        return f"{value:,.0f}"
    if value < 0.01:
        return f"{value:.2g}"
    return f"{value:.3f}" if value < 10 else f"{value:,.1f}"


def _ratio(value: float | None) -> str:
    if not value:
        return "-"
    return f"x{value:.2f}" if value < 10 else f"x{value:.1f}" if value < 100 else f"x{value:,.0f}"


def _target(figure: Figure) -> str:
    if figure.target is None:
        return "-"
    sign = ">=" if figure.higher_is_better else "<="
    return f"{sign} {figure.target:g}"


def _size(n: int) -> str:
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n % 1_000 == 0:
        return f"{n // 1_000}k"
    return f"{n:,}"


def format_table(result: dict) -> str:
    sizes = result["sizes"]
    largest = str(max(sizes))
    below_target = max(sizes) < TARGET_SIZE
    header = ["Figure", "Unit", *(_size(n) for n in sizes), "Target", "Baseline", "Ratio", "Result"]
    rows = [header]
    for figure in figures():
        last = result["runs"][largest]
        value = last["figures"].get(figure.key)
        baseline = last.get("baseline", {}).get(figure.key)
        ratio = last.get("ratio", {}).get(figure.key)
        verdict = figure.verdict(value) if value is not None else ""
        if verdict and below_target:
            verdict += "*"
        rows.append(
            [
                figure.label,
                figure.unit,
                *(_number(result["runs"][str(n)]["figures"].get(figure.key), figure.unit) for n in sizes),
                _target(figure),
                _number(baseline, figure.unit),
                _ratio(ratio),
                verdict,
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for index, row in enumerate(rows):
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        cells += [cell.rjust(width) for cell, width in zip(row[2:-1], widths[2:-1])]
        cells.append(row[-1].ljust(widths[-1]))
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    machine = result["machine"]
    notes = [
        f"Machine: {machine['cpus']} CPUs, {machine['cpu_model']}; Python {machine['python']}; "
        f"SQLCipher {machine['sqlcipher']} (SQLite {machine['sqlcipher_sqlite']}); "
        f"baseline SQLite {_baseline_sqlite(result)}",
        f"Targets are for {TARGET_SIZE:,} customers. Baseline (plain, unencrypted SQLite, raw SQL, best plain "
        f"indexes) and Ratio (ours / baseline) are at {int(largest):,} customers.",
        f"Latencies: {result['options']['queries']:,} queries per lookup figure after "
        f"{result['options']['warmup']:,} untimed ones; unlock is the median of {result['options']['unlock_runs']} runs.",
    ]
    if below_target:
        notes.append(f"* judged at {int(largest):,} customers, below the {TARGET_SIZE:,} the targets are set for.")
    hit = result["runs"][largest]["details"].get("hit_rate")
    if hit:
        notes.append("Hit rate at largest size: " + ", ".join(f"{k} {v:.1%}" for k, v in hit.items()))
    source = result["runs"][largest]["details"].get("demo_rate_from")
    if source:
        notes.append(f"Demo rate at largest size: from {source}.")
    return "\n".join(lines + [""] + notes)


def _baseline_sqlite(result: dict) -> str:
    for run in result["runs"].values():
        version = run.get("baseline_details", {}).get("sqlite_version")
        if version:
            return version
    return "-"


def write_json(result: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    partial.replace(path)

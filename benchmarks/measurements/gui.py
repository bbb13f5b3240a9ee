"""The real window, offscreen, in a fresh process: cold start, keystroke to paint, memory.

A fresh process is the honest way to measure a cold start and a peak memory: nothing the
suite itself has imported or cached counts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.latency import percentile, to_ms
from benchmarks.registry import BenchContext, Figure, measurement

QUERIES_PER_KIND = 40
KINDS = ("exact_phone", "last4", "name_prefix", "email_prefix")

COLD_START = Figure("gui_cold_start_s", "GUI cold start to usable lookup box", "s", target=2.0)
KEY_P50 = Figure("gui_keystroke_p50_ms", "GUI keystroke to painted results p50", "ms")
KEY_P99 = Figure("gui_keystroke_p99_ms", "GUI keystroke to painted results p99", "ms", target=50.0)
PEAK_MEMORY = Figure("gui_peak_memory_mb", "GUI peak memory (typing + scrolling)", "MB", target=300.0)


@measurement("gui", COLD_START, KEY_P50, KEY_P99, PEAK_MEMORY)
def measure_gui(ctx: BenchContext) -> dict[str, float]:
    typed = [q.text for kind in KINDS for q in ctx.samples.timed.get(kind, [])[:QUERIES_PER_KIND]]
    with tempfile.TemporaryDirectory() as folder:
        queries = Path(folder) / "queries.json"
        queries.write_text(json.dumps(typed, ensure_ascii=False), encoding="utf-8")
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.gui_session", str(ctx.shop.path), ctx.shop.passphrase, str(queries)],
            capture_output=True, text=True, env=env, check=True,
            cwd=Path(__file__).resolve().parents[2],
        )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    keystrokes = result["keystrokes_s"]
    ctx.details["gui_keystrokes"] = len(keystrokes)
    ctx.details["gui_rows_loaded_after_scrolling"] = result["rows_loaded_after_scrolling"]
    return {
        COLD_START.key: result["cold_start_s"],
        KEY_P50.key: to_ms(percentile(keystrokes, 50)),
        KEY_P99.key: to_ms(percentile(keystrokes, 99)),
        PEAK_MEMORY.key: result["peak_rss_mb"],
    }

"""Timing a call over many inputs, and the percentiles the figures quote."""

from __future__ import annotations

import gc
import math
import statistics
import time
from typing import Callable, Iterable, TypeVar

T = TypeVar("T")
R = TypeVar("R")
K = TypeVar("K")


def time_each(
    call: Callable[[T], R], inputs: Iterable[T], keep: Callable[[T, R], K] = lambda value, result: None
) -> tuple[list[float], list[K]]:
    """Seconds taken by call(x) for each input, in order, and keep(x, result) worked out after the clock stops.

    Only what keep returns is held on to: holding every result of thousands of calls would grow
    the heap until the garbage collector's full passes showed up in the slowest calls.
    """
    gc.collect()  # start each series without the previous one's garbage
    clock = time.perf_counter
    seconds, kept = [], []
    for value in inputs:
        started = clock()
        result = call(value)
        seconds.append(clock() - started)
        kept.append(keep(value, result))
        del result
    return seconds, kept


def percentile(samples: list[float], pct: float) -> float:
    """Nearest-rank percentile: the smallest sample at or above pct percent of them."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def to_ms(seconds: float) -> float:
    return seconds * 1000.0

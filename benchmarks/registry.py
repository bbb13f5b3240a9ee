"""The catalogue of figures and the measurements that produce them.

A measurement is a function taking a ``BenchContext`` (one synthetic shop, its query
samples and the run's options) and returning ``{figure key: value}``. It declares its
figures when it registers, so the report and the JSON know every figure up front.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from benchmarks.query_samples import QuerySamples
    from benchmarks.synthetic_shop import SyntheticShop

TARGET_SIZE = 1_000_000


@dataclass(frozen=True)
class Figure:
    key: str  # JSON key, e.g. "exact_phone_p99_ms"
    label: str  # what the table prints
    unit: str  # "s", "ms", "customers/s"
    target: float | None = None  # at TARGET_SIZE customers
    higher_is_better: bool = False
    has_baseline: bool = False  # the plain-SQLite worker reports the same figure

    def verdict(self, value: float) -> str:
        if self.target is None:
            return ""
        ok = value >= self.target if self.higher_is_better else value <= self.target
        return "pass" if ok else "MISS"


@dataclass(frozen=True)
class RunOptions:
    queries: int = 2_000  # timed queries per lookup figure
    warmup: int = 200  # untimed queries (a different sample) before each lookup figure
    unlock_runs: int = 5
    limit: int = 50  # results per lookup: a page of the till's results list (desktop/ui PAGE)


@dataclass
class BenchContext:
    shop: SyntheticShop
    samples: QuerySamples
    options: RunOptions
    details: dict[str, Any] = field(default_factory=dict)  # extra facts for the JSON (hit rates, ...)


@dataclass(frozen=True)
class Measurement:
    name: str
    figures: tuple[Figure, ...]
    run: Callable[[BenchContext], dict[str, float]]


_MEASUREMENTS: dict[str, Measurement] = {}


def measurement(name: str, *figures: Figure):
    """Registers the decorated function as the measurement producing these figures."""

    def register(run: Callable[[BenchContext], dict[str, float]]):
        if name in _MEASUREMENTS:
            raise ValueError(f"measurement {name!r} registered twice")
        _MEASUREMENTS[name] = Measurement(name=name, figures=figures, run=run)
        return run

    return register


def measurements() -> list[Measurement]:
    import benchmarks.measurements  # noqa: F401  (registers every measurement module)

    return list(_MEASUREMENTS.values())


def figures() -> list[Figure]:
    return [figure for m in measurements() for figure in m.figures]

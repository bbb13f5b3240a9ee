"""How fast demo data goes in: add_demo_customers plus its commit, at the full size.

Measured when the synthetic shop is built; a shop reused from the cache reports the rate
of its own build (the JSON says which).
"""

from __future__ import annotations

from benchmarks.registry import BenchContext, Figure, measurement

DEMO_RATE = Figure("demo_rate", "Demo data generation", "customers/s", higher_is_better=True)


@measurement("demo_rate", DEMO_RATE)
def measure_demo_rate(ctx: BenchContext) -> dict[str, float]:
    ctx.details["demo_rate_from"] = "this run" if ctx.shop.built_now else f"cached build of {ctx.shop.built_at}"
    return {DEMO_RATE.key: ctx.shop.demo_rate}

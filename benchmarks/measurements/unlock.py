"""Unlock: from passphrase to the first list on screen.

open_shop_file (key derivation, open, schema check and upgrade) plus the first reading
the app does: the shop's settings and the most recently seen customers.
"""

from __future__ import annotations

import time

from benchmarks.latency import median
from benchmarks.registry import BenchContext, Figure, measurement
from desktop.db.engine import open_shop_file
from desktop.services.lookup import find_customers
from desktop.services.shop import shop_settings

UNLOCK = Figure("unlock_s", "Unlock + first query (median)", "s", target=0.5, has_baseline=True)


def unlock_once(shop, limit: int) -> float:
    started = time.perf_counter()
    database = open_shop_file(shop.path, shop.passphrase)
    try:
        with database.reading() as session:
            region = shop_settings(session).region
            find_customers(session, "", region, limit=limit)
        return time.perf_counter() - started
    finally:
        database.close()


@measurement("unlock", UNLOCK)
def measure_unlock(ctx: BenchContext) -> dict[str, float]:
    runs = [unlock_once(ctx.shop, ctx.options.limit) for _ in range(ctx.options.unlock_runs)]
    ctx.details["unlock_runs_s"] = runs
    return {UNLOCK.key: median(runs)}

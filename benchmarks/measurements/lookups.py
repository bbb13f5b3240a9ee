"""Lookup at the till, at the service layer: find_customers in a reading session, as the app calls it.

Each query is timed from opening the reading session to having the result list, so the
figure includes parsing what was typed, every index range, the summary query and the
display formatting of the phones.
"""

from __future__ import annotations

from benchmarks.latency import percentile, time_each, to_ms
from benchmarks.query_samples import Query
from benchmarks.registry import BenchContext, Figure, measurement
from desktop.db.engine import ShopDatabase, open_shop_file
from desktop.services.lookup import CustomerMatch, find_customers
from desktop.services.shop import shop_settings

# kind -> (label, p99 target in ms at 1,000,000 customers)
LOOKUPS = {
    "exact_phone": ("Exact phone, varied formats", 1.0),
    "last4": ("Last 4 digits of a phone", 5.0),
    "name_prefix": ("Name prefix, 3-6 letters", 5.0),
    "email_exact": ("Email, exact", 5.0),
    "email_prefix": ("Email, prefix", 5.0),
    "card_code": ("Loyalty card code, scanned or typed", 5.0),
}


def _figures() -> tuple[Figure, ...]:
    figures = []
    for kind, (label, p99_target) in LOOKUPS.items():
        figures.append(Figure(f"{kind}_p50_ms", f"{label} p50", "ms", has_baseline=True))
        figures.append(Figure(f"{kind}_p99_ms", f"{label} p99", "ms", target=p99_target, has_baseline=True))
    return tuple(figures)


def _hit(query: Query, matches: list[CustomerMatch]) -> bool:
    if query.expect_id is None:
        return bool(matches)
    return any(m.id == query.expect_id for m in matches)


@measurement("lookups", *_figures())
def measure_lookups(ctx: BenchContext) -> dict[str, float]:
    database: ShopDatabase = open_shop_file(ctx.shop.path, ctx.shop.passphrase)
    limit = ctx.options.limit
    try:
        with database.reading() as session:
            region = shop_settings(session).region

        def lookup(query: Query) -> list[CustomerMatch]:
            with database.reading() as session:
                return find_customers(session, query.text, region, limit=limit)

        figures: dict[str, float] = {}
        hit_rates = ctx.details.setdefault("hit_rate", {})
        for kind in LOOKUPS:
            time_each(lookup, ctx.samples.warmup[kind])
            seconds, hits = time_each(lookup, ctx.samples.timed[kind], keep=_hit)
            figures[f"{kind}_p50_ms"] = to_ms(percentile(seconds, 50))
            figures[f"{kind}_p99_ms"] = to_ms(percentile(seconds, 99))
            hit_rates[kind] = sum(hits) / len(hits)
        return figures
    finally:
        database.close()

"""The plain-SQLite baseline, run as its own process: ``python -m benchmarks.plain_sqlite_worker``.

This is the only module of the suite that imports the standard library's sqlite3, and it
only ever opens the unencrypted baseline copy, never a shop file (only sqlcipher3 opens
those). It imports nothing from ``desktop``.

It reads a JSON request on stdin, gives the copy the best plain indexes for each lookup
(covering where that helps), then times the raw SQL equivalent of each lookup: the index
range that finds the ids plus the query fetching the rows the results list shows, on one
plain cursor. It writes the figures, with the same keys as ours, as JSON on stdout.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time

from benchmarks.latency import median, percentile, time_each, to_ms

CACHE_KIB = 32 * 1024  # as the shop's own connections
_HIGHEST = "\U0010ffff"

BEST_INDEXES = (
    # Covering: the range yields customer_id without touching the table.
    "DROP INDEX IF EXISTS ix_customer_phones_e164",
    "DROP INDEX IF EXISTS ix_customer_phones_reversed",
    "CREATE INDEX IF NOT EXISTS ix_plain_phones_e164 ON customer_phones (e164, customer_id)",
    "CREATE INDEX IF NOT EXISTS ix_plain_phones_reversed ON customer_phones (reversed_digits, customer_id)",
    # The first phone of each customer for the results list, without touching the table.
    "CREATE INDEX IF NOT EXISTS ix_plain_phones_first ON customer_phones (customer_id, position, e164)",
    # customers.email_key already covers its rowid (the id); customer_search_keys is a
    # WITHOUT ROWID table keyed (key, customer_id): both are already the best plain index.
)

ID_QUERIES = {
    "exact_phone": (
        "SELECT p.customer_id FROM customer_phones p JOIN customers c ON c.id = p.customer_id "
        "WHERE p.e164 = ? ORDER BY c.last_seen_at DESC, c.id DESC LIMIT ?"
    ),
    "last4": "SELECT customer_id FROM customer_phones WHERE reversed_digits >= ? AND reversed_digits < ? LIMIT ?",
    "name_prefix": "SELECT customer_id FROM customer_search_keys WHERE key >= ? AND key < ? ORDER BY key LIMIT ?",
    "email_exact": "SELECT id FROM customers WHERE email_key >= ? AND email_key < ? ORDER BY email_key LIMIT ?",
    "email_prefix": "SELECT id FROM customers WHERE email_key >= ? AND email_key < ? ORDER BY email_key LIMIT ?",
    "card_code": "SELECT customer_id FROM loyalty_cards WHERE code = ? AND status = 'active' LIMIT ?",
}
RECENT = "SELECT id FROM customers ORDER BY last_seen_at DESC, id DESC LIMIT ?"
SUMMARY = (
    "SELECT c.id, c.uuid, c.first_name, c.last_name, c.email, c.last_seen_at, p.e164 "
    "FROM customers c LEFT JOIN customer_phones p ON p.customer_id = c.id AND p.position = 0 "
    "WHERE c.id IN ({marks})"
)


def _connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    conn.execute("PRAGMA temp_store = MEMORY")
    return conn


def prepare(path: str) -> float:
    started = time.perf_counter()
    conn = _connect(path)
    try:
        for statement in BEST_INDEXES:
            conn.execute(statement)
    finally:
        conn.close()
    return time.perf_counter() - started


def _summaries(cur: sqlite3.Cursor, ids: list[int]) -> list[tuple]:
    chosen = list(dict.fromkeys(ids))  # first occurrence wins, as in the app
    if not chosen:
        return []
    rows = {row[0]: row for row in cur.execute(SUMMARY.format(marks=",".join("?" * len(chosen))), chosen)}
    return [rows[i] for i in chosen if i in rows]


def _lookup(cur: sqlite3.Cursor, kind: str, value: str, limit: int) -> list[tuple]:
    if kind in ("exact_phone", "card_code"):
        params = (value, limit)
    else:
        params = (value, value + _HIGHEST, limit)
    return _summaries(cur, [row[0] for row in cur.execute(ID_QUERIES[kind], params)])


def unlock_once(path: str, limit: int) -> float:
    started = time.perf_counter()
    conn = _connect(path)
    try:
        cur = conn.cursor()
        cur.execute("SELECT count(*) FROM sqlite_master").fetchone()
        cur.execute("SELECT region FROM shop LIMIT 1").fetchone()
        _summaries(cur, [row[0] for row in cur.execute(RECENT, (limit,))])
        return time.perf_counter() - started
    finally:
        conn.close()


def run(request: dict) -> dict:
    path, limit = request["path"], request["limit"]
    prepare_seconds = prepare(path)
    figures = {"unlock_s": median([unlock_once(path, limit) for _ in range(request["unlock_runs"])])}
    hit_rate = {}
    conn = _connect(path)
    try:
        cur = conn.cursor()
        for kind, values in request["params"]["timed"].items():
            time_each(lambda v: _lookup(cur, kind, v, limit), request["params"]["warmup"][kind])
            seconds, hits = time_each(lambda v: _lookup(cur, kind, v, limit), values, keep=lambda v, r: bool(r))
            figures[f"{kind}_p50_ms"] = to_ms(percentile(seconds, 50))
            figures[f"{kind}_p99_ms"] = to_ms(percentile(seconds, 99))
            hit_rate[kind] = sum(hits) / len(hits)
    finally:
        conn.close()
    return {
        "figures": figures,
        "hit_rate": hit_rate,
        "prepare_seconds": prepare_seconds,
        "sqlite_version": sqlite3.sqlite_version,
    }


def main() -> int:
    json.dump(run(json.load(sys.stdin)), sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

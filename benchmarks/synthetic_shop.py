"""A synthetic shop of N demo customers with their purchase, loyalty, consent and call history.

Built once per size and seed, then reused.

The cache key includes a fingerprint of everything that decides the file's contents
(the demo generator, its name lists, the search keys and the migrations), so a change
to any of them builds a fresh shop instead of measuring a stale one.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from desktop.paths import resources_dir
from desktop.services.demo import add_demo_cards, add_demo_customers, add_demo_history
from desktop.services.shop import ShopSettings, create_shop

PASSPHRASE = "benchmark passphrase, fake data only"
SHOP_FILE = "shop.regulars"
META_FILE = "meta.json"
DEFAULT_CACHE_DIR = Path(__file__).resolve().parent / ".cache"

_DESKTOP = Path(__file__).resolve().parent.parent / "desktop"
_CONTENT_SOURCES = (
    _DESKTOP / "services" / "demo.py",
    _DESKTOP / "services" / "loyalty.py",  # what the demo history earns
    _DESKTOP / "services" / "choices.py",
    _DESKTOP / "services" / "privacy_notice.py",
    _DESKTOP / "services" / "search_keys.py",
    _DESKTOP / "services" / "card_codes.py",
    Path(__file__),
    _DESKTOP / "services" / "text.py",
    _DESKTOP / "models" / "customer.py",
    resources_dir() / "demo" / "names.json",
)


@dataclass(frozen=True)
class SyntheticShop:
    path: Path
    passphrase: str
    region: str
    customers: int
    seed: int
    demo_seconds: float  # add_demo_customers plus its commit, when this file was built
    built_now: bool  # False when reused from the cache
    built_at: str
    history: dict  # rows of loyalty entries, consents and calls (add_demo_history), and its seconds

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def demo_rate(self) -> float:
        return self.customers / self.demo_seconds


def content_fingerprint() -> str:
    digest = hashlib.sha256()
    migrations = sorted((_DESKTOP / "db" / "migrations" / "versions").glob("*.py"))
    for source in (*_CONTENT_SOURCES, *migrations):
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()[:10]


def obtain_shop(cache_dir: Path, customers: int, seed: int, region: str, *, fresh: bool = False) -> SyntheticShop:
    """The cached shop for (customers, seed, region), building it first if needed."""
    family = f"shop-{region}-n{customers}-seed{seed}-"
    folder = cache_dir / f"{family}{content_fingerprint()}"
    meta_path = folder / META_FILE
    for stale in cache_dir.glob(f"{family}*"):  # built by older demo code: never measured again
        if stale.is_dir() and stale.name != folder.name:
            shutil.rmtree(stale)
    if fresh and folder.exists():
        shutil.rmtree(folder)
    if meta_path.exists() and (folder / SHOP_FILE).exists():
        meta = json.loads(meta_path.read_text())
        return SyntheticShop(
            path=folder / SHOP_FILE,
            passphrase=PASSPHRASE,
            region=region,
            customers=customers,
            seed=seed,
            demo_seconds=meta["demo_seconds"],
            built_now=False,
            built_at=meta["built_at"],
            history=meta["history"],
        )
    return _build(folder, customers, seed, region)


def _build(folder: Path, customers: int, seed: int, region: str) -> SyntheticShop:
    # Built beside the cache entry and renamed into place, so an interrupted build leaves no cache.
    building = folder.with_name(folder.name + ".building")
    if building.exists():
        shutil.rmtree(building)
    building.mkdir(parents=True)
    database = create_shop(building / SHOP_FILE, PASSPHRASE, ShopSettings(name="Benchmark Shop", region=region))
    try:
        started = time.perf_counter()
        with database.writing() as session:
            add_demo_customers(session, region, customers, seed=seed)
        demo_seconds = time.perf_counter() - started
        with database.writing() as session:
            add_demo_cards(session)  # every customer, so card-code lookups have a full index
        started = time.perf_counter()
        with database.writing() as session:
            history = asdict(add_demo_history(session, seed=seed))
        history["seconds"] = round(time.perf_counter() - started, 1)
    finally:
        database.close()
    built_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    meta = {"customers": customers, "seed": seed, "region": region, "demo_seconds": demo_seconds, "built_at": built_at,
            "history": history}
    (building / META_FILE).write_text(json.dumps(meta, indent=2))
    if folder.exists():
        shutil.rmtree(folder)
    building.rename(folder)
    return SyntheticShop(
        path=folder / SHOP_FILE,
        passphrase=PASSPHRASE,
        region=region,
        customers=customers,
        seed=seed,
        demo_seconds=demo_seconds,
        built_now=True,
        built_at=built_at,
        history=history,
    )

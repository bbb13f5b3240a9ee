"""Shared by the backup tests: a demo shop built once per module, copied per test, and table snapshots."""

from __future__ import annotations

import shutil
from pathlib import Path

from desktop.db.engine import ShopDatabase, open_shop_file
from desktop.db.key_file import key_file_path
from desktop.services.demo import add_demo_customers, add_demo_loyalty, add_demo_records
from tests.conftest import PASSPHRASE, REGION

DEMO_CUSTOMERS = 1_500


def build_demo_shop(template: Path, folder: Path, customers: int = DEMO_CUSTOMERS) -> Path:
    """A copy of the empty template shop with demo customers, loyalty and records, closed."""
    path = copy_pair(template, folder / "demo.regulars")
    database = open_shop_file(path, PASSPHRASE)
    try:
        with database.writing() as session:
            add_demo_customers(session, REGION, customers, seed=7)
            add_demo_loyalty(session, seed=7, share=0.05)
            add_demo_records(session, REGION, seed=7)
    finally:
        database.close()
    return path


def copy_pair(source: Path, target: Path) -> Path:
    """A shop file and its key file, copied as a backup tool would."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
    shutil.copy2(key_file_path(source), key_file_path(target))
    return target


def table_rows(database: ShopDatabase, *, ignore: tuple[str, ...] = ()) -> dict[str, list[dict]]:
    """Every row of every table as a dict, sorted (some tables are WITHOUT ROWID); ``ignore`` drops columns."""
    with database.engine.connect() as conn:
        tables = conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        ).scalars().all()
        return {
            table: sorted(
                (
                    {k: v for k, v in row._mapping.items() if k not in ignore}
                    for row in conn.exec_driver_sql(f'SELECT * FROM "{table}"')
                ),
                key=repr,
            )
            for table in tables
        }


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []

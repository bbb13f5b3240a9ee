"""Schema upgrades: a shop file saved by an older Regulars opens in a newer one with nothing lost.

The old file is made the way any SQLCipher 4 tool makes one (the passphrase as the key),
migrated with Alembic to revision 0001 only, and filled with plain SQL as that version
would have; then the app opens it, which upgrades it to the head revision.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import sqlcipher3.dbapi2 as sqlcipher
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.pool import StaticPool

from desktop.db import migrate
from desktop.db.engine import open_shop_file, verify_shop_file
from desktop.models import Base
from desktop.services.lookup import find_customers
from desktop.services.search_keys import name_keys

PASSPHRASE = "an old shop's passphrase"
REGION = "BR"
BASE_REVISION = "0001"

# What a 0001-era Regulars wrote: (id, uuid, first, last, company, email, phones as (e164, national)).
OLD_CUSTOMERS = [
    (1, "11111111-1111-4111-8111-111111111111", "João", "da Silva", "", "joao@example.com",
     [("+5511987654321", "11987654321")]),
    (2, "22222222-2222-4222-8222-222222222222", "Γιώργος", "Παπαδόπουλος", "", None,
     [("+306941234567", "6941234567"), ("+551134567890", "1134567890")]),
    (3, "33333333-3333-4333-8333-333333333333", "Inês", "Conceição", "Padaria Pão Quente", "ines@example.pt", []),
    (4, "44444444-4444-4444-8444-444444444444", "Ana", "", "", None, [("+5521998765432", "21998765432")]),
]
SEEN = datetime(2023, 5, 17, 9, 30)


def _passphrase_engine(path: Path) -> Engine:
    """An engine on a passphrase-keyed SQLCipher file, configured like desktop.db.engine's."""

    def creator() -> sqlcipher.Connection:
        conn = sqlcipher.connect(str(path), check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA key = '{}'".format(PASSPHRASE.replace("'", "''")))
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        return conn

    engine = create_engine("sqlite://", module=sqlcipher, creator=creator, poolclass=StaticPool)

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:  # the driver is in autocommit mode; transactions are ours
        conn.exec_driver_sql("BEGIN")

    return engine


def _old_shop_file(path: Path) -> None:
    engine = _passphrase_engine(path)
    try:
        migrate.upgrade(engine, path, target=BASE_REVISION)
        assert migrate.current_revision(engine) == BASE_REVISION
        with engine.begin() as conn:
            tables = set(conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'").scalars())
            assert "customers" in tables and "customer_search_keys" not in tables
            conn.execute(
                text(
                    "INSERT INTO shop (id, uuid, name, region, currency, paper_size, till_uuid, created_at)"
                    " VALUES (1, 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'Padaria Velha', 'BR', 'BRL', 'A4',"
                    " 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', :at)"
                ),
                {"at": SEEN},
            )
            for customer_id, uuid, first, last, company, email, phones in OLD_CUSTOMERS:
                conn.execute(
                    text(
                        "INSERT INTO customers (id, uuid, first_name, last_name, company, email, email_key,"
                        " address_line1, address_line2, city, state, postal_code, country, preferred_payment,"
                        " birthday, notes, heard_from, created_at, updated_at, last_seen_at)"
                        " VALUES (:id, :uuid, :first, :last, :company, :email, lower(:email),"
                        " '', '', '', '', '', '', '', NULL, 'since 2019', '', :at, :at, :at)"
                    ),
                    {"id": customer_id, "uuid": uuid, "first": first, "last": last, "company": company,
                     "email": email, "at": SEEN},
                )
                for position, (e164, national) in enumerate(phones):
                    conn.execute(
                        text(
                            "INSERT INTO customer_phones (customer_id, position, label, e164, national_number,"
                            " reversed_digits) VALUES (:c, :p, 'mobile', :e, :n, :r)"
                        ),
                        {"c": customer_id, "p": position, "e": e164, "n": national, "r": national[::-1]},
                    )
    finally:
        engine.dispose()


def _snapshot(conn) -> dict[str, list[dict]]:
    return {
        table: [dict(row._mapping) for row in conn.execute(text(f"SELECT * FROM {table} ORDER BY id"))]
        for table in ("shop", "customers", "customer_phones")
    }


def _kept(before: dict[str, list[dict]], after: dict[str, list[dict]]) -> bool:
    """Every old row is still there with every old value; later revisions may only add columns."""
    return all(
        len(after[table]) == len(rows)
        and all(new.items() >= old.items() for old, new in zip(rows, after[table]))
        for table, rows in before.items()
    )


@pytest.fixture
def old_shop(tmp_path) -> Path:
    path = tmp_path / "old.regulars"
    _old_shop_file(path)
    return path


def test_revisions_form_one_line_from_the_base(old_shop):
    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    assert len(scripts.get_heads()) == 1
    assert [rev.revision for rev in scripts.walk_revisions()][-1] == BASE_REVISION
    assert migrate.head_revision() != BASE_REVISION


def test_old_file_upgrades_with_nothing_lost(old_shop):
    engine = _passphrase_engine(old_shop)
    try:
        with engine.connect() as conn:
            before = _snapshot(conn)
    finally:
        engine.dispose()
    assert len(before["customers"]) == len(OLD_CUSTOMERS)

    database = open_shop_file(old_shop, PASSPHRASE)
    try:
        assert migrate.current_revision(database.engine) == migrate.head_revision()
        with database.reading() as session:
            assert _kept(before, _snapshot(session.connection()))
            # Revision 0004: the shop that predates privacy notices gets version 1, naming it.
            notices = session.execute(text("SELECT version, text FROM privacy_notices")).all()
            assert [version for version, _ in notices] == [1] and "Padaria Velha" in notices[0][1]
            keys = session.execute(text("SELECT customer_id, key FROM customer_search_keys")).all()
        for customer_id, _uuid, first, last, company, *_ in OLD_CUSTOMERS:
            # Back-filled exactly as a customer saved today would have them.
            assert {k for c, k in keys if c == customer_id} == name_keys(first, last, company)
        assert verify_shop_file(database) == []
    finally:
        database.close()


@pytest.mark.parametrize(
    ("query", "customer_id", "how"),
    [
        ("joao", 1, "name"),
        ("SILVA", 1, "name"),
        ("παπαδοπουλος", 2, "name"),
        ("ΠΑΠΑΔΟΠΟΥΛΟΣ", 2, "name"),
        ("conceicao ines", 3, "name"),
        ("pao quente", 3, "name"),
        ("ana", 4, "name"),
        ("(11) 98765-4321", 1, "phone"),
        ("4567", 2, "phone_end"),
        ("(11) 3456-7890", 2, "phone"),
        ("joao@ex", 1, "email"),
    ],
)
def test_old_customers_are_found_after_the_upgrade(old_shop, query, customer_id, how):
    database = open_shop_file(old_shop, PASSPHRASE)
    try:
        with database.reading() as session:
            matches = find_customers(session, query, REGION)
    finally:
        database.close()
    assert [(m.id, m.matched_by) for m in matches] == [(customer_id, how)]


def test_upgrade_happens_once(old_shop):
    open_shop_file(old_shop, PASSPHRASE).close()
    database = open_shop_file(old_shop, PASSPHRASE)
    try:
        with database.reading() as session:
            per_customer = session.execute(
                text("SELECT customer_id, count(*) FROM customer_search_keys GROUP BY customer_id ORDER BY 1")
            ).all()
    finally:
        database.close()
    assert per_customer == [
        (customer_id, len(name_keys(first, last, company)))
        for customer_id, _uuid, first, last, company, *_ in OLD_CUSTOMERS
    ]


def _schema_differences(database) -> list:
    with database.engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn), Base.metadata)


def test_migrated_schema_matches_the_models(old_shop):
    database = open_shop_file(old_shop, PASSPHRASE)
    try:
        assert _schema_differences(database) == []
    finally:
        database.close()


def test_new_file_schema_matches_the_models(shop):
    assert _schema_differences(shop) == []


def test_migrated_and_new_files_have_the_same_schema(old_shop, shop):
    def schema(conn) -> list[tuple]:
        return conn.exec_driver_sql(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
        ).all()

    database = open_shop_file(old_shop, PASSPHRASE)
    try:
        with database.engine.connect() as old, shop.engine.connect() as new:
            assert schema(old) == schema(new)
    finally:
        database.close()

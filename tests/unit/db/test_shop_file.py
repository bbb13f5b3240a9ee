"""The encrypted shop file: opening, refusing what is not ours, PRAGMAs, damage and the instance lock."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import text

from desktop.db.engine import create_shop_file, open_shop_file, verify_shop_file
from desktop.db.instance_lock import InstanceLock
from desktop.db.key_file import key_file_path
from desktop.db.keys import SQLITE_PLAIN_HEADER, RawKey, derive_legacy_key
from desktop.db.migrate import current_revision, head_revision
from desktop.db.unlock import unlock
from desktop.errors import ShopFileError, ShopFileInUse, WrongPassphrase
from desktop.services.customers import CustomerDetails, add_customer
from desktop.services.demo import add_demo_customers

PASSPHRASE = "correct horse battery"  # the shared template's (tests/conftest.py)
REGION = "BR"


def folder_state(folder: Path) -> dict[str, str]:
    """Name -> SHA-256 of every file in the folder."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def raw_connect(path: Path, passphrase: str = PASSPHRASE) -> sqlcipher.Connection:
    """What any SQLCipher 4 tool does: the passphrase as the key, default settings."""
    conn = sqlcipher.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA key = '{}'".format(passphrase.replace("'", "''")))
    return conn


def key_connect(path: Path, key: RawKey | None = None) -> sqlcipher.Connection:
    """A plain SQLCipher connection with the shop's raw key, as unwrapped from its key file."""
    key = key or unlock(path, PASSPHRASE).key
    conn = sqlcipher.connect(str(path), isolation_level=None)
    conn.execute(f"PRAGMA key = {key.pragma_value(with_salt=False)}")
    return conn


def add_one(database, first_name: str = "Ana", phone: str = "(11) 98765-4321") -> int:
    with database.writing() as session:
        return add_customer(session, CustomerDetails(first_name=first_name, phones=[phone]), REGION).id


# --- wrong passphrase ---------------------------------------------------------------------


def test_wrong_passphrase_is_refused_and_the_closed_file_is_untouched(shop_path):
    before = folder_state(shop_path.parent)
    assert list(before) == [shop_path.name, shop_path.name + ".key"]
    with pytest.raises(WrongPassphrase) as caught:
        open_shop_file(shop_path, "correct horse batterY")
    message = str(caught.value)
    assert "the passphrase is wrong" in message
    assert "or the file is damaged" not in message  # the key file tells a wrong passphrase from damage
    assert str(shop_path) in message
    assert isinstance(caught.value, ShopFileError)
    assert folder_state(shop_path.parent) == before  # same bytes, and no -wal or -shm left behind


def test_wrong_passphrase_while_the_shop_is_open_leaves_file_and_wal_alone(shop_path):
    database = open_shop_file(shop_path, PASSPHRASE)
    try:
        add_one(database)
        wal = Path(str(shop_path) + "-wal")
        assert wal.exists() and wal.stat().st_size > 0
        before = folder_state(shop_path.parent)
        with pytest.raises(WrongPassphrase):
            open_shop_file(shop_path, "not the passphrase")
        after = folder_state(shop_path.parent)
        # The -shm is SQLite's shared-memory index (read marks, no data); it may be touched.
        for name in (shop_path.name, wal.name):
            assert after[name] == before[name], name
        assert set(after) == set(before)
        with database.reading() as session:
            assert session.execute(text("SELECT count(*) FROM customers")).scalar_one() == 1
    finally:
        database.close()


def test_passphrase_is_case_and_space_sensitive(shop_path):
    for wrong in ("Correct horse battery", "correct horse battery ", " correct horse battery", ""):
        with pytest.raises(WrongPassphrase):
            open_shop_file(shop_path, wrong)
    open_shop_file(shop_path, PASSPHRASE).close()


# --- files that are not shop files --------------------------------------------------------


def _plain_sqlite(path: Path) -> None:
    conn = sqlcipher.connect(str(path))  # no key: SQLCipher writes an ordinary SQLite file
    conn.execute("CREATE TABLE customers (name TEXT)")
    conn.execute("INSERT INTO customers VALUES ('Ana')")
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (_plain_sqlite, "plain SQLite file"),
        (lambda p: p.write_bytes(b""), "empty or cut short"),
        (lambda p: p.write_bytes(b"short"), "empty or cut short"),
        (lambda p: p.write_bytes(os.urandom(64 * 1024)), "passphrase is wrong, or the file is damaged"),
        (lambda p: p.write_bytes(os.urandom(100)), ""),  # shorter than a page: either message will do
        (lambda p: p.write_text("name,phone\nAna,11987654321\n" * 400, encoding="utf-8"), "passphrase"),
    ],
    ids=["plain-sqlite", "empty", "cut-short", "random-64k", "random-100", "csv"],
)
def test_files_that_are_not_shop_files(tmp_path, make, says):
    path = tmp_path / "not-a-shop.regulars"
    make(path)
    before = folder_state(tmp_path)
    with pytest.raises(ShopFileError) as caught:
        open_shop_file(path, PASSPHRASE)
    assert str(path) in str(caught.value)
    assert says in str(caught.value)
    assert folder_state(tmp_path) == before


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere" / "shop.regulars"
    with pytest.raises(ShopFileError) as caught:
        open_shop_file(path, PASSPHRASE)
    assert str(path) in str(caught.value)
    assert "no shop file" in str(caught.value)
    assert not path.parent.exists()


def test_a_folder_is_not_a_shop_file(tmp_path):
    with pytest.raises(ShopFileError) as caught:
        open_shop_file(tmp_path, PASSPHRASE)
    assert str(tmp_path) in str(caught.value)


def test_another_sqlcipher_database_is_not_a_shop_file(tmp_path):
    path = tmp_path / "other.db"
    conn = raw_connect(path)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.close()
    with pytest.raises(ShopFileError) as caught:
        open_shop_file(path, PASSPHRASE)
    assert "not a Regulars shop file" in str(caught.value)
    assert not isinstance(caught.value, WrongPassphrase)


def test_create_refuses_an_existing_file(shop_path):
    before = folder_state(shop_path.parent)
    with pytest.raises(ShopFileError) as caught:
        create_shop_file(shop_path, PASSPHRASE)
    assert str(shop_path) in str(caught.value)
    assert folder_state(shop_path.parent) == before


# --- the format ---------------------------------------------------------------------------


def test_file_has_no_plain_sqlite_header(shop_path):
    assert shop_path.read_bytes()[:16] != SQLITE_PLAIN_HEADER
    assert b"SQLite format 3" not in shop_path.read_bytes()


def test_two_new_files_with_one_passphrase_have_different_salts(tmp_path):
    first, second = tmp_path / "a.regulars", tmp_path / "b.regulars"
    create_shop_file(first, PASSPHRASE).close()
    create_shop_file(second, PASSPHRASE).close()
    assert first.read_bytes()[:16] != second.read_bytes()[:16]


def test_file_opens_in_standard_sqlcipher_with_the_key_from_its_key_file_only(shop):
    customer_id = add_one(shop, "Ana")
    shop.close()
    bare = raw_connect(shop.path)  # the passphrase alone no longer opens it: the key is random
    with pytest.raises(sqlcipher.DatabaseError):
        bare.execute("SELECT count(*) FROM sqlite_master").fetchone()
    bare.close()
    conn = key_connect(shop.path)
    try:
        assert conn.execute("PRAGMA cipher_version").fetchone()[0].startswith("4.")
        assert conn.execute("SELECT name, region FROM shop").fetchall() == [("Padaria Teste", REGION)]
        assert conn.execute("SELECT id, first_name FROM customers").fetchall() == [(customer_id, "Ana")]
        assert conn.execute("PRAGMA cipher_integrity_check").fetchall() == []
    finally:
        conn.close()


def test_the_key_is_random_not_derived_from_the_passphrase(shop_path, tmp_path):
    key = unlock(shop_path, PASSPHRASE).key
    assert key.key != derive_legacy_key(PASSPHRASE, shop_path.read_bytes()[:16]).key
    other = tmp_path / "other.regulars"
    create_shop_file(other, PASSPHRASE).close()
    assert unlock(other, PASSPHRASE).key.key != key.key
    assert PASSPHRASE not in repr(key) and key.key.hex() not in repr(key)


def test_legacy_key_is_sqlcipher_s_own_passphrase_key(tmp_path):
    """How files were keyed before key files: what any SQLCipher 4 tool derives from the passphrase."""
    path = tmp_path / "legacy.db"
    conn = raw_connect(path)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.close()
    conn = key_connect(path, derive_legacy_key(PASSPHRASE, path.read_bytes()[:16]))
    assert conn.execute("SELECT count(*) FROM notes").fetchone() == (0,)
    conn.close()


def test_create_refuses_to_overwrite_a_stray_key_file(tmp_path):
    path = tmp_path / "shop.regulars"
    key_file_path(path).write_text("a key file from a shop being restored")
    before = folder_state(tmp_path)
    with pytest.raises(ShopFileError) as caught:
        create_shop_file(path, PASSPHRASE)
    assert str(key_file_path(path)) in str(caught.value)
    assert folder_state(tmp_path) == before


# --- PRAGMAs ------------------------------------------------------------------------------


def _pragmas(conn) -> dict[str, object]:
    names = ("journal_mode", "foreign_keys", "synchronous", "busy_timeout", "temp_store")
    return {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar() for name in names}


def test_every_pooled_connection_is_configured(shop):
    with shop.engine.connect() as first, shop.engine.connect() as second:
        for conn in (first, second):
            pragmas = _pragmas(conn)
            assert pragmas["journal_mode"] == "wal"
            assert pragmas["foreign_keys"] == 1
            assert pragmas["synchronous"] == 2  # FULL
            assert pragmas["busy_timeout"] > 0
            assert pragmas["temp_store"] == 2  # MEMORY
    with shop.writing() as session:
        assert _pragmas(session.connection())["foreign_keys"] == 1
    with shop.reading() as session:
        assert _pragmas(session.connection())["synchronous"] == 2


def test_foreign_keys_are_enforced_and_cascade(shop):
    customer_id = add_one(shop)
    with pytest.raises(Exception) as caught:
        with shop.writing() as session:
            session.execute(
                text(
                    "INSERT INTO customer_phones (customer_id, position, label, e164, national_number, reversed_digits)"
                    " VALUES (9999, 0, '', '+5511900000000', '11900000000', '00000000911')"
                )
            )
    assert "FOREIGN KEY" in str(caught.value)
    with shop.writing() as session:
        session.execute(text("DELETE FROM customers WHERE id = :id"), {"id": customer_id})
    with shop.reading() as session:
        for table in ("customer_phones", "customer_search_keys"):
            assert session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0, table


def test_writing_takes_the_write_lock_up_front_and_readers_still_read(shop):
    add_one(shop)
    other = key_connect(shop.path)
    other.execute("PRAGMA busy_timeout = 0")
    try:
        with shop.writing() as session:
            session.execute(text("SELECT 1"))  # nothing written yet, but the unit of work has begun
            with pytest.raises(sqlcipher.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            assert other.execute("SELECT count(*) FROM customers").fetchone() == (1,)
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_writing_rolls_back_on_error(shop):
    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        with shop.writing() as session:
            add_customer(session, CustomerDetails(first_name="Ana", phones=["(11) 98765-4321"]), REGION)
            raise Boom
    with shop.reading() as session:
        assert session.execute(text("SELECT count(*) FROM customers")).scalar_one() == 0


# --- damage -------------------------------------------------------------------------------


def test_healthy_file_verifies_clean(shop):
    add_one(shop)
    assert verify_shop_file(shop) == []


def test_a_flipped_byte_is_reported(shop):
    with shop.writing() as session:
        add_demo_customers(session, REGION, 3000, seed=11)
    assert verify_shop_file(shop) == []
    shop.close()
    data = bytearray(shop.path.read_bytes())
    page_size = 4096
    pages = len(data) // page_size
    assert pages > 100 and not Path(str(shop.path) + "-wal").exists()
    damaged_page = pages // 2  # zero-based; SQLite numbers pages from 1
    data[damaged_page * page_size + page_size // 2] ^= 0x5A
    shop.path.write_bytes(bytes(data))

    database = open_shop_file(shop.path, PASSPHRASE)  # page 1 is intact, so the key still checks out
    try:
        problems = verify_shop_file(database)
    finally:
        database.close()
    assert problems
    assert any(f"page {damaged_page + 1}" in problem for problem in problems), problems[:3]


# --- instance lock ------------------------------------------------------------------------


def test_second_instance_is_refused_until_the_first_lets_go(shop_path):
    first = InstanceLock(shop_path)
    first.acquire()
    try:
        with pytest.raises(ShopFileInUse) as caught:
            InstanceLock(shop_path).acquire()
        message = str(caught.value)
        assert "already open" in message
        assert str(shop_path) in message
        assert not message.rstrip(".").endswith(".lock")
        assert isinstance(caught.value, ShopFileError)
    finally:
        first.release()
    with InstanceLock(shop_path) as again:
        assert again.path == Path(str(shop_path) + ".lock")
    first.release()  # releasing twice is harmless


def test_lock_is_per_shop_file(tmp_path):
    with InstanceLock(tmp_path / "a.regulars"), InstanceLock(tmp_path / "b.regulars"):
        with pytest.raises(ShopFileInUse):
            InstanceLock(tmp_path / "a.regulars").acquire()


def test_lock_file_holds_nothing(shop_path):
    with InstanceLock(shop_path) as lock:
        assert lock.path.read_bytes() == b""
        if os.name == "posix":
            assert lock.path.stat().st_mode & 0o777 == 0o600


# --- versions -----------------------------------------------------------------------------


def test_new_file_is_at_the_head_revision(shop):
    assert current_revision(shop.engine) == head_revision()


def test_reopening_an_up_to_date_file_changes_no_data(shop):
    add_one(shop)
    shop.close()
    for _ in range(2):
        database = open_shop_file(shop.path, PASSPHRASE)
        try:
            assert current_revision(database.engine) == head_revision()
            with database.reading() as session:
                assert session.execute(text("SELECT count(*) FROM customers")).scalar_one() == 1
        finally:
            database.close()


def test_file_from_a_newer_version_is_refused(shop):
    with shop.writing() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    shop.close()
    with pytest.raises(ShopFileError) as caught:
        open_shop_file(shop.path, PASSPHRASE)
    message = str(caught.value)
    assert "newer version" in message
    assert str(shop.path) in message
    assert not isinstance(caught.value, WrongPassphrase)
    conn = key_connect(shop.path)  # refused, not "upgraded"
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("9999_from_the_future",)]
    finally:
        conn.close()


def test_an_sqlcipher_built_on_an_old_sqlite_is_named_before_anything_opens(shop_path, monkeypatch):
    """Sync exports use concat_ws and json_each (SQLite 3.44): better a clear message at open than a failed export."""
    before = shop_path.read_bytes()
    monkeypatch.setattr(sqlcipher, "sqlite_version_info", (3, 40, 1))
    monkeypatch.setattr(sqlcipher, "sqlite_version", "3.40.1")

    with pytest.raises(ShopFileError, match=r"built on SQLite 3\.40\.1; Regulars needs SQLite 3\.44\.0 or newer"):
        open_shop_file(shop_path, PASSPHRASE)

    assert shop_path.read_bytes() == before

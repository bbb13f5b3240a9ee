"""A shop file busy with another writer, or with a key rotation, is named as such.

"database is locked" becomes ShopFileInUse with a message that says what to do; a unit of
work with someone to tell (ShopDatabase.when_busy, as the command line sets it) waits and
says so once; opening during another process's rotation is never called damage.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from desktop.db import engine as engine_module
from desktop.db import unlock as unlock_module
from desktop.db.engine import open_shop_file
from desktop.db.key_changes import rotate_key
from desktop.db.keys import RecoveryKey
from desktop.errors import ShopFileInUse
from desktop.services.customers import CustomerDetails, add_customer
from tests.conftest import PASSPHRASE


def add_ana(database) -> None:
    with database.writing() as session:
        add_customer(session, CustomerDetails(first_name="Ana", email="ana@example.com"), "BR")


def count(database) -> int:
    with database.reading() as session:
        return session.execute(text("SELECT count(*) FROM customers")).scalar_one()


@pytest.fixture
def two_windows(shop_path):
    """The same shop file opened twice, as two windows or commands would."""
    first, second = open_shop_file(shop_path, PASSPHRASE), open_shop_file(shop_path, PASSPHRASE)
    yield first, second
    first.close()
    second.close()


def test_a_locked_file_is_named_busy_not_an_operational_error(two_windows, monkeypatch):
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 100)
    holder, other = two_windows
    other.engine.dispose()  # new connections, with the short timeout
    with holder.writing() as session:
        session.connection()  # BEGIN IMMEDIATE: the write lock is held
        with pytest.raises(ShopFileInUse) as caught:
            add_ana(other)
    assert "busy" in str(caught.value) and "Try again when it has finished" in str(caught.value)
    assert count(other) == 0


def test_a_writer_with_someone_to_tell_waits_and_says_so_once(two_windows):
    holder, other = two_windows
    said: list[str] = []
    let_go = threading.Event()

    def when_busy() -> None:
        said.append("busy")
        let_go.set()

    other.when_busy = when_busy
    ready = threading.Event()

    def hold_the_lock() -> None:
        with holder.writing() as session:
            session.connection()  # BEGIN IMMEDIATE: the write lock is held
            ready.set()
            let_go.wait(30)

    thread = threading.Thread(target=hold_the_lock)
    thread.start()
    ready.wait(30)
    add_ana(other)  # waits, says so, and goes through once the other writer lets go
    thread.join()
    assert said == ["busy"]
    assert count(other) == 1


def test_a_writer_gives_up_after_the_limit_with_a_clear_message(two_windows, monkeypatch):
    monkeypatch.setattr(engine_module, "FIRST_WAIT_MS", 50)
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 50)
    monkeypatch.setattr(engine_module, "WRITE_WAIT_LIMIT_S", 0.3)
    holder, other = two_windows
    said: list[str] = []
    other.when_busy = lambda: said.append("busy")
    with holder.writing() as session:
        session.connection()
        with pytest.raises(ShopFileInUse) as caught:
            add_ana(other)
    assert said == ["busy"]
    assert "busy" in str(caught.value)
    assert count(other) == 0


def rotate_during_the_first_probe(monkeypatch, shop_path: Path) -> None:
    """Another process's rotation, re-encrypting the file just after this opening read its key file."""
    real_probe = unlock_module.probe
    rotated = []

    def probe(path, key):
        if not rotated:
            rotated.append(True)
            rotate_key(shop_path, PASSPHRASE, RecoveryKey.new())
        return real_probe(path, key)

    monkeypatch.setattr(unlock_module, "probe", probe)


def test_opening_while_a_rotation_re_encrypts_tries_again(shop_path, monkeypatch):
    rotate_during_the_first_probe(monkeypatch, shop_path)
    database = open_shop_file(shop_path, PASSPHRASE)  # the old key failed: the new key file is read again
    try:
        assert count(database) == 0
    finally:
        database.close()


def test_a_rotation_still_running_is_named_not_called_damage(shop_path, monkeypatch):
    monkeypatch.setattr(unlock_module, "ROTATION_WAIT_S", 0)  # no time to wait for it to finish
    rotate_during_the_first_probe(monkeypatch, shop_path)
    with pytest.raises(ShopFileInUse) as caught:
        open_shop_file(shop_path, PASSPHRASE)
    assert "a key rotation is in progress" in str(caught.value)
    assert "damaged" not in str(caught.value)

"""The key file: a random shop key wrapped under the passphrase and the recovery key.

Real files throughout: each test works on its own copy of the template shop and its key file.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path

import pytest
import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import text

from desktop.db.engine import (
    ShopDatabase,
    create_shop_file,
    open_shop_file,
    open_shop_file_with_recovery_key,
    verify_shop_file,
)
from desktop.db.key_changes import change_passphrase, new_recovery_key, rotate_key
from desktop.db.key_file import (
    FORMAT,
    ORIGIN_LEGACY,
    ORIGIN_RANDOM,
    VERSION,
    KeyFile,
    key_file_path,
    passphrase_wrap,
    pending_key_file_path,
    read_key_file,
    recovery_wrap,
    write_key_file,
)
from desktop.db.keys import (
    ARGON2_DEFAULT,
    Argon2Params,
    RawKey,
    RecoveryKey,
    derive_legacy_key,
)
from desktop.db.unlock import unlock
from desktop.errors import (
    KeyFileError,
    ShopFileDamaged,
    ShopFileError,
    ShopFileInUse,
    WrongPassphrase,
    WrongRecoveryKey,
)
from desktop.services.customers import CustomerDetails, add_customer

PASSPHRASE = "correct horse battery"  # the shared template's (tests/conftest.py)
NEW_PASSPHRASE = "pastel de nata 1837"
REGION = "BR"


def folder_state(folder: Path) -> dict[str, str]:
    """Name -> SHA-256 of every file in the folder."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def add_one(database: ShopDatabase, first_name: str = "Ana", phone: str = "(11) 98765-4321") -> int:
    with database.writing() as session:
        return add_customer(session, CustomerDetails(first_name=first_name, phones=[phone]), REGION).id


def names(path: Path, passphrase: str = PASSPHRASE) -> list[str]:
    database = open_shop_file(path, passphrase)
    try:
        with database.reading() as session:
            return list(session.scalars(text("SELECT first_name FROM customers ORDER BY id")))
    finally:
        database.close()


def opens_with(path: Path, key: RawKey) -> bool:
    """Whether plain SQLCipher opens the file with this raw key."""
    conn = sqlcipher.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = {key.pragma_value(with_salt=False)}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlcipher.DatabaseError:
        return False
    finally:
        conn.close()


def opens_with_bare_passphrase(path: Path, passphrase: str = PASSPHRASE) -> bool:
    """Whether any SQLCipher 4 tool opens the file with the passphrase alone."""
    conn = sqlcipher.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute("PRAGMA key = '{}'".format(passphrase.replace("'", "''")))
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlcipher.DatabaseError:
        return False
    finally:
        conn.close()


def edit_key_file(path: Path, edit) -> None:
    """Loads the key file's JSON, lets ``edit`` change it, writes it back (no checksum fix-up)."""
    document = json.loads(key_file_path(path).read_text())
    edit(document)
    key_file_path(path).write_text(json.dumps(document, indent=2))


def flip_b64(value: str, index: int = 0) -> str:
    data = bytearray(base64.b64decode(value))
    data[index] ^= 0x01
    return base64.b64encode(bytes(data)).decode()


@pytest.fixture
def book(shop_path: Path) -> Path:
    """The template shop with two customers, closed."""
    database = open_shop_file(shop_path, PASSPHRASE)
    try:
        add_one(database, "Ana")
        add_one(database, "Bruno", "(11) 91234-5678")
    finally:
        database.close()
    return shop_path


# --- the file itself ----------------------------------------------------------------------


def test_new_shop_has_a_key_file_beside_it(tmp_path):
    path = tmp_path / "shop.regulars"
    create_shop_file(path, PASSPHRASE).close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shop.regulars", "shop.regulars.key"]
    if os.name == "posix":
        assert key_file_path(path).stat().st_mode & 0o777 == 0o600
    document = json.loads(key_file_path(path).read_text())
    assert (document["format"], document["version"], document["key_origin"]) == (FORMAT, VERSION, ORIGIN_RANDOM)
    wrap = document["passphrase"]
    assert wrap["kdf"] == "argon2id"
    assert (wrap["time_cost"], wrap["memory_kib"], wrap["parallelism"]) == (
        ARGON2_DEFAULT.time_cost, ARGON2_DEFAULT.memory_kib, ARGON2_DEFAULT.parallelism
    )
    assert len(base64.b64decode(wrap["salt"])) == 16
    assert document["recovery_key"] is None  # until the owner prints one
    assert not opens_with_bare_passphrase(path)
    assert opens_with(path, unlock(path, PASSPHRASE).key)


def test_key_file_reads_back_to_the_same_bytes(shop_path, tmp_path):
    key_file = read_key_file(key_file_path(shop_path))
    copy = tmp_path / "copy.key"
    write_key_file(copy, key_file)
    assert copy.read_bytes() == key_file_path(shop_path).read_bytes()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_stored_argon2_parameters_are_the_ones_used(shop_path):
    """A file keeps its own cost; a passphrase change moves it to today's default."""
    key = unlock(shop_path, PASSPHRASE).key
    cheap = Argon2Params(time_cost=1, memory_kib=8 * 1024, parallelism=1)
    write_key_file(key_file_path(shop_path), KeyFile(passphrase=passphrase_wrap(key.key, PASSPHRASE, cheap)))
    assert json.loads(key_file_path(shop_path).read_text())["passphrase"]["memory_kib"] == 8 * 1024
    open_shop_file(shop_path, PASSPHRASE).close()
    change_passphrase(shop_path, PASSPHRASE, NEW_PASSPHRASE)
    assert json.loads(key_file_path(shop_path).read_text())["passphrase"]["memory_kib"] == ARGON2_DEFAULT.memory_kib
    open_shop_file(shop_path, NEW_PASSPHRASE).close()


def test_secrets_stay_out_of_reprs():
    key = RawKey(key=os.urandom(32), salt=os.urandom(16))
    recovery_key = RecoveryKey.new()
    wrap = passphrase_wrap(key.key, PASSPHRASE, Argon2Params(1, 8 * 1024, 1))
    key_file = KeyFile(passphrase=wrap, recovery=recovery_wrap(key.key, recovery_key))
    shown = " ".join(repr(value) for value in (key, recovery_key, wrap, key_file))
    for secret in (key.key.hex(), recovery_key.text, recovery_key.secret.hex(), PASSPHRASE):
        assert secret not in shown


def test_recovery_key_text_round_trips_as_typed():
    recovery_key = RecoveryKey.new()
    shown = recovery_key.text
    groups = shown.split("-")
    assert len(groups) == 8 and all(len(group) == 4 for group in groups)
    assert set(shown.replace("-", "")) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    for typed in (shown, shown.lower(), shown.replace("-", ""), " ".join(groups), shown.replace("0", "O")):
        assert RecoveryKey.parse(typed) == recovery_key
    assert RecoveryKey.parse(shown[:-1]) is None
    assert RecoveryKey.parse(shown[:-1] + "U") is None
    assert RecoveryKey.parse("") is None


# --- a wrong passphrase and a damaged file are told apart ---------------------------------


def test_wrong_passphrase_changes_no_file(book):
    new_recovery_key(book, PASSPHRASE)
    pending_key_file_path(book).write_bytes(key_file_path(book).read_bytes())  # even with a rotation pending
    before = folder_state(book.parent)
    with pytest.raises(WrongPassphrase) as caught:
        open_shop_file(book, "correct horse batterY")
    message = str(caught.value)
    assert "passphrase is wrong" in message and str(book) in message
    assert "or the file is damaged" not in message
    for wrong_change in (
        lambda: change_passphrase(book, "not it at all", NEW_PASSPHRASE),
        lambda: new_recovery_key(book, "not it at all"),
        lambda: rotate_key(book, "not it at all", RecoveryKey.new()),
    ):
        with pytest.raises(WrongPassphrase):
            wrong_change()
    assert folder_state(book.parent) == before


@pytest.mark.parametrize("field", ["wrapped_key", "salt", "nonce"])
def test_a_flipped_byte_in_the_key_file_is_called_damage(book, field):
    edit_key_file(book, lambda document: document["passphrase"].update({field: flip_b64(document["passphrase"][field])}))
    before = folder_state(book.parent)
    with pytest.raises(KeyFileError) as caught:
        open_shop_file(book, PASSPHRASE)
    message = str(caught.value)
    assert str(key_file_path(book)) in message
    assert "damaged" in message and "recovery key" in message
    assert not isinstance(caught.value, WrongPassphrase)
    assert folder_state(book.parent) == before


def test_a_damaged_passphrase_wrap_leaves_the_recovery_key_working(book):
    recovery_key = new_recovery_key(book, PASSPHRASE)
    edit_key_file(book, lambda document: document["passphrase"].update(wrapped_key=flip_b64(document["passphrase"]["wrapped_key"], 5)))
    open_shop_file_with_recovery_key(book, recovery_key).close()
    change_passphrase(book, RecoveryKey.parse(recovery_key), NEW_PASSPHRASE)  # repairs it
    assert names(book, NEW_PASSPHRASE) == ["Ana", "Bruno"]


def test_edited_cost_with_a_fixed_checksum_is_refused_not_weakened(book):
    """The KDF settings are authenticated: editing them (checksum and all) fails the unwrap."""

    def weaken(document):
        wrap = document["passphrase"]
        wrap["time_cost"] += 1  # any edit of the cost, up or down
        fields = {k: v for k, v in wrap.items() if k != "checksum"}
        wrap["checksum"] = hashlib.sha256(json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()).hexdigest()

    edit_key_file(book, weaken)
    with pytest.raises(WrongPassphrase):
        open_shop_file(book, PASSPHRASE)


@pytest.mark.parametrize(
    "content",
    [b"", b"{not json", b"\xff\xfe\x00", json.dumps({"format": "something else", "version": 1}).encode(), b"[]"],
    ids=["empty", "broken-json", "binary", "foreign", "list"],
)
def test_a_key_file_that_is_not_one_is_named(book, content):
    key_file_path(book).write_bytes(content)
    before = folder_state(book.parent)
    with pytest.raises(KeyFileError) as caught:
        open_shop_file(book, PASSPHRASE)
    assert str(key_file_path(book)) in str(caught.value)
    assert "damaged" in str(caught.value)
    assert folder_state(book.parent) == before


def test_a_key_file_from_a_newer_regulars_is_named(book):
    edit_key_file(book, lambda document: document.update(version=VERSION + 1))
    with pytest.raises(KeyFileError) as caught:
        open_shop_file(book, PASSPHRASE)
    assert "newer version" in str(caught.value) and str(key_file_path(book)) in str(caught.value)


def test_missing_key_file_is_named_and_nothing_is_written(book):
    key_file_path(book).unlink()
    before = folder_state(book.parent)
    with pytest.raises(KeyFileError) as caught:
        open_shop_file(book, PASSPHRASE)
    message = str(caught.value)
    assert str(key_file_path(book)) in message and "missing" in message
    with pytest.raises(KeyFileError) as caught:
        open_shop_file_with_recovery_key(book, RecoveryKey.new().text)
    assert str(key_file_path(book)) in str(caught.value)
    assert folder_state(book.parent) == before


def test_damaged_shop_file_with_the_right_passphrase_says_so(book):
    data = bytearray(book.read_bytes())
    data[100] ^= 0x40  # page 1, past the salt
    book.write_bytes(bytes(data))
    before = folder_state(book.parent)
    with pytest.raises(ShopFileDamaged) as caught:
        open_shop_file(book, PASSPHRASE)
    message = str(caught.value)
    assert "passphrase is right" in message
    assert f"shop file {book} is damaged" in message
    assert "regulars check" in message
    assert not isinstance(caught.value, WrongPassphrase)
    assert folder_state(book.parent) == before


def test_damaged_salt_with_the_right_recovery_key_says_so(book):
    recovery_key = new_recovery_key(book, PASSPHRASE)
    data = bytearray(book.read_bytes())
    data[3] ^= 0x01  # the file salt: every page's HMAC key changes
    book.write_bytes(bytes(data))
    with pytest.raises(ShopFileDamaged) as caught:
        open_shop_file_with_recovery_key(book, recovery_key)
    assert "recovery key is right" in str(caught.value)


# --- passphrase change and recovery key ---------------------------------------------------


def test_passphrase_change_rewraps_only(book):
    recovery_key = new_recovery_key(book, PASSPHRASE)
    shop_bytes = book.read_bytes()
    change_passphrase(book, PASSPHRASE, NEW_PASSPHRASE)
    assert book.read_bytes() == shop_bytes  # not re-encrypted
    with pytest.raises(WrongPassphrase):
        open_shop_file(book, PASSPHRASE)
    assert names(book, NEW_PASSPHRASE) == ["Ana", "Bruno"]
    open_shop_file_with_recovery_key(book, recovery_key).close()  # the recovery key is kept
    if os.name == "posix":
        assert key_file_path(book).stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in book.parent.iterdir()) == [book.name, key_file_path(book).name]


def test_forgotten_passphrase_is_replaced_with_the_recovery_key(book):
    recovery_key = new_recovery_key(book, PASSPHRASE)
    change_passphrase(book, RecoveryKey.parse(recovery_key.lower()), NEW_PASSPHRASE)
    assert names(book, NEW_PASSPHRASE) == ["Ana", "Bruno"]


def test_recovery_key_opens_until_replaced(book):
    with pytest.raises(KeyFileError) as caught:
        open_shop_file_with_recovery_key(book, RecoveryKey.new().text)
    assert "no recovery key yet" in str(caught.value)
    first = new_recovery_key(book, PASSPHRASE)
    database = open_shop_file_with_recovery_key(book, first.replace("-", " ").lower())
    try:
        with database.reading() as session:
            assert session.execute(text("SELECT count(*) FROM customers")).scalar_one() == 2
    finally:
        database.close()
    second = new_recovery_key(book, PASSPHRASE)
    assert second != first
    with pytest.raises(WrongRecoveryKey) as caught:
        open_shop_file_with_recovery_key(book, first)
    assert first not in str(caught.value) and str(book) in str(caught.value)
    open_shop_file_with_recovery_key(book, second).close()
    open_shop_file(book, PASSPHRASE).close()  # the passphrase wrap is untouched


def test_something_that_is_not_a_recovery_key_is_refused_without_repeating_it(book):
    typed = "my-secret-guess-1234"
    with pytest.raises(WrongRecoveryKey) as caught:
        open_shop_file_with_recovery_key(book, typed)
    assert typed not in str(caught.value)
    assert "32 letters and digits" in str(caught.value)


# --- rotation -----------------------------------------------------------------------------


def test_rotate_key_re_encrypts_and_old_keys_stop_working(book):
    old_recovery_key = new_recovery_key(book, PASSPHRASE)
    old_key_file = key_file_path(book).read_bytes()
    old_key = unlock(book, PASSPHRASE).key
    new_recovery = RecoveryKey.new().text
    rotate_key(book, PASSPHRASE, RecoveryKey.parse(new_recovery))
    assert sorted(p.name for p in book.parent.iterdir()) == [book.name, key_file_path(book).name]
    assert names(book) == ["Ana", "Bruno"]
    assert not opens_with(book, old_key)
    assert opens_with(book, unlock(book, PASSPHRASE).key)
    with pytest.raises(WrongRecoveryKey):
        open_shop_file_with_recovery_key(book, old_recovery_key)
    open_shop_file_with_recovery_key(book, new_recovery).close()
    key_file_path(book).write_bytes(old_key_file)  # an old copy of the key file
    with pytest.raises(ShopFileDamaged):
        open_shop_file(book, PASSPHRASE)


def test_rotate_key_on_an_open_shop_keeps_it_working(book):
    database = open_shop_file(book, PASSPHRASE)
    try:
        add_one(database, "Carla", "(11) 97777-1234")
        recovery_key = RecoveryKey.new().text
        rotate_key(database, PASSPHRASE, RecoveryKey.parse(recovery_key))
        add_one(database, "Duda", "(11) 96666-1234")
        with database.reading() as session:
            assert session.execute(text("SELECT count(*) FROM customers")).scalar_one() == 4
        assert verify_shop_file(database) == []
    finally:
        database.close()
    assert names(book) == ["Ana", "Bruno", "Carla", "Duda"]
    open_shop_file_with_recovery_key(book, recovery_key).close()


def test_rotate_key_refuses_while_another_connection_has_the_file(book):
    database = open_shop_file(book, PASSPHRASE)
    try:
        with database.reading() as session:
            session.execute(text("SELECT count(*) FROM customers")).scalar_one()
            before = folder_state(book.parent)
            with pytest.raises(ShopFileInUse) as caught:
                rotate_key(book, PASSPHRASE, RecoveryKey.new())
            assert str(book) in str(caught.value)
            assert folder_state(book.parent) == before
    finally:
        database.close()
    assert names(book) == ["Ana", "Bruno"]


def _pending_rotation(path: Path) -> tuple[RawKey, RawKey, str]:
    """The first half of a rotation, by hand: the new key file written as .key.new. Returns (old, new, recovery)."""
    old = unlock(path, PASSPHRASE).key
    new = RawKey(key=os.urandom(32), salt=old.salt)
    recovery_key = RecoveryKey.new()
    write_key_file(
        pending_key_file_path(path),
        KeyFile(passphrase=passphrase_wrap(new.key, PASSPHRASE), recovery=recovery_wrap(new.key, recovery_key)),
    )
    return old, new, recovery_key.text


def _rekey(path: Path, old: RawKey, new: RawKey) -> None:
    conn = sqlcipher.connect(str(path), isolation_level=None)
    try:
        conn.execute(f"PRAGMA key = {old.pragma_value(with_salt=False)}")
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute(f"PRAGMA rekey = {new.pragma_value(with_salt=False)}")
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()


def test_rotation_stopped_before_re_encrypting_still_opens(book):
    current = key_file_path(book).read_bytes()
    old, _new, _recovery = _pending_rotation(book)
    assert names(book) == ["Ana", "Bruno"]
    assert not pending_key_file_path(book).exists()  # undone: it never applied
    assert key_file_path(book).read_bytes() == current
    assert opens_with(book, old)


def test_rotation_stopped_after_re_encrypting_still_opens_and_finishes(book):
    old, new, recovery_key = _pending_rotation(book)
    pending_bytes = pending_key_file_path(book).read_bytes()
    _rekey(book, old, new)
    assert names(book) == ["Ana", "Bruno"]
    assert not pending_key_file_path(book).exists()
    assert key_file_path(book).read_bytes() == pending_bytes  # finished: the new key file took over
    open_shop_file_with_recovery_key(book, recovery_key).close()
    assert not opens_with(book, old)


def test_legacy_file_rotation_stopped_before_re_encrypting_still_opens(legacy_shop):
    _pending_rotation(legacy_shop)
    assert not key_file_path(legacy_shop).exists()  # a legacy file has no key file until opened
    assert names(legacy_shop) == ["Ana", "Bruno"]
    assert not pending_key_file_path(legacy_shop).exists()
    assert read_key_file(key_file_path(legacy_shop)).key_origin == ORIGIN_LEGACY


# --- legacy files -------------------------------------------------------------------------


@pytest.fixture
def legacy_shop(book: Path) -> Path:
    """The book as Regulars saved it before key files: keyed by SQLCipher's own passphrase KDF, no key file."""
    current = unlock(book, PASSPHRASE).key
    _rekey(book, current, derive_legacy_key(PASSPHRASE, current.salt))
    key_file_path(book).unlink()
    assert opens_with_bare_passphrase(book)
    return book


def test_legacy_file_upgrades_in_place(legacy_shop):
    shop_bytes = legacy_shop.read_bytes()
    assert names(legacy_shop) == ["Ana", "Bruno"]
    key_file = read_key_file(key_file_path(legacy_shop))
    assert key_file.key_origin == ORIGIN_LEGACY and key_file.recovery is None
    assert key_file.unlock_with_passphrase(PASSPHRASE) == derive_legacy_key(PASSPHRASE, shop_bytes[:16]).key
    assert legacy_shop.read_bytes()[:16] == shop_bytes[:16]
    assert opens_with_bare_passphrase(legacy_shop)  # the same key: nothing was re-encrypted
    assert names(legacy_shop) == ["Ana", "Bruno"]  # and again, now through the key file
    rotate_key(legacy_shop, PASSPHRASE, RecoveryKey.new())
    assert not opens_with_bare_passphrase(legacy_shop)
    assert read_key_file(key_file_path(legacy_shop)).key_origin == ORIGIN_RANDOM
    assert names(legacy_shop) == ["Ana", "Bruno"]


def test_legacy_file_with_a_wrong_passphrase_gets_no_key_file(legacy_shop):
    before = folder_state(legacy_shop.parent)
    with pytest.raises(ShopFileError) as caught:
        open_shop_file(legacy_shop, "not the passphrase")
    assert "passphrase is wrong, or the file is damaged" in str(caught.value)
    assert folder_state(legacy_shop.parent) == before


def test_legacy_file_passphrase_change_and_recovery_key(legacy_shop):
    recovery_key = new_recovery_key(legacy_shop, PASSPHRASE)
    change_passphrase(legacy_shop, PASSPHRASE, NEW_PASSPHRASE)
    assert names(legacy_shop, NEW_PASSPHRASE) == ["Ana", "Bruno"]
    open_shop_file_with_recovery_key(legacy_shop, recovery_key).close()


# --- nothing secret in the key file -------------------------------------------------------


def test_key_file_holds_no_secret_in_the_clear(book):
    recovery_keys = [new_recovery_key(book, PASSPHRASE)]
    change_passphrase(book, PASSPHRASE, NEW_PASSPHRASE)
    recovery_keys.append(RecoveryKey.new().text)
    rotate_key(book, NEW_PASSPHRASE, RecoveryKey.parse(recovery_keys[-1]))
    key = unlock(book, NEW_PASSPHRASE).key
    data = key_file_path(book).read_bytes()
    needles = [PASSPHRASE, NEW_PASSPHRASE, key.key.hex(), key.key.hex().upper(), base64.b64encode(key.key).decode()]
    for recovery_key in recovery_keys:
        needles += [recovery_key, recovery_key.replace("-", ""), RecoveryKey.parse(recovery_key).secret.hex()]
    for needle in needles:
        for encoding in ("utf-8", "utf-16-le"):
            assert needle.encode(encoding) not in data
    assert key.key not in data


def test_opening_while_another_process_rotates_says_busy_not_wrong(book, monkeypatch):
    from desktop.db import key_changes
    from desktop.db import unlock as unlock_module

    monkeypatch.setattr(unlock_module, "PROBE_BUSY_TIMEOUT_MS", 50)
    holder = key_changes._exclusive_connection(book, unlock(book, PASSPHRASE).key)  # as rotate_key holds it
    try:
        with pytest.raises(ShopFileInUse) as caught:
            open_shop_file(book, PASSPHRASE)
        assert str(book) in str(caught.value) and "busy" in str(caught.value)
    finally:
        holder.execute("PRAGMA journal_mode = WAL")
        holder.close()
    assert names(book) == ["Ana", "Bruno"]

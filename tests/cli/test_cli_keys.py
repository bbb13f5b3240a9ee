"""The command line for keys: passphrase change, recovery key, key rotation, unlocking with the recovery key."""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

import pytest

from desktop.cli import NEW_PASSPHRASE_ENV, PASSPHRASE_ENV, RECOVERY_KEY_ENV
from desktop.cli import common as cli_module
from desktop.db.engine import open_shop_file
from desktop.db.instance_lock import InstanceLock
from desktop.db.key_file import key_file_path
from desktop.errors import WrongPassphrase
from tests.cli.helpers import made_recovery_key

PASSPHRASE = "correct horse battery"  # the shared template's (tests/conftest.py)
NEW_PASSPHRASE = "pão de queijo quente"
RECOVERY_KEY = re.compile(r"\b[0-9A-HJKMNP-TV-Z]{4}(?:-[0-9A-HJKMNP-TV-Z]{4}){7}\b")


def folder_state(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}




@pytest.fixture
def terminal(monkeypatch):
    """Pretends stdin is a terminal and answers getpass prompts from a list."""
    answers: list[str] = []
    prompts: list[str] = []

    class Tty:
        def isatty(self) -> bool:
            return True

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return answers.pop(0)

    monkeypatch.setattr(cli_module.sys, "stdin", Tty())
    monkeypatch.setattr(cli_module.getpass, "getpass", fake_getpass)
    return answers, prompts


def recovery_key_in(out: str) -> str:
    found = RECOVERY_KEY.findall(out)
    assert len(found) == 1, out
    return found[0]


def opens(db: Path, passphrase: str) -> bool:
    try:
        open_shop_file(db, passphrase).close()
        return True
    except WrongPassphrase:
        return False


# --- passphrase change --------------------------------------------------------------------


def test_passphrase_change_from_the_environment(cli, shop_path, monkeypatch):
    assert cli(shop_path, "customers", "add", "--first-name", "Ana", "--phone", "(11) 98765-4321")[0] == 0
    monkeypatch.setenv(NEW_PASSPHRASE_ENV, NEW_PASSPHRASE)
    status, out, err = cli(shop_path, "passphrase", "change")
    assert (status, err) == (0, "")
    assert "Changed the passphrase" in out and str(shop_path) in out
    assert NEW_PASSPHRASE not in out and PASSPHRASE not in out
    assert not opens(shop_path, PASSPHRASE)
    monkeypatch.setenv(PASSPHRASE_ENV, NEW_PASSPHRASE)
    status, out, _ = cli(shop_path, "customers", "find", "ana")
    assert status == 0 and "Ana" in out


def test_passphrase_change_asks_twice_on_a_terminal(cli, shop_path, monkeypatch, terminal):
    answers, prompts = terminal
    monkeypatch.delenv(PASSPHRASE_ENV)
    answers += [PASSPHRASE, NEW_PASSPHRASE, NEW_PASSPHRASE]
    status, _, err = cli(shop_path, "passphrase", "change")
    assert (status, err) == (0, "")
    assert len(prompts) == 3 and "again" in prompts[2].lower()
    assert opens(shop_path, NEW_PASSPHRASE)


def test_passphrase_change_with_two_different_new_ones_writes_nothing(cli, shop_path, monkeypatch, terminal):
    answers, _ = terminal
    monkeypatch.delenv(PASSPHRASE_ENV)
    answers += [PASSPHRASE, NEW_PASSPHRASE, NEW_PASSPHRASE + "!"]
    before = folder_state(shop_path.parent)
    status, out, err = cli(shop_path, "passphrase", "change")
    assert (status, out) == (1, "")
    assert "differ" in err
    assert folder_state(shop_path.parent) == before


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        (PASSPHRASE, "short", "8"),
        ("not the passphrase", NEW_PASSPHRASE, "passphrase is wrong"),
        (PASSPHRASE, None, NEW_PASSPHRASE_ENV),  # no new passphrase and no terminal
        (PASSPHRASE, PASSPHRASE, "current passphrase"),
    ],
    ids=["too-short", "wrong-old", "no-new", "same"],
)
def test_passphrase_change_errors_write_nothing(cli, shop_path, monkeypatch, old, new, says):
    monkeypatch.setenv(PASSPHRASE_ENV, old)
    if new is not None:
        monkeypatch.setenv(NEW_PASSPHRASE_ENV, new)
    before = folder_state(shop_path.parent)
    status, out, err = cli(shop_path, "passphrase", "change")
    assert (status, out) == (1, "")
    assert err.startswith("regulars: ") and says in err
    assert folder_state(shop_path.parent) == before
    assert opens(shop_path, PASSPHRASE)


# --- recovery key -------------------------------------------------------------------------


def test_recovery_key_new_prints_it_once_and_it_unlocks(cli, shop_path, monkeypatch, confirming):
    assert cli(shop_path, "customers", "add", "--first-name", "Ana", "--phone", "(11) 98765-4321")[0] == 0
    status, out, err = cli(shop_path, "recovery-key", "new")
    assert (status, err) == (0, "")
    first = recovery_key_in(out)
    assert "safe" in out and "not shown again" in out
    assert first.encode() not in key_file_path(shop_path).read_bytes()

    monkeypatch.delenv(PASSPHRASE_ENV)
    monkeypatch.setenv(RECOVERY_KEY_ENV, first.lower())
    status, out, _ = cli(shop_path, "customers", "find", "ana")
    assert status == 0 and "Ana" in out

    status, out, _ = cli(shop_path, "recovery-key", "new")  # made with the recovery key itself
    assert status == 0
    second = recovery_key_in(out)
    status, out, err = cli(shop_path, "customers", "find", "ana")
    assert (status, out) == (1, "")
    assert "recovery key" in err and first not in err and first.lower() not in err
    monkeypatch.setenv(RECOVERY_KEY_ENV, second)
    assert cli(shop_path, "customers", "find", "ana")[0] == 0


def test_recovery_key_new_shows_the_key_and_has_it_confirmed_before_it_replaces_the_earlier_one(
        cli, shop_path, monkeypatch, confirming):
    earlier = made_recovery_key(cli, shop_path)
    status, out, err = cli(shop_path, "recovery-key", "new")
    assert (status, err) == (0, "")
    assert confirming == ["Type its last four characters to confirm you have it: "]
    new = recovery_key_in(out)
    assert out.index(new) < out.index("is the one that works now")
    monkeypatch.delenv(PASSPHRASE_ENV)
    monkeypatch.setenv(RECOVERY_KEY_ENV, earlier)
    assert cli(shop_path, "customers", "find", "x")[0] == 1
    monkeypatch.setenv(RECOVERY_KEY_ENV, new)
    assert cli(shop_path, "customers", "find", "x")[0] == 0


def test_recovery_key_new_saves_the_key_where_the_owner_chose(cli, shop_path, monkeypatch, recovery_key_out):
    status, out, err = cli(shop_path, "recovery-key", "new", "--recovery-key-out", str(recovery_key_out))
    assert (status, err) == (0, "")
    assert RECOVERY_KEY.search(out) is None and str(recovery_key_out) in out
    assert recovery_key_out.stat().st_mode & 0o777 == 0o600
    monkeypatch.delenv(PASSPHRASE_ENV)
    monkeypatch.setenv(RECOVERY_KEY_ENV, recovery_key_out.read_text().strip())
    assert cli(shop_path, "customers", "find", "x")[0] == 0
    status, _, err = cli(shop_path, "recovery-key", "new", "--recovery-key-out", str(recovery_key_out))
    assert status == 1 and "already exists" in err


def test_forgotten_passphrase_is_changed_with_the_recovery_key(cli, shop_path, monkeypatch):
    recovery_key = made_recovery_key(cli, shop_path)
    monkeypatch.delenv(PASSPHRASE_ENV)
    monkeypatch.setenv(RECOVERY_KEY_ENV, recovery_key)
    monkeypatch.setenv(NEW_PASSPHRASE_ENV, NEW_PASSPHRASE)
    status, out, err = cli(shop_path, "--recovery-key", "passphrase", "change")
    assert (status, err) == (0, "")
    assert opens(shop_path, NEW_PASSPHRASE)
    assert not opens(shop_path, PASSPHRASE)
    status, _, _ = cli(shop_path, "customers", "find", "x")  # the recovery key still works
    assert status == 0


def test_recovery_key_option_without_a_key_and_no_terminal(cli, shop_path):
    before = folder_state(shop_path.parent)
    status, out, err = cli(shop_path, "--recovery-key", "customers", "find", "ana")
    assert (status, out) == (1, "")
    assert RECOVERY_KEY_ENV in err
    assert folder_state(shop_path.parent) == before


def test_a_mistyped_recovery_key_is_refused(cli, shop_path, monkeypatch):
    monkeypatch.setenv(RECOVERY_KEY_ENV, "ABCD-EFGH")
    status, out, err = cli(shop_path, "customers", "find", "ana")
    assert (status, out) == (1, "")
    assert "32 letters and digits" in err and "ABCD-EFGH" not in err


# --- key rotation -------------------------------------------------------------------------


@pytest.fixture
def recovery_key_out(shop_path) -> Path:
    """Where `key rotate --recovery-key-out` saves the new key: outside the shop's folder."""
    return shop_path.parent.parent / "recovery-key.txt"


@pytest.fixture
def confirming(monkeypatch, terminal):
    """A terminal on which the owner types back the last group of the recovery key just shown."""
    typed: list[str] = []

    def input_(prompt: str = "") -> str:
        shown = RECOVERY_KEY.findall(sys.stdout.getvalue())
        typed.append(prompt)
        return shown[-1][-4:].lower() if shown else ""

    monkeypatch.setattr("builtins.input", input_)
    return typed


def test_key_rotate_shows_the_new_recovery_key_and_has_it_confirmed_before_the_switch(
    cli, shop_path, monkeypatch, confirming
):
    assert cli(shop_path, "customers", "add", "--first-name", "Ana", "--phone", "(11) 98765-4321")[0] == 0
    old_recovery_key = made_recovery_key(cli, shop_path)
    old_key_file = key_file_path(shop_path).read_bytes()
    status, out, err = cli(shop_path, "key", "rotate")
    assert (status, err) == (0, "")
    assert confirming == ["Type its last four characters to confirm you have it: "]
    new_recovery_key = recovery_key_in(out)
    assert new_recovery_key != old_recovery_key
    assert out.index(new_recovery_key) < out.index("Re-encrypted")
    assert "safe" in out
    assert key_file_path(shop_path).read_bytes() != old_key_file
    status, out, _ = cli(shop_path, "customers", "find", "ana")
    assert status == 0 and "Ana" in out
    assert cli(shop_path, "check")[0] == 0

    monkeypatch.delenv(PASSPHRASE_ENV)
    monkeypatch.setenv(RECOVERY_KEY_ENV, old_recovery_key)
    status, _, err = cli(shop_path, "customers", "find", "ana")
    assert status == 1 and "recovery key" in err
    monkeypatch.setenv(RECOVERY_KEY_ENV, new_recovery_key)
    assert cli(shop_path, "customers", "find", "ana")[0] == 0


MAKE_A_RECOVERY_KEY = pytest.mark.parametrize("command", [("key", "rotate"), ("recovery-key", "new")], ids=" ".join)


@MAKE_A_RECOVERY_KEY
def test_a_wrong_confirmation_of_the_new_recovery_key_changes_nothing(cli, shop_path, monkeypatch, terminal, command):
    monkeypatch.setattr("builtins.input", lambda prompt="": "0000")
    old_recovery_key = made_recovery_key(cli, shop_path)
    before = folder_state(shop_path.parent)
    status, out, err = cli(shop_path, *command)
    assert status == 1 and "not put in use" in err and "earlier recovery key still works" in err
    shown = recovery_key_in(out)
    after = folder_state(shop_path.parent)
    after.pop(shop_path.name + ".lock", None)
    assert after == before
    monkeypatch.setenv(RECOVERY_KEY_ENV, old_recovery_key)
    assert cli(shop_path, "customers", "find", "ana")[0] == 0
    monkeypatch.setenv(RECOVERY_KEY_ENV, shown)
    assert cli(shop_path, "customers", "find", "ana")[0] == 1


@MAKE_A_RECOVERY_KEY
def test_without_a_terminal_a_new_recovery_key_needs_a_file_to_go_in(cli, shop_path, command):
    before = folder_state(shop_path.parent)
    status, out, err = cli(shop_path, *command)
    assert (status, out) == (1, "")
    assert err.startswith(f"regulars: {' '.join(command)} shows the new recovery key")
    assert "--recovery-key-out FILE" in err and "Nothing was changed" in err
    assert folder_state(shop_path.parent) == before


def test_key_rotate_saves_the_recovery_key_where_the_owner_chose(cli, shop_path, monkeypatch, recovery_key_out):
    status, out, err = cli(shop_path, "key", "rotate", "--recovery-key-out", str(recovery_key_out))
    assert (status, err) == (0, "")
    assert RECOVERY_KEY.search(out) is None  # saved, not printed
    assert str(recovery_key_out) in out
    assert recovery_key_out.stat().st_mode & 0o777 == 0o600
    monkeypatch.delenv(PASSPHRASE_ENV)
    monkeypatch.setenv(RECOVERY_KEY_ENV, recovery_key_out.read_text().strip())
    assert cli(shop_path, "customers", "find", "ana")[0] == 0
    status, _, err = cli(shop_path, "key", "rotate", "--recovery-key-out", str(recovery_key_out))
    assert status == 1


def test_key_rotate_never_replaces_an_existing_file_with_the_recovery_key(cli, shop_path, recovery_key_out):
    recovery_key_out.write_text("my notes\n")
    before = folder_state(shop_path.parent)
    status, out, err = cli(shop_path, "key", "rotate", "--recovery-key-out", str(recovery_key_out))
    assert (status, out) == (1, "")
    assert err.startswith("regulars: --recovery-key-out: ") and "already exists" in err
    assert recovery_key_out.read_text() == "my notes\n"
    assert folder_state(shop_path.parent) == before


def test_key_rotate_that_cannot_switch_takes_back_the_saved_key(cli, shop_path, recovery_key_out):
    database = open_shop_file(shop_path, PASSPHRASE)  # another command holds the file: rotation cannot start
    try:
        with database.reading() as session:
            session.connection().exec_driver_sql("SELECT count(*) FROM customers").scalar_one()
            status, out, err = cli(shop_path, "key", "rotate", "--recovery-key-out", str(recovery_key_out))
    finally:
        database.close()
    assert status == 1
    assert "earlier recovery key still works" in err
    assert not recovery_key_out.exists()


def test_key_rotate_needs_the_passphrase_not_the_recovery_key(cli, shop_path, monkeypatch):
    monkeypatch.setenv(RECOVERY_KEY_ENV, made_recovery_key(cli, shop_path))
    before = folder_state(shop_path.parent)
    status, out, err = cli(shop_path, "key", "rotate")
    assert (status, out) == (1, "")
    assert "needs the passphrase" in err and "passphrase change" in err
    assert folder_state(shop_path.parent) == before


def test_key_rotate_with_a_wrong_passphrase_writes_nothing(cli, shop_path, monkeypatch, recovery_key_out):
    monkeypatch.setenv(PASSPHRASE_ENV, "not the passphrase")
    before = folder_state(shop_path.parent)
    status, out, err = cli(shop_path, "key", "rotate", "--recovery-key-out", str(recovery_key_out))
    assert (status, out) == (1, "")
    assert "passphrase is wrong" in err
    # The instance lock's empty file may be left behind, as the app leaves it; nothing else changes.
    after = folder_state(shop_path.parent)
    after.pop(shop_path.name + ".lock", None)
    assert after == before


def test_key_rotate_refuses_while_the_app_has_the_file(cli, shop_path, recovery_key_out):
    with InstanceLock(shop_path):
        before = folder_state(shop_path.parent)
        status, out, err = cli(shop_path, "key", "rotate", "--recovery-key-out", str(recovery_key_out))
        assert (status, out) == (1, "")
        assert "already open" in err
        assert folder_state(shop_path.parent) == before
    assert opens(shop_path, PASSPHRASE)


def test_key_rotate_on_a_missing_file(cli, tmp_path):
    db = tmp_path / "nowhere" / "shop.regulars"
    status, out, err = cli(db, "key", "rotate", "--recovery-key-out", str(tmp_path / "recovery-key.txt"))
    assert (status, out) == (1, "")
    assert str(db) in err
    assert not db.parent.exists()


def test_init_names_the_key_file_and_suggests_a_recovery_key(cli, tmp_path):
    db = tmp_path / "shop.regulars"
    status, out, err = cli(db, "init", "--shop-name", "Padaria", "--region", "BR")
    assert (status, err) == (0, "")
    assert str(key_file_path(db)) in out and "recovery-key new" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shop.regulars", "shop.regulars.key"]


def test_passphrase_change_on_a_legacy_file_suggests_rotating(cli, shop_path, monkeypatch):
    import sqlcipher3.dbapi2 as sqlcipher

    from desktop.db.keys import derive_legacy_key
    from desktop.db.unlock import unlock

    current = unlock(shop_path, PASSPHRASE).key
    conn = sqlcipher.connect(str(shop_path), isolation_level=None)  # re-key it the pre-key-file way
    conn.execute(f"PRAGMA key = {current.pragma_value(with_salt=False)}")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute(f"PRAGMA rekey = {derive_legacy_key(PASSPHRASE, current.salt).pragma_value(with_salt=False)}")
    conn.close()
    key_file_path(shop_path).unlink()

    monkeypatch.setenv(NEW_PASSPHRASE_ENV, NEW_PASSPHRASE)
    status, out, err = cli(shop_path, "passphrase", "change")
    assert (status, err) == (0, "")
    assert "key rotate" in out
    monkeypatch.setenv(PASSPHRASE_ENV, NEW_PASSPHRASE)
    status, out, err = cli(shop_path, "key", "rotate", "--recovery-key-out", str(shop_path.parent.parent / "rk.txt"))
    assert (status, err) == (0, "")
    monkeypatch.setenv(NEW_PASSPHRASE_ENV, "a third passphrase")
    status, out, err = cli(shop_path, "passphrase", "change")
    assert (status, err) == (0, "")
    assert "key rotate" not in out  # a random key now: nothing left to rotate away

"""Hostile values on the command line: record numbers no record can have, and bytes the terminal
could not decode. Each is a usage error naming the argument, before the shop is even opened."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli import PASSPHRASE_ENV
from tests.cli.helpers import ok, refused, shop_fingerprint
from tests.conftest import PASSPHRASE

HUGE = "99999999999999999999"  # past SQLite's largest integer: an OverflowError once it reached the database
UNDECODED = "x\udcffy"  # what Python makes of the bytes x, 0xFF, y on a UTF-8 terminal


@pytest.fixture
def out(tmp_path) -> Path:
    return tmp_path / "out.pdf"


def usage_error(cli, db: Path, *args: str) -> None:
    """The command is refused by its parser: exit 2, and the shop file and key file untouched."""
    before = shop_fingerprint(db)
    with pytest.raises(SystemExit) as caught:
        cli(db, *args)
    assert caught.value.code == 2
    assert shop_fingerprint(db) == before


ID_COMMANDS = [
    ("id", ["customers", "show", "{}"]),
    ("customer", ["loyalty", "balance", "{}"]),
    ("customer", ["loyalty", "stamp", "{}", "--program", "Café"]),
    ("--program", ["loyalty", "stamp", "1", "--program", "{}"]),
    ("customer", ["loyalty", "card", "{}"]),
    ("program", ["loyalty", "programs", "pause", "{}"]),
    ("--customer", ["reservations", "add", "--customer", "{}", "--item", "Bolo", "--expected", "2030-01-10"]),
    ("--customer", ["reservations", "list", "--customer", "{}"]),
    ("reference", ["reservations", "status", "{}", "ready"]),
    ("reference", ["reservations", "show", "{}"]),
    ("RESERVATION_REF", ["print", "slip", "{}", "--out", "{out}"]),
    ("WARRANTY_ID", ["print", "certificate", "{}", "--out", "{out}"]),
    ("--customer", ["print", "cards", "--customer", "{}", "--out", "{out}"]),
    ("WARRANTY_ID", ["warranties", "claim", "{}", "--problem", "Leaks"]),
    ("CLAIM_ID", ["warranties", "outcome", "{}", "Repaired"]),
    ("--customer", ["warranties", "add", "--customer", "{}", "--product", "P", "--serial", "S",
                    "--purchased", "2026-01-10"]),
    ("CALL_ID", ["calls", "done", "{}"]),
    ("--customer", ["calls", "log", "--reason", "Question", "--customer", "{}"]),
    ("--customer", ["export-contacts", "--customer", "{}", "--out", "{out}"]),
    ("customer", ["privacy", "erase", "{}", "--yes"]),
    ("customer", ["privacy", "export", "{}", "--out", "{out}"]),
    ("STAFF", ["staff", "set-role", "{}", "owner"]),
]


@pytest.mark.parametrize(("argument", "command"), ID_COMMANDS, ids=lambda v: " ".join(v) if isinstance(v, list) else v)
@pytest.mark.parametrize("number", [HUGE, "0"])
def test_a_number_no_record_can_have_is_refused_naming_the_argument(cli, records_path, out, capsys,
                                                                     argument, command, number):
    args = [part.format(number, out=out) for part in command]
    usage_error(cli, records_path, *args)
    err = capsys.readouterr().err
    assert f"argument {argument}: " in err and "is not a record number" in err, err
    assert "unexpected" not in err and not out.exists()


@pytest.mark.parametrize(
    ("argument", "command"),
    [
        ("serial", ["warranties", "find", "{}"]),
        ("RESERVATION_REF", ["print", "slip", "{}", "--out", "{out}"]),
        ("id", ["customers", "show", "{}"]),
        ("customer", ["loyalty", "balance", "{}"]),
        ("reference", ["reservations", "show", "{}"]),
        ("query", ["customers", "find", "{}"]),
        ("--first-name", ["customers", "add", "--first-name", "{}", "--phone", "(11) 91234-5678"]),
        ("--item", ["reservations", "add", "--customer", "1", "--item", "{}", "--expected", "2030-01-10"]),
        ("--deposit", ["reservations", "add", "--customer", "1", "--item", "Bolo", "--deposit", "{}",
                       "--expected", "2030-01-10"]),
        ("--staff", ["calls", "done", "1", "--staff", "{}"]),
        ("TEXT", ["warranties", "outcome", "1", "{}"]),
        ("--shop-name", ["init", "--shop-name", "{}", "--region", "PT"]),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else v,
)
def test_undecodable_text_is_refused_naming_the_argument(cli, records_path, out, capsys, argument, command):
    usage_error(cli, records_path, *[part.format(UNDECODED, out=out) for part in command])
    err = capsys.readouterr().err
    assert f"argument {argument}: not valid text in the terminal's encoding" in err, err
    assert not out.exists()


def test_undecodable_bytes_from_a_real_terminal(records_path):
    """The bytes as a shell passes them ($'x\\xffy'), through a real process and its real argv."""
    before = shop_fingerprint(records_path)
    env = {**os.environ, PASSPHRASE_ENV: PASSPHRASE, "LC_ALL": "C.UTF-8"}
    for argv in ([b"warranties", b"find", b"x\xffy"], [b"customers", b"add", b"--first-name", b"x\xffy",
                                                      b"--phone", b"(11) 91234-5678"]):
        done = subprocess.run([sys.executable, "-m", "desktop", "--db", str(records_path), *argv],
                              env=env, capture_output=True, timeout=60)
        err = done.stderr.decode("utf-8", "replace")
        assert done.returncode == 2 and "not valid text in the terminal's encoding" in err, err
        assert "Traceback" not in err and "unexpected" not in err
    assert shop_fingerprint(records_path) == before


@pytest.mark.parametrize("command", [["customers", "find", "ana"], ["calls", "list"], ["audit", "list"]])
def test_a_limit_too_large_for_the_database(cli, records_path, command):
    assert "--limit must be at most" in refused(cli, records_path, *command, "--limit", HUGE)


def test_numbers_in_range_still_find_their_records(cli, records_path):
    assert "Ana" in ok(cli, records_path, "customers", "show", "1")
    assert "Bolo" in ok(cli, records_path, "reservations", "show", "1")
    assert "Café" in ok(cli, records_path, "loyalty", "balance", "1")
    assert "No customer 9223372036854775807." in refused(cli, records_path, "customers", "show", "9223372036854775807")


@pytest.mark.parametrize("name", ["\u200b", "\u3164", "\u2800", "\ufeff", "\u200e", "\u2060", "\u115f", "\u0301"])
def test_a_first_name_that_shows_nothing_is_refused(cli, records_path, name):
    before = shop_fingerprint(records_path)
    err = refused(cli, records_path, "customers", "add", "--first-name", name, "--phone", "(11) 91234-5678")
    assert "first name: Has no visible character" in err
    assert shop_fingerprint(records_path) == before


def test_a_name_typed_with_a_zero_width_space_is_found(cli, records_path):
    added = ok(cli, records_path, "customers", "add", "--first-name", "Jo\u200bão", "--phone", "(11) 91234-5678")
    assert added.startswith("Added customer #2: João")
    assert "João" in ok(cli, records_path, "customers", "find", "joão")


@pytest.mark.parametrize(
    ("argument", "command"),
    [("reference", ["reservations", "show", "{}"]), ("customer", ["loyalty", "balance", "{}"]),
     ("serial", ["warranties", "find", "{}"]), ("STAFF", ["staff", "turn-off", "{}"])],
)
def test_a_reference_with_an_escape_sequence_is_not_echoed_to_the_terminal(cli, records_path, capsys, argument, command):
    """"No reservation <ref>" would have cleared the screen."""
    usage_error(cli, records_path, *[part.format("\x1b[2Jx") for part in command])
    err = capsys.readouterr().err
    assert f"argument {argument}: contains a control character" in err and "\x1b" not in err

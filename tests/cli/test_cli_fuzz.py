"""Every command of regulars, driven with hostile values (hypothesis).

The commands are found by walking the parser that `regulars` itself builds, so a new command is
fuzzed without being listed here. Each run gives one argument a value that its kind of argument
must refuse (a record number past SQLite's range, bytes the terminal could not decode, invisible
or control characters, text too long, a card number, an amount like 0,001, a day like
2026-02-30, ...); the others get a sensible value or another hostile one. Whatever the command,
it must answer with a message on stderr, exit 1 or 2, never say "unexpected" nor show a
traceback, and leave the shop file and its key file byte for byte as they were. Commands that
only read may find something and exit 0, but they too must leave the files as they were.

Paths (--out, --db, FILE, --folder, --recovery-key-out) are left out: where output may go is checked by tests of its own.
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.cli import PASSPHRASE_ENV, RECOVERY_KEY_ENV, build_parser, main
from desktop.cli.arguments import record_number, record_ref, reference_text
from tests.cli.helpers import shop_fingerprint
from tests.conftest import PASSPHRASE

# A few examples for each of the ~55 commands: the whole fuzz runs in well under a minute.
FUZZ = settings(max_examples=6, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Commands that only read: they may find something with an odd value and exit 0.
READ_ONLY = {
    "customers find", "customers show", "loyalty programs list", "loyalty balance", "reservations list",
    "reservations show", "warranties find", "warranties expiring", "calls list", "staff list", "audit list",
    "audit verify", "check", "backup-settings",
}
# `demo` adds fake customers to any shop whatever its other options say: it is no place for this test.
NOT_FUZZED = {"demo"}
PATHS = {"db", "out", "file", "folder", "recovery_key_out"}
MONEY = {"deposit", "purchase", "spend_per_stamp"}
DATES = {"expected", "purchased", "follow_up", "birthday", "date", "since", "until"}
WHOLE_NUMBERS = {"quantity", "months", "reward_at", "points_per_unit", "amount"}
SIGNED = {"amount"}  # loyalty adjust takes -1 as well as 2

# Values that make sense, so that a run gets past them to the hostile one.
SENSIBLE = {
    "customer": "1", "id": "1", "reference": "1", "warranty": "1", "call": "1", "claim": "1", "program": "Café",
    "staff_member": "1", "first_name": "Bia", "last_name": "Lima", "phone": "(11) 91234-5678",
    "email": "bia@example.com", "company": "Lima Lda", "city": "Santos", "birthday": "1990-05-01",
    "heard_from": "Friend", "notes": "Prefers mornings", "item": "Pão de queijo", "quantity": "2",
    "deposit": "12,50", "expected": "2030-02-01", "staff": "Rita", "product": "Radio", "serial": "RD-2000",
    "purchased": "2026-02-01", "months": "12", "problem": "No sound", "date": "2026-03-01", "outcome": "Fixed",
    "reason": "Question", "name": "Caio", "follow_up": "2030-02-01", "query": "ana", "limit": "5", "days": "30",
    "years": "3", "keep": "7", "warn_days": "7", "since": "2026-01-01", "until": "2026-12-31", "shop_name": "Loja",
    "region": "BR", "currency": "BRL", "reward_at": "5", "reward": "Pão grátis", "spend_per_stamp": "10,00",
    "points_per_unit": "1", "purchase": "12,50", "amount": "1", "address": "Rua A 1", "postal_code": "01000-000",
}

HUGE = st.integers(min_value=2**63, max_value=10**40).map(str)
NEGATIVE = st.integers(min_value=-(10**40), max_value=-1).map(str)
UNDECODED = st.tuples(st.text("abcé", max_size=3), st.sampled_from("\udc80\udcff\udcc3\ud800"),
                      st.text("xyz", max_size=3)).map("".join)
CONTROL = st.tuples(st.text("ab", max_size=2), st.sampled_from(["\x00", "\x07", "\x1b[2J", "\x7f", "\x85", "\r", "\x0c"]),
                    st.text("cd", min_size=1, max_size=2)).map("".join)
INVISIBLE = st.text("\u200b\u200c\u200d\u200e\u2060\ufeff\u3164\u115f\u2800\uffa0\u00ad\u0301", min_size=1, max_size=4)
LONG = st.integers(min_value=5_000, max_value=40_000).map(lambda n: "a" * n)


def _luhn_completed(body: int) -> str:
    digits = [int(d) for d in str(body)]
    total = sum(d if i % 2 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(reversed(digits)))
    return f"{body}{(10 - total % 10) % 10}"


CARD = st.integers(min_value=10**14, max_value=10**15 - 1).map(_luhn_completed) | st.just("4111 1111 1111 1111")
ODD_MONEY = st.sampled_from(["1,2,3", "0,001", "1e9", "NaN", "-0", "12,500", "Infinity", "1.2.3", "0x10", "١٢"])
ODD_DATES = st.sampled_from(["2026-02-30", "9999-99-99", "2026-13-01", "0000-01-01", "2026-02-29", "31/12/2026"])
TEXTY = UNDECODED | CONTROL | INVISIBLE | LONG | CARD
ANY_HOSTILE = TEXTY | HUGE | NEGATIVE | ODD_MONEY | ODD_DATES | st.sampled_from(["", "0", "-0"])
# An argument too many, for a command that takes no value. argparse repeats it in its complaint,
# which a terminal's stderr escapes where pytest's capture cannot: no undecodable bytes here.
STRAY = CONTROL | INVISIBLE | LONG | CARD | HUGE | ODD_MONEY | ODD_DATES

# What each kind of argument must refuse, whatever else the command is given.
REFUSED = {
    "record": ANY_HOSTILE,
    "choice": ANY_HOSTILE,
    "text": TEXTY,
    "money": TEXTY | ODD_MONEY | HUGE | NEGATIVE,
    "date": TEXTY | ODD_DATES,
    "whole": TEXTY | HUGE | NEGATIVE | st.sampled_from(["1,2,3", "1e9", "NaN", "0x10", "١٢"]),
    "signed": TEXTY | HUGE | st.sampled_from(["1,2,3", "1e9", "NaN", "0x10", "١٢"]),
}


@dataclass(frozen=True)
class Slot:
    """One argument of a command that takes a value."""

    action: argparse.Action

    @property
    def kind(self) -> str:
        dest, kind = self.action.dest, self.action.type
        if kind in (record_ref, record_number, reference_text):
            return "record"
        if self.action.choices:
            return "choice"
        if kind is int or dest in WHOLE_NUMBERS:
            return "signed" if dest in SIGNED else "whole"
        return "money" if dest in MONEY else "date" if dest in DATES else "text"

    def words(self, value: str) -> list[str]:
        return [self.action.option_strings[-1], value] if self.action.option_strings else [value]


@dataclass(frozen=True)
class Command:
    words: tuple[str, ...]
    slots: tuple[Slot, ...]
    flags: tuple[str, ...]
    paths: tuple[argparse.Action, ...]  # required path arguments: given a place in the test's folder

    @property
    def name(self) -> str:
        return " ".join(self.words)


def _commands(parser: argparse.ArgumentParser, words: tuple[str, ...] = ()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, (*words, name))
            return
    actions = [a for a in parser._actions if not isinstance(a, argparse._HelpAction)]
    yield Command(
        words=words,
        slots=tuple(Slot(a) for a in actions if a.nargs != 0 and a.dest not in PATHS),
        flags=tuple(a.option_strings[-1] for a in actions if a.nargs == 0),
        paths=tuple(a for a in actions if a.dest in PATHS and (a.required or not a.option_strings)),
    )


COMMANDS = [command for command in _commands(build_parser()) if command.name not in NOT_FUZZED]
_outputs = itertools.count()


@st.composite
def hostile_argv(draw, command: Command, folder: Path) -> list[str]:
    argv = list(command.words)
    for action in command.paths:  # a fresh name each run: a file left over must not be the reason for a refusal
        argv += [*action.option_strings[-1:], str(folder / f"output-{next(_outputs)}")]
    argv += [flag for flag in command.flags if draw(st.booleans())]
    if not command.slots:
        return [*argv, draw(STRAY)]
    hostile = draw(st.sampled_from(command.slots))
    for slot in command.slots:
        if slot is hostile:
            argv += slot.words(draw(REFUSED[slot.kind]))
        elif slot.action.required or not slot.action.option_strings or draw(st.booleans()):
            argv += slot.words(draw(st.just(_sensible(slot)) | ANY_HOSTILE))
    return argv


def _sensible(slot: Slot) -> str:
    if slot.action.choices:
        return str(list(slot.action.choices)[0])
    return SENSIBLE.get(slot.action.dest, "x")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command.name)
def test_hostile_values_are_refused_cleanly_and_write_nothing(command, records_path, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    for name in (RECOVERY_KEY_ENV, "REGULARS_NEW_PASSPHRASE", "REGULARS_PIN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "100")  # argparse asks the terminal's width for each of its ~70 parsers
    before = shop_fingerprint(records_path)

    @FUZZ
    @given(argv=hostile_argv(command, tmp_path))
    def run(argv: list[str]) -> None:
        try:
            status = main(["--db", str(records_path), *argv])
        except SystemExit as exit_:
            status = exit_.code
        err = capsys.readouterr().err
        assert "Traceback" not in err and "unexpected" not in err, err[-2000:]
        if status == 0:
            assert command.name in READ_ONLY, f"{command.name} accepted a hostile value"
        else:
            assert status in (1, 2) and err.strip(), (status, err[-2000:])
        assert shop_fingerprint(records_path) == before, f"{command.name} changed the shop file"

    run()

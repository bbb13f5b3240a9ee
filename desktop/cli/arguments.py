"""How the command line reads its arguments before any command runs: text that the terminal
could not decode, and record numbers (or references) no record can have, are usage errors naming
the argument.

Every parser of `regulars` is an ArgumentParser from here (subcommands inherit the class), so a
new command gets the text check without asking; arguments that name a record declare
`type=record_ref` (number, or a UUID, code or name) or `type=record_number` (a number only).
"""

from __future__ import annotations

import argparse
import re
import sys

from desktop.services.record_ids import MAX_RECORD_ID, is_number, record_id

# Bytes the terminal's encoding could not decode arrive as lone surrogates (PEP 383).
_UNDECODED = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


class ArgumentParser(argparse.ArgumentParser):
    """argparse's parser, whose arguments without a type of their own must be decodable text."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.register("type", None, terminal_text)

    def add_subparsers(self, **kwargs):
        commands = super().add_subparsers(**kwargs)
        commands.type = str  # argparse gives a command's own arguments to this type too: its parser checks them
        return commands


def terminal_text(value: str) -> str:
    """Text as typed; lone surrogates stand for bytes the terminal's encoding could not decode."""
    if _UNDECODED.search(value):
        encoding = sys.getfilesystemencoding()
        raise argparse.ArgumentTypeError(f"not valid text in the terminal's encoding ({encoding}); type it again")
    return value


def reference_text(value: str) -> str:
    """What names a record never holds a control character; "No customer <ref>" would echo an
    escape sequence to the terminal."""
    if _CONTROL.search(terminal_text(value)):
        raise argparse.ArgumentTypeError("contains a control character: no record's number, code or name does")
    return value


def record_number(value: str) -> int:
    """A record's number (a call, a claim): a whole number SQLite can hold."""
    number = record_id(reference_text(value))
    if number is None:
        raise argparse.ArgumentTypeError(_not_a_number(value))
    return number


def record_ref(value: str) -> str:
    """A record's number, or its UUID, code or name: only a number is checked here."""
    if is_number(reference_text(value).strip()) and record_id(value) is None:
        raise argparse.ArgumentTypeError(_not_a_number(value))
    return value


def _not_a_number(value: str) -> str:
    shown = value if len(value) <= 24 else value[:23] + "…"
    return f"{shown!r} is not a record number (a whole number from 1 to {MAX_RECORD_ID})"

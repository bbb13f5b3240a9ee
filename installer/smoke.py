"""What an installed Regulars must do on a shop's PC, run against any install of its command line.

The wheel test (tests/packaging/test_wheel.py) runs it against `regulars-cli` in a fresh virtual
environment, and `installer/build.py --smoke-test` against the bundled executable: create a shop,
add a customer with a Greek name, look her up, print a blank sign-up form and her loyalty card, and
read both PDFs back with poppler's pdftotext and pdffonts (the fonts and the privacy notice must
have come along with the install). Every command runs from `workdir`, away from the repository, with
no PYTHONPATH, so nothing is borrowed from a source tree.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

PASSPHRASE = "smoke-test passphrase"
SHOP_NAME = "Φούρνος της γειτονιάς"
FIRST_NAME, LAST_NAME = "Γιώργος", "Παπαδόπουλος"
COMMAND_SECONDS = 120


class SmokeFailed(Exception):
    """The install did not do what a shop needs; the message says what and shows the command's output."""


def clean_environment(**extra: str) -> dict[str, str]:
    """The current environment without anything that would point Python back at the repository."""
    environment = {name: value for name, value in os.environ.items()
                   if name not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    environment.update(extra)
    return environment


def run(command: list[str], workdir: Path, environment: dict[str, str]) -> str:
    """The command's stdout; it must exit 0 without a traceback."""
    result = subprocess.run(command, cwd=workdir, env=environment, capture_output=True, text=True,
                            timeout=COMMAND_SECONDS)
    if result.returncode != 0 or "Traceback" in result.stderr:
        raise SmokeFailed(f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def expect(condition: bool, what: str) -> None:
    if not condition:
        raise SmokeFailed(what)


def check_cli(regulars: list[str], workdir: Path, version: str) -> None:
    """Runs the shop scenario with `regulars` (the command as a list, e.g. [".../regulars-cli"])."""
    environment = clean_environment(REGULARS_PASSPHRASE=PASSPHRASE)
    shop = workdir / "shop.regulars"

    def cli(*args: str) -> str:
        return run([*regulars, "--db", str(shop), *args], workdir, environment)

    shown = cli("--version").strip()
    expect(shown == f"Regulars {version}", f"--version printed {shown!r}, not 'Regulars {version}'")
    cli("init", "--shop-name", SHOP_NAME, "--region", "GR")
    cli("customers", "add", "--first-name", FIRST_NAME, "--last-name", LAST_NAME, "--phone", "691 234 5678")
    found = json.loads(cli("customers", "find", "5678", "--json"))
    expect([match["last_name"] for match in found] == [LAST_NAME], f"looking up 5678 found {found}")
    cli("print", "form", "signup", "--out", "signup.pdf")
    cli("print", "cards", "--all", "--out", "cards.pdf")
    form, cards = pdf_text(workdir / "signup.pdf"), pdf_text(workdir / "cards.pdf")
    expect(f"{SHOP_NAME} keeps a customer book" in form, f"the sign-up form lacks the privacy notice:\n{form}")
    expect(LAST_NAME in cards, f"the loyalty card does not show {LAST_NAME}:\n{cards}")
    for pdf in ("signup.pdf", "cards.pdf"):
        fonts = pdf_fonts(workdir / pdf)
        expect(any("DejaVuSans" in font for font in fonts), f"{pdf} does not embed DejaVu Sans: {fonts}")


def pdf_text(pdf: Path) -> str:
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True)
    return " ".join(result.stdout.decode("utf-8").split())


def pdf_fonts(pdf: Path) -> list[str]:
    """The font names pdffonts lists (its first two lines are the table's header)."""
    result = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True)
    return [line.split()[0] for line in result.stdout.splitlines()[2:] if line.strip()]

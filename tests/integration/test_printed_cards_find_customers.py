"""End to end: cards printed from the CLI scan back to the right customer."""

from __future__ import annotations

import subprocess
from pathlib import Path

import zxingcpp
from PIL import Image

from desktop.cli import main
from desktop.services.customers import CustomerDetails, add_customer
from desktop.services.lookup import find_customers
from tests.conftest import PASSPHRASE, REGION

PEOPLE = [
    ("João", "Simões", "(11) 98765-4321"),
    ("Γιώργος", "Παπαδόπουλος", "+30 694 123 4567"),
    ("<b>Ana", "& Co</b>", "(21) 99876-1234"),
]


def test_every_printed_card_scans_to_its_owner(shop_path: Path, tmp_path: Path, monkeypatch, capsys):
    from desktop.db.engine import open_shop_file

    database = open_shop_file(shop_path, PASSPHRASE)
    with database.writing() as session:
        owners = {
            add_customer(session, CustomerDetails(first_name=f, last_name=l, phones=[p]), REGION).id: f"{f} {l}"
            for f, l, p in PEOPLE
        }
    database.close()
    monkeypatch.setenv("REGULARS_PASSPHRASE", PASSPHRASE)
    assert main(["--db", str(shop_path), "loyalty", "programs", "add", "--name", "Café",
                 "--reward-at", "10", "--reward", "Um café"]) == 0
    pdf = tmp_path / "cards.pdf"
    assert main(["--db", str(shop_path), "print", "cards", "--out", str(pdf), "--without-card"]) == 0
    assert "3 card(s)" in capsys.readouterr().out

    subprocess.run(["pdftoppm", "-r", "300", "-png", str(pdf), str(tmp_path / "page")], check=True)
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    codes: dict[str, set[str]] = {}
    for page in sorted(tmp_path.glob("page-*.png")):
        for barcode in zxingcpp.read_barcodes(Image.open(page).convert("L")):
            codes.setdefault(barcode.text, set()).add(barcode.format.name)
    assert len(codes) == len(PEOPLE)
    assert all(kinds == {"Code128", "QRCode"} for kinds in codes.values())

    database = open_shop_file(shop_path, PASSPHRASE)
    try:
        with database.reading() as session:
            found = {}
            for code in codes:
                matches = find_customers(session, code, REGION)
                assert [m.matched_by for m in matches] == ["card"]
                found[matches[0].id] = matches[0].full_name
    finally:
        database.close()
    assert found == owners
    for name in owners.values():
        assert name in text  # "<b>Ana & Co</b>" printed literally

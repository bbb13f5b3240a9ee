"""`regulars print form | slip | certificate`: PDFs whose text pdftotext reads back."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from desktop.cli import printing as printing_commands
from desktop.printing.paper_forms import FORM_KINDS, TITLES
from tests.cli.helpers import ok, ok_json
from tests.pdf_reading import flat_text

SOON = (date.today() + timedelta(days=3)).isoformat()


def test_the_cli_knows_every_form():
    assert printing_commands.FORM_KINDS == FORM_KINDS


@pytest.mark.parametrize("kind", FORM_KINDS)
def test_blank_forms(cli, shop_path, tmp_path, kind):
    out_file = tmp_path / f"{kind}.pdf"
    out = ok(cli, shop_path, "print", "form", kind, "--out", str(out_file))
    assert out.startswith("Wrote a blank ") and str(out_file) in out
    text = flat_text(out_file)
    assert TITLES[kind] in text
    assert "Padaria Teste" in text


def test_reservation_slip_prints_names_literally(cli, shop_path, tmp_path):
    ok(cli, shop_path, "customers", "add", "--first-name", "<b>Ana & Co</b>", "--email", "ana@example.com")
    record = ok_json(cli, shop_path, "reservations", "add", "--customer", "1", "--item", "Pão de ló & <i>broa</i>",
                     "--deposit", "7,50", "--expected", SOON, "--json")
    out_file = tmp_path / "slip.pdf"
    out = ok(cli, shop_path, "print", "slip", record["reference"].lower(), "--out", str(out_file))
    assert out.strip() == f"Wrote the reservation slip (1 page(s)) to {out_file}"
    text = flat_text(out_file)
    assert "<b>Ana & Co</b>" in text
    assert "Pão de ló & <i>broa</i>" in text
    assert record["reference_display"] in text
    assert "R$ 7,50" in text and "Padaria Teste" in text


def test_warranty_certificate(cli, shop_path, tmp_path):
    ok(cli, shop_path, "customers", "add", "--first-name", "Γιώργος", "--last-name", "Παπαδόπουλος",
       "--phone", "+30 691 234 5678")
    ok(cli, shop_path, "warranties", "add", "--customer", "1", "--product", "Μηχανή εσπρέσο", "--serial",
       "ESP-2024/77A", "--purchased", "2024-03-15")
    ok(cli, shop_path, "warranties", "claim", "1", "--problem", "Δεν ζεσταίνει", "--date", "2024-06-01")
    out_file = tmp_path / "certificate.pdf"
    ok(cli, shop_path, "print", "certificate", "1", "--out", str(out_file))
    text = flat_text(out_file)
    assert "ESP-2024/77A" in text
    assert "Γιώργος Παπαδόπουλος" in text and "Μηχανή εσπρέσο" in text
    assert "Padaria Teste" in text


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["slip", "B234-5678-9"], "No reservation B234-5678-9."),
        (["slip", "12"], "No reservation 12."),
        (["certificate", "3"], "No warranty 3."),
        (["certificate", "abc"], "No warranty abc."),
    ],
)
def test_nothing_to_print_leaves_no_file(cli, shop_path, tmp_path, args, says):
    out_file = tmp_path / "nothing.pdf"
    status, out, err = cli(shop_path, "print", *args, "--out", str(out_file))
    assert (status, out) == (1, "")
    assert says in err
    assert not out_file.exists()


def test_an_unwritable_file_is_refused(cli, shop_path, tmp_path):
    out_file = tmp_path / "no such folder" / "form.pdf"
    status, out, err = cli(shop_path, "print", "form", "signup", "--out", str(out_file))
    assert (status, out) == (1, "")
    assert "--out: There is no folder" in err and "Traceback" not in err

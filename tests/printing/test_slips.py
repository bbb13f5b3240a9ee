"""Reservation slips and warranty certificates, rendered for real, read back with poppler, scanned with zxing-cpp."""

from __future__ import annotations

import io
import random
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from desktop.printing.page_layout import ShopHeader
from desktop.printing.reservation_slip import ReservationSlip, render_reservation_slip
from desktop.printing.warranty_certificate import (
    WarrantyCertificate,
    render_warranty_certificate,
)
from tests.pdf_reading import (
    A4_POINTS,
    LETTER_POINTS,
    code128_texts,
    flat_text,
    fonts,
    images,
    marked_texts,
    page_count,
    page_size_points,
    pdf_text,
    require_poppler,
)
from tests.printing.helpers import assert_prints_alone

SHOP = ShopHeader("Padaria Pão Quente", contact_line="Rua das Flores 12, Lisboa · +351 21 346 0000")
SLIP = ReservationSlip(
    reference="B7K3M9Q2X",
    reference_display="B7K3-M9Q2-X",
    customer_name="João Simões",
    customer_phone="+351 912 345 678",
    item="Bolo de aniversário de chocolate",
    quantity=2,
    deposit="R$ 20,00",
    expected_on="12/06/2025",
    notes="Sem frutos secos (alergia).",
    created_on="02/06/2025",
    status="Open",
)
CERTIFICATE = WarrantyCertificate(
    customer_name="João Simões",
    product="Máquina de café Magnifica S",
    serial_number="SN-4482-ABX-2291",
    purchase_date="02/06/2025",
    months=24,
    expires_on="02/06/2027",
    notes="Inclui moinho.",
    claims=[("14/01/2026", "Não aquece a água.", "Resistência substituída."),
            ("03/03/2026", "Fuga de água pela base.", "Vedante trocado.")],
)
# 600 characters of words that each appear once, so every one can be looked for.
LONG_NOTES = " ".join(f"word{index:03d}" for index in range(76))


@pytest.fixture(scope="module", autouse=True)
def poppler():
    require_poppler()


def slip_pdf(tmp_path: Path, slip: ReservationSlip = SLIP, header: ShopHeader = SHOP, **options) -> tuple[Path, int]:
    pdf = tmp_path / "slip.pdf"
    return pdf, render_reservation_slip(slip, header, pdf, **options)


def certificate_pdf(tmp_path: Path, cert: WarrantyCertificate = CERTIFICATE, header: ShopHeader = SHOP,
                    **options) -> tuple[Path, int]:
    pdf = tmp_path / "certificate.pdf"
    return pdf, render_warranty_certificate(cert, header, pdf, **options)


# --- the reservation slip ------------------------------------------------------------------------


@pytest.mark.parametrize(("paper", "size"), [("A4", A4_POINTS), ("Letter", LETTER_POINTS)])
def test_the_slip_prints_every_detail_on_one_page(tmp_path, paper, size):
    pdf, pages = slip_pdf(tmp_path, header=replace(SHOP, paper_size=paper))
    assert pages == page_count(pdf) == 1
    assert page_size_points(pdf) == pytest.approx(size, abs=0.01)
    text = pdf_text(pdf)
    for expected in ("Padaria Pão Quente", "Rua das Flores 12, Lisboa", "Reservation", "B7K3-M9Q2-X", "João Simões",
                     "+351 912 345 678", "Bolo de aniversário de chocolate", "R$ 20,00", "12/06/2025", "02/06/2025",
                     "Open", "Sem frutos secos (alergia).", "Please bring this slip when you collect.", "Deposit paid",
                     "Expected on", "Quantity"):
        assert expected in text, expected


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_the_slips_barcode_scans_as_the_reference(tmp_path, paper):
    pdf, _ = slip_pdf(tmp_path, header=replace(SHOP, paper_size=paper))
    assert code128_texts(pdf) == ["B7K3M9Q2X"]


@pytest.mark.parametrize("seed", range(4))
def test_any_reference_scans(tmp_path, seed):
    """Twelve characters, the longest reference the database holds, of the whole printable range."""
    reference = "".join(random.Random(seed).choices([chr(code) for code in range(33, 127)], k=12))
    pdf, _ = slip_pdf(tmp_path, replace(SLIP, reference=reference, reference_display=reference))
    assert code128_texts(pdf) == [reference]


def test_customer_text_prints_literally_not_as_markup(tmp_path):
    slip = replace(SLIP, customer_name="<b>Ana & Co</b>", item="Bolo & <i>café</i>", notes="<br/> & &amp; <para>")
    pdf, _ = slip_pdf(tmp_path, slip, ShopHeader("<b>Loja & Filhos</b>"))
    text = pdf_text(pdf)
    for expected in ("<b>Ana & Co</b>", "Bolo & <i>café</i>", "<br/> & &amp; <para>", "<b>Loja & Filhos</b>"):
        assert expected in text, expected


def test_greek_prints_verbatim_in_the_embedded_font(tmp_path):
    slip = replace(SLIP, customer_name="Γιώργος Παπαδόπουλος", item="Σουβλάκι χοιρινό", notes="Χωρίς κρεμμύδι.")
    pdf, _ = slip_pdf(tmp_path, slip, ShopHeader("Ψητοπωλείο Ο Γιώργος"))
    text = pdf_text(pdf)
    for expected in ("Ψητοπωλείο Ο Γιώργος", "Γιώργος Παπαδόπουλος", "Σουβλάκι χοιρινό", "Χωρίς κρεμμύδι."):
        assert expected in text, expected
    assert {name for name, _ in fonts(pdf)} <= {"DejaVuSans", "DejaVuSans-Bold"}
    assert all(embedded == "yes" for _, embedded in fonts(pdf))


def test_long_notes_wrap_and_every_word_is_printed(tmp_path):
    assert len(LONG_NOTES) >= 600
    pdf, pages = slip_pdf(tmp_path, replace(SLIP, notes=LONG_NOTES, item=LONG_NOTES[:300]))
    assert pages == 1
    flat = flat_text(pdf)
    for word in LONG_NOTES.split():
        assert word in flat, word
    assert code128_texts(pdf) == ["B7K3M9Q2X"]


def test_notes_too_long_for_a_page_continue_on_the_next(tmp_path):
    notes = "\n".join(f"Line {index}: {LONG_NOTES[:80]}" for index in range(90))
    pdf, pages = slip_pdf(tmp_path, replace(SLIP, notes=notes))
    assert pages == page_count(pdf) >= 2
    flat = flat_text(pdf)
    assert all(f"Line {index}:" in flat for index in range(90))
    assert "Page 1 of" in flat


def test_control_characters_and_unbroken_text_do_not_break_the_slip(tmp_path):
    slip = replace(SLIP, customer_name="Ana\x00\x07 \u200bSilva\n", item="x" * 400, notes="a\tb\r\nc\x0bd")
    pdf, pages = slip_pdf(tmp_path, slip)
    assert pages == 1
    flat = flat_text(pdf)
    assert "Ana Silva" in flat
    assert flat.count("x") >= 400  # the long word is broken across lines, not cut


def test_the_slips_labels_pass_through_translate(tmp_path):
    translations = {"Reservation": "Reserva", "Please bring this slip when you collect.": "Traga este talão."}
    pdf, _ = slip_pdf(tmp_path, translate=lambda source: translations.get(source, source))
    text = pdf_text(pdf)
    assert "Reserva" in text and "Traga este talão." in text
    assert "Reservation" not in text


def test_a_logo_is_printed_on_the_slip(tmp_path):
    logo = io.BytesIO()
    Image.new("RGBA", (240, 240), (200, 60, 20, 255)).save(logo, "PNG")
    pdf, _ = slip_pdf(tmp_path, header=replace(SHOP, logo_png=logo.getvalue()))
    assert "image" in images(pdf)
    assert code128_texts(pdf) == ["B7K3M9Q2X"]


@pytest.mark.parametrize(
    ("slip", "header", "message"),
    [
        (replace(SLIP, reference="B7K3Ç9Q2X"), SHOP, "printable ASCII"),
        (replace(SLIP, reference=""), SHOP, "printable ASCII"),
        (SLIP, replace(SHOP, paper_size="Legal"), "paper size"),
        (SLIP, replace(SHOP, logo_png=b"\x89PNG\r\n\x1a\n broken"), "logo"),
    ],
)
def test_a_bad_slip_is_refused_and_nothing_is_written(tmp_path, slip, header, message):
    pdf = tmp_path / "slip.pdf"
    with pytest.raises(ValueError, match=message):
        render_reservation_slip(slip, header, pdf)
    assert list(tmp_path.iterdir()) == []


# --- the warranty certificate --------------------------------------------------------------------


@pytest.mark.parametrize(("paper", "size"), [("A4", A4_POINTS), ("Letter", LETTER_POINTS)])
def test_the_certificate_states_the_cover_and_lists_the_claims(tmp_path, paper, size):
    pdf, pages = certificate_pdf(tmp_path, header=replace(SHOP, paper_size=paper))
    assert pages == page_count(pdf) == 1
    assert page_size_points(pdf) == pytest.approx(size, abs=0.01)
    flat = flat_text(pdf)
    assert ("This certifies that the product below, sold to João Simões, is covered by the shop's warranty for "
            "24 months from the date of purchase, until 02/06/2027 inclusive.") in flat
    for expected in ("Warranty certificate", "Padaria Pão Quente", "Máquina de café Magnifica S", "SN-4482-ABX-2291",
                     "02/06/2025", "Inclui moinho.", "Claims under this warranty", "14/01/2026", "Não aquece a água.",
                     "Resistência substituída.", "Fuga de água pela base.", "Vedante trocado.",
                     "Keep this certificate with your receipt."):
        assert expected in flat, expected


def test_one_month_is_singular(tmp_path):
    pdf, _ = certificate_pdf(tmp_path, replace(CERTIFICATE, months=1))
    flat = flat_text(pdf)
    assert "warranty for 1 month from the date of purchase" in flat and "1 months" not in flat


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_the_serial_number_scans(tmp_path, paper):
    pdf, _ = certificate_pdf(tmp_path, header=replace(SHOP, paper_size=paper))
    assert code128_texts(pdf) == ["SN-4482-ABX-2291"]


def test_a_serial_code_128_cannot_hold_is_printed_as_text_only(tmp_path):
    pdf, _ = certificate_pdf(tmp_path, replace(CERTIFICATE, serial_number="ΑΒ-1234-Ω"))
    assert "ΑΒ-1234-Ω" in pdf_text(pdf)
    assert code128_texts(pdf) == []


def test_a_serial_too_long_for_scannable_bars_is_printed_as_text_only(tmp_path):
    serial = "X" * 80
    pdf, pages = certificate_pdf(tmp_path, replace(CERTIFICATE, serial_number=serial))
    assert pages == 1
    assert serial in flat_text(pdf).replace(" ", "")
    assert code128_texts(pdf) == []


def test_customer_text_on_the_certificate_prints_literally(tmp_path):
    cert = replace(CERTIFICATE, customer_name="<b>Ana & Co</b>", product="Bolo & <i>café</i>",
                   notes="{months} {name} %s", claims=[("<date>", "Broke & <b>burnt</b>", "{outcome}")])
    pdf, _ = certificate_pdf(tmp_path, cert)
    text, flat = pdf_text(pdf), flat_text(pdf)
    for expected in ("<b>Ana & Co</b>", "Bolo & <i>café</i>", "{months} {name} %s", "<date>", "Broke & <b>burnt</b>",
                     "{outcome}"):
        assert expected in text, expected
    assert "sold to <b>Ana & Co</b>, is covered" in flat


def test_greek_and_portuguese_names_on_the_certificate(tmp_path):
    pdf, _ = certificate_pdf(tmp_path, replace(CERTIFICATE, customer_name="Γιώργος Παπαδόπουλος"),
                             ShopHeader("Ψητοπωλείο Ο Γιώργος"))
    flat = flat_text(pdf)
    assert "sold to Γιώργος Παπαδόπουλος, is covered" in flat and "Ψητοπωλείο Ο Γιώργος" in flat
    pdf, _ = certificate_pdf(tmp_path, header=ShopHeader("Padaria Pão Quente"))
    assert "sold to João Simões, is covered" in flat_text(pdf)
    assert all(embedded == "yes" for _, embedded in fonts(pdf))


def test_long_certificate_notes_wrap_and_every_word_is_printed(tmp_path):
    pdf, pages = certificate_pdf(tmp_path, replace(CERTIFICATE, notes=LONG_NOTES))
    assert pages == 1
    flat = flat_text(pdf)
    for word in LONG_NOTES.split():
        assert word in flat, word


def test_many_claims_continue_on_the_next_page_under_the_headings_again(tmp_path):
    claims = [(f"{day:02d}/01/2026", f"Problem number {day}", f"Outcome number {day}") for day in range(1, 26)]
    pdf, pages = certificate_pdf(tmp_path, replace(CERTIFICATE, claims=claims))
    assert pages == page_count(pdf) == 2
    text = pdf_text(pdf)
    for day in range(1, 26):
        assert f"Problem number {day}" in text and f"Outcome number {day}" in text
    first, second = text.split("\f")[:2]
    assert "Problem" in second.split("Problem number")[0]  # the table's heading again, above the first row
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert code128_texts(pdf) == ["SN-4482-ABX-2291"]


def test_the_certificates_wording_passes_through_translate(tmp_path):
    translations = {"Warranty certificate": "Certificado de garantia", "Reservation": "Reserva"}
    pdf, _ = certificate_pdf(tmp_path, translate=lambda source: translations.get(source, source))
    assert "Certificado de garantia" in pdf_text(pdf)


def test_everything_translated_on_slips_and_certificates_is_marked(tmp_path):
    asked: list[str] = []

    def translate(source: str) -> str:
        asked.append(source)
        return f"«{source}»"

    render_reservation_slip(SLIP, SHOP, tmp_path / "slip.pdf", translate=translate)
    render_warranty_certificate(CERTIFICATE, SHOP, tmp_path / "certificate.pdf", translate=translate)
    render_warranty_certificate(replace(CERTIFICATE, months=1), SHOP, tmp_path / "one.pdf", translate=translate)
    marked = marked_texts()
    assert asked and set(asked) <= marked, set(asked) - marked
    assert "«Warranty certificate»" in pdf_text(tmp_path / "certificate.pdf")
    assert "«João Simões»" not in pdf_text(tmp_path / "slip.pdf")


def test_a_logo_is_printed_on_the_certificate(tmp_path):
    logo = io.BytesIO()
    Image.new("RGB", (500, 100), (20, 60, 200)).save(logo, "JPEG")
    pdf, _ = certificate_pdf(tmp_path, header=replace(SHOP, logo_png=logo.getvalue()))
    assert images(pdf) == ["image"]


@pytest.mark.parametrize(
    ("cert", "header", "message"),
    [
        (replace(CERTIFICATE, months=0), SHOP, "at least 1 month"),
        (CERTIFICATE, replace(SHOP, paper_size="A5"), "paper size"),
        (CERTIFICATE, replace(SHOP, logo_png=b"GIF89a"), "logo"),
    ],
)
def test_a_bad_certificate_is_refused_and_nothing_is_written(tmp_path, cert, header, message):
    pdf = tmp_path / "certificate.pdf"
    with pytest.raises(ValueError, match=message):
        render_warranty_certificate(cert, header, pdf)
    assert list(tmp_path.iterdir()) == []


def test_writes_to_a_binary_file_too(tmp_path):
    buffer = io.BytesIO()
    assert render_warranty_certificate(CERTIFICATE, SHOP, buffer) == 1
    assert render_reservation_slip(SLIP, SHOP, io.BytesIO()) == 1
    pdf = tmp_path / "from-buffer.pdf"
    pdf.write_bytes(buffer.getvalue())
    assert code128_texts(pdf) == ["SN-4482-ABX-2291"]


def test_printing_slips_loads_neither_qt_nor_the_database():
    assert_prints_alone(
        "from tests.printing.test_slips import CERTIFICATE, SHOP, SLIP\n"
        "from desktop.printing.reservation_slip import render_reservation_slip\n"
        "from desktop.printing.warranty_certificate import render_warranty_certificate\n"
        "render_reservation_slip(SLIP, SHOP, io.BytesIO())\n"
        "render_warranty_certificate(CERTIFICATE, SHOP, io.BytesIO())\n"
    )

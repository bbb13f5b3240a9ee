"""The customer's copy of their data, rendered for real and read back with poppler."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from desktop.printing.access_report import (
    AccessReport,
    NoticeShown,
    PersonalDetails,
    render_access_report,
)
from desktop.printing.page_layout import ShopHeader
from tests.pdf_reading import (
    A4_POINTS,
    LETTER_POINTS,
    flat_text,
    fonts,
    marked_texts,
    page_count,
    page_size_points,
    require_poppler,
    run,
)
from tests.printing.helpers import assert_prints_alone

SHOP = ShopHeader("Padaria Pão Quente", contact_line="Rua Augusta 12, Lisboa · +351 21 346 0000")
DETAILS = PersonalDetails(
    number="17",
    reference="7c021f0f-1b2a-4c3d-9e8f-0a1b2c3d4e5f",
    name="João Conceição",
    company="<b>Ana & Co</b>",
    phones="(11) 98765-4321\n(11) 3234-5678 (casa)",
    email="joao@example.com",
    address="Rua Três Irmãos 12\n01310-100 São Paulo",
    birthday="02/04/1980",
    notes="Prefere pão sem açúcar & <i>sem</i> sal",
    created="03/01/2025 09:12",
)
REPORT = AccessReport(
    customer_name="João Conceição",
    exported_at="25/11/2026 14:34",
    data_file="customer-data-7c021f0f.json",
    details=DETAILS,
    consents=[("03/01/2025 09:12", "Email", "Yes", "1", "Sign-up form", "Rita"),
              ("10/06/2026 17:40", "Email", "No", "2", "At the counter", "Rui")],
    notices=[NoticeShown("1", "01/01/2025", "Guardamos o seu nome e contacto."),
             NoticeShown("2", "01/06/2026", "Versão 2: os seus dados ficam connosco.")],
    cards=[("RET5-PF2B-A", "In use", "03/01/2025 09:15", "")],
    balances=[("Café da casa", "3 stamps", "Um café grátis at 5 stamps")],
    ledger=[("03/01/2025 09:15", "Café da casa", "Earned", "+1", "")],
    reservations=[("BXYC-2ZVQ-D", "Bolo-rei", "1", "R$ 10,00", "24/12/2026", "Ready", "Sem frutos secos")],
    reservation_events=[("BXYC-2ZVQ-D", "20/11/2026 10:00", "Open", "Rita"),
                        ("BXYC-2ZVQ-D", "23/11/2026 16:20", "Ready", "Rui")],
    warranties=[("Máquina de café", "SN-4482", "15/03/2026", "14/03/2028", "")],
    warranty_claims=[("SN-4482", "01/10/2026", "Não aquece", "Trocada")],
    calls=[("20/11/2026 10:02", "Question", "(11) 98765-4321", "Perguntou pelo bolo", "30/11/2026", "Rita")],
    audit=[("03/01/2025 09:12", "Record created", "The owner", "email, first name, phones")],
)
# A regular of many years: far more stamps than one page holds, each with a note of its own.
LONG_LEDGER = [(f"{1 + index % 28:02d}/{1 + index % 12:02d}/2025 10:00", "Café da casa", "Earned", "+1",
                f"visit{index:03d}") for index in range(150)]


@pytest.fixture(scope="module", autouse=True)
def poppler():
    require_poppler()


def report_pdf(tmp_path: Path, report: AccessReport = REPORT, header: ShopHeader = SHOP, **options) -> tuple[Path, int]:
    pdf = tmp_path / "access.pdf"
    return pdf, render_access_report(report, header, pdf, **options)


def page_text(pdf: Path, page: int) -> str:
    return run("pdftotext", "-layout", "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(pdf), "-")


@pytest.mark.parametrize(("paper", "size"), [("A4", A4_POINTS), ("Letter", LETTER_POINTS)])
def test_every_kind_of_record_is_there_to_read(tmp_path, paper, size):
    pdf, pages = report_pdf(tmp_path, header=replace(SHOP, paper_size=paper))
    assert pages == page_count(pdf)
    assert page_size_points(pdf) == pytest.approx(size, abs=0.01)
    flat = flat_text(pdf)
    assert ("This is everything Padaria Pão Quente holds about João Conceição, as it stood on 25/11/2026 14:34. "
            "The same data is in the file customer-data-7c021f0f.json, for a computer to read.") in flat
    for expected in ("Your data held by Padaria Pão Quente", "Rua Augusta 12, Lisboa",
                     "Customer number 17", "Reference 7c021f0f-1b2a-4c3d-9e8f-0a1b2c3d4e5f", "Name João Conceição",
                     "(11) 98765-4321 (11) 3234-5678 (casa)", "Email joao@example.com",
                     "Rua Três Irmãos 12 01310-100 São Paulo", "Birthday 02/04/1980", "Customer since 03/01/2025 09:12",
                     "Marketing consents", "03/01/2025 09:12 Email Yes 1 Sign-up form Rita",
                     "10/06/2026 17:40 Email No 2 At the counter Rui",
                     "Version 1, published 01/01/2025", "Guardamos o seu nome e contacto.",
                     "Versão 2: os seus dados ficam connosco.", "RET5-PF2B-A In use", "Café da casa 3 stamps",
                     "BXYC-2ZVQ-D Bolo-rei 1 R$ 10,00 24/12/2026 Ready Sem frutos secos",
                     "BXYC-2ZVQ-D 23/11/2026 16:20 Ready Rui", "Máquina de café SN-4482 15/03/2026 14/03/2028",
                     "SN-4482 01/10/2026 Não aquece Trocada", "Perguntou pelo bolo",
                     "Record created The owner email, first name, phones"):
        assert expected in flat, expected
    assert "Last changed" not in flat  # an empty detail is left off rather than printed blank


def test_customer_text_prints_literally_not_as_markup(tmp_path):
    report = replace(REPORT, customer_name="<b>Ana & Co</b>", details=replace(DETAILS, name="<b>Ana & Co</b>"),
                     reservations=[("R", "Bolo & <i>café</i>", "1", "", "", "", "<br/> & &amp; <para>")])
    pdf, _ = report_pdf(tmp_path, report, ShopHeader("<b>Loja & Filhos</b>"))
    text = flat_text(pdf)  # narrow columns wrap
    for expected in ("<b>Ana & Co</b>", "Prefere pão sem açúcar & <i>sem</i> sal", "Bolo & <i>café</i>",
                     "<br/> & &amp; <para>", "Your data held by <b>Loja & Filhos</b>"):
        assert expected in text, expected


def test_greek_prints_verbatim_in_the_embedded_font(tmp_path):
    report = replace(REPORT, customer_name="Γιώργος Παπαδόπουλος",
                     details=replace(DETAILS, name="Γιώργος Παπαδόπουλος", notes="Χωρίς κρεμμύδι."),
                     calls=[("20/11/2026 10:02", "Ερώτηση", "+30 21 0123 4567", "Ρώτησε για το σουβλάκι", "", "")])
    pdf, _ = report_pdf(tmp_path, report, ShopHeader("Ψητοπωλείο Ο Γιώργος"))
    flat = flat_text(pdf)
    for expected in ("Your data held by Ψητοπωλείο Ο Γιώργος", "Γιώργος Παπαδόπουλος", "Χωρίς κρεμμύδι.", "Ερώτηση",
                     "+30 21 0123 4567", "Ρώτησε για το σουβλάκι"):
        assert expected in flat, expected
    assert {name for name, _ in fonts(pdf)} <= {"DejaVuSans", "DejaVuSans-Bold"}
    assert all(embedded == "yes" for _, embedded in fonts(pdf))


def test_a_long_history_flows_over_pages_with_its_headings_repeated(tmp_path):
    pdf, pages = report_pdf(tmp_path, replace(REPORT, ledger=LONG_LEDGER))
    assert pages == page_count(pdf) >= 4
    flat = flat_text(pdf)
    assert all(f"visit{index:03d}" in flat for index in range(150))
    assert f"Page 1 of {pages}" in flat and f"Page {pages} of {pages}" in flat
    for page in range(2, pages):
        text = page_text(pdf, page)
        if "visit" in text:  # a page the ledger runs over starts with the ledger's headings again
            assert "Programme" in text and "Amount" in text, page
            assert "Your data held by Padaria Pão Quente" in text
    last = page_text(pdf, pages)
    assert "Who opened or changed your record" in last  # the sections after the ledger still follow it


def test_a_section_with_nothing_in_it_says_so(tmp_path):
    report = AccessReport(customer_name="Ana", exported_at="25/11/2026 14:34", data_file="customer-data-1.json",
                          details=PersonalDetails(number="1", reference="u", name="Ana"))
    pdf, pages = report_pdf(tmp_path, report)
    flat = flat_text(pdf)
    assert flat.count("Nothing recorded.") == 9  # consents, notices, cards, balances, ledger, reservations,
    #                                              warranties, calls, the trail
    assert "What happened to each reservation" not in flat and "Claims" not in flat  # no empty sub-tables
    assert pages == 1 and "Page 1 of" not in flat


def test_the_wording_passes_through_translate(tmp_path):
    translations = {"Your data held by {shop}": "Os seus dados na {shop}", "Marketing consents": "Consentimentos",
                    "Nothing recorded.": "Nada registado.", "Customer number": "Cliente n.º"}
    pdf, _ = report_pdf(tmp_path, translate=lambda source: translations.get(source, source))
    flat = flat_text(pdf)
    assert "Os seus dados na Padaria Pão Quente" in flat and "Consentimentos" in flat and "Cliente n.º 17" in flat
    assert "Marketing consents" not in flat and "Your data held by" not in flat


def test_only_marked_wording_is_translated_never_the_customers_text(tmp_path):
    asked: list[str] = []

    def translate(source: str) -> str:
        asked.append(source)
        return f"«{source}»"

    pdf, pages = report_pdf(tmp_path, replace(REPORT, ledger=LONG_LEDGER, consents=()), translate=translate)
    marked = marked_texts()
    assert asked and set(asked) <= marked, set(asked) - marked
    text = flat_text(pdf)
    assert "«Marketing consents»" in text and "«Nothing recorded.»" in text and f"«Page 1 of {pages}»" in text
    assert "«João" not in text and "«Café" not in text and "«visit" not in text


def test_a_bad_paper_size_is_refused_and_nothing_is_written(tmp_path):
    with pytest.raises(ValueError, match="paper size"):
        render_access_report(REPORT, replace(SHOP, paper_size="Legal"), tmp_path / "access.pdf")
    assert list(tmp_path.iterdir()) == []


def test_renders_without_the_database_or_the_window_layers():
    assert_prints_alone(
        "from desktop.printing.access_report import AccessReport, PersonalDetails, render_access_report\n"
        "from desktop.printing.page_layout import ShopHeader\n"
        "render_access_report(AccessReport('Ana', 'now', 'x.json', PersonalDetails('1', 'u', 'Ana')),\n"
        "                     ShopHeader('Loja'), io.BytesIO())\n"
    )

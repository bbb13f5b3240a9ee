"""Printed documents filled from the shop file, read back with poppler's pdftotext."""

from __future__ import annotations

import io
from datetime import date

import pytest

from desktop.errors import InvalidInput
from desktop.services.customers import CustomerDetails, add_customer
from desktop.services.documents import (
    print_blank_form,
    print_reservation_slip,
    print_warranty_certificate,
)
from desktop.services.privacy_notice import publish_notice
from desktop.services.reservations import NewReservation, add_reservation
from desktop.services.shop import PrintedDetails, update_printed_details
from desktop.services.warranties import NewWarranty, add_warranty
from tests.pdf_reading import pdf_text

REGION = "BR"
TODAY = date(2026, 11, 25)

def printed(write) -> str:
    buffer = io.BytesIO()
    write(buffer)
    return " ".join(pdf_text(buffer.getvalue()).split())  # the layout's columns, as on paper


@pytest.fixture
def ana(shop) -> int:
    with shop.writing() as session:
        update_printed_details(session, PrintedDetails("Letter", "Rua Augusta 12 · (11) 3456-7890"))
        return add_customer(session, CustomerDetails(first_name="<b>Ana", last_name="& Co</b>",
                                                     phones=["11987654321"]), REGION).id


def test_a_slip_shows_the_reservation_as_the_shop_writes_it(shop, ana):
    with shop.writing() as session:
        reference = add_reservation(
            session, NewReservation(ana, "Βασιλόπιτα & <i>pão</i>", 2, "", "2026-12-31"), today=TODAY
        ).reference
    with shop.reading() as session:
        text = printed(lambda out: print_reservation_slip(session, reference, out))
    for expected in ("Padaria Teste", "Rua Augusta 12", "<b>Ana & Co</b>", "Βασιλόπιτα & <i>pão</i>",
                     "31/12/2026", "(11) 98765-4321", f"{reference[:4]}-{reference[4:8]}-{reference[8:]}"):
        assert expected in text
    assert "Deposit paid None" in text  # not "R$ 0,00": nothing was paid


def test_a_certificate_shows_the_cover_and_the_claims(shop, ana):
    with shop.writing() as session:
        warranty_id = add_warranty(
            session, NewWarranty(ana, "Máquina de café", "SN-77/A", "2026-01-31", 1), today=TODAY
        ).id
    with shop.reading() as session:
        text = printed(lambda out: print_warranty_certificate(session, warranty_id, out))
    for expected in ("Warranty certificate", "<b>Ana & Co</b>", "Máquina de café", "SN-77/A", "31/01/2026",
                     "28/02/2026"):
        assert expected in text


def test_blank_forms_carry_the_current_notice_and_the_shops_lists(shop):
    with shop.writing() as session:
        publish_notice(session, "Guardamos o seu nome e telefone. Τα δεδομένα σας είναι ασφαλή.")
    with shop.reading() as session:
        signup = printed(lambda out: print_blank_form(session, "signup", out))
        inquiry = printed(lambda out: print_blank_form(session, "inquiry", out))
        with pytest.raises(InvalidInput) as caught:
            print_blank_form(session, "survey", io.BytesIO())
    assert "version 2" in signup and "Τα δεδομένα σας είναι ασφαλή" in signup
    assert "Social media" in signup
    assert all(reason in inquiry for reason in ("Question", "Complaint", "Order"))
    assert caught.value.field == "form"


def test_a_shop_with_a_receipt_printer_prints_slips_on_the_roll_and_forms_on_a_sheet(shop, ana, tmp_path):
    from tests.pdf_reading import page_size_points

    with shop.writing() as session:
        update_printed_details(session, PrintedDetails("80mm"))
        reference = add_reservation(session, NewReservation(ana, "Bolo", 1, "", "2026-12-31"), today=TODAY).reference
    slip, form = tmp_path / "slip.pdf", tmp_path / "form.pdf"
    with shop.reading() as session:
        print_reservation_slip(session, reference, slip)
        print_blank_form(session, "signup", form)
    assert page_size_points(slip)[0] == pytest.approx(226.77, abs=0.01)  # 80 mm wide
    assert page_size_points(form) == pytest.approx((595.28, 841.89), abs=0.01)  # A4, Brazil's usual sheet

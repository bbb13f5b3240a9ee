"""Characters that show nothing: a field made only of them is refused, and inside a name, item,
serial or note they are taken out (but for the joiners some scripts need between letters), so
that what is found is what is seen."""

from __future__ import annotations

from datetime import date

import pytest

from desktop.errors import InvalidInput
from desktop.services.customers import CustomerDetails, add_customer, get_customer
from desktop.services.lookup import find_customers
from desktop.services.reservations import NewReservation, add_reservation, reservation_summary
from desktop.services.search_keys import query_key
from desktop.services.text import clean_text, fold, is_clean_text
from desktop.services.warranties import NewWarranty, add_warranty, find_by_serial
from tests.conftest import REGION
from tests.unit.services.helpers import new_customer

INVISIBLE_ONLY = ["\u200b", "\u3164", "\u2800", "\ufeff", "\u200e", "\u2060", "\u115f", "\u0301", "\uffa0",
                  "\u200b \u200c", "\u00ad", "\U000e0041"]
PERSIAN = "می\u200cخواهم"  # the non-joiner keeps می and خواهم apart, as Persian writes it
DEVANAGARI = "क्\u200dष"  # the joiner asks for the half form of क


@pytest.mark.parametrize("name", INVISIBLE_ONLY)
def test_a_first_name_of_invisible_characters_is_refused(shop, name):
    with shop.writing() as session, pytest.raises(InvalidInput) as refused:
        add_customer(session, CustomerDetails(first_name=name, phones=["11987654321"]), REGION)
    assert refused.value.field == "first_name"
    assert "no visible character" in refused.value.describe()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("Jo\u200bão", "João"), ("\ufeffAna", "Ana"), ("Ana\u200e", "Ana"), ("Ma\u2060ria", "Maria"),
     ("Lu\u00adcas", "Lucas"), ("A\u200dB", "AB"), ("\u3164Kim", "Kim"), (PERSIAN, PERSIAN), (DEVANAGARI, DEVANAGARI),
     ("\u200cمی", "می")],
)
def test_invisible_characters_are_taken_out_of_names(shop, typed, stored):
    customer_id = new_customer(shop, typed)
    with shop.reading() as session:
        assert get_customer(session, customer_id).first_name == stored


def test_a_name_typed_with_a_zero_width_space_is_found_by_what_it_shows(shop):
    customer_id = new_customer(shop, "Jo\u200bão", "Sil\u200bva")
    with shop.reading() as session:
        for query in ("joão", "joao", "silva jo", "jo\u200bão"):
            assert [m.id for m in find_customers(session, query, REGION)] == [customer_id], query


def test_search_keys_leave_out_every_invisible_character():
    assert query_key("Jo\u200bão \u2060Sil\ufeffva") == "joao silva"
    assert fold(PERSIAN) == fold("میخواهم")  # with or without the non-joiner, the same customer


def test_items_serials_and_notes_lose_invisible_characters(shop):
    customer_id = new_customer(shop, "Ana")
    with shop.writing() as session:
        reservation = add_reservation(session, NewReservation(
            customer_id=customer_id, item="Bo\u200blo", expected_on=date(2030, 1, 10), notes="Sem\u200e glúten\n\u2060ok"))
        warranty = add_warranty(session, NewWarranty(
            customer_id=customer_id, product="Ket\u200btle", serial_number="KT\u200b-100", purchase_date="2026-01-10"))
        summary = reservation_summary(session, reservation.id)
        assert (summary.item, summary.notes) == ("Bolo", "Sem glúten\nok")
        assert (warranty.product, warranty.serial_number) == ("Kettle", "KT-100")
        assert [w.id for w in find_by_serial(session, "kt\ufeff100")] == [warranty.id]


@pytest.mark.parametrize("value", [*INVISIBLE_ONLY, "Jo\u200bão", PERSIAN, DEVANAGARI, "Ana", "\u200cمی", "Ana\n\u200b"])
@pytest.mark.parametrize("multiline", [False, True])
def test_a_sync_import_judges_text_as_the_forms_do(value, multiline):
    """is_clean_text (checking a whole bundle at once) is True exactly when clean_text keeps the value as it is."""
    cleaned = clean_text(value, max_length=100, multiline=multiline)
    assert is_clean_text(value, max_length=100, multiline=multiline) == (cleaned == value)

"""Looking a record up by a number no record can have (too large for SQLite, or digits of another
script) finds nobody, whichever screen or command typed it."""

from __future__ import annotations

import pytest

from desktop.errors import NotFound
from desktop.services.customers import get_customer
from desktop.services.loyalty import customer_from_ref, get_program
from desktop.services.phone_calls import call_summary
from desktop.services.record_ids import MAX_RECORD_ID, record_id
from desktop.services.reservations import get_reservation
from desktop.services.warranties import get_warranty
from tests.unit.services.helpers import new_customer

NOBODYS = ["99999999999999999999", str(MAX_RECORD_ID + 1), "9" * 5000, "٣", "²", "0", "00"]


@pytest.mark.parametrize("number", NOBODYS)
@pytest.mark.parametrize("look_up", [get_customer, customer_from_ref, get_reservation, get_warranty, get_program,
                                     call_summary])
def test_a_number_no_record_can_have_finds_nobody(shop, number, look_up):
    new_customer(shop, "Ana", "Souza")
    with shop.reading() as session, pytest.raises(NotFound):
        look_up(session, number)


def test_record_numbers():
    assert [record_id(v) for v in ("1", " 12 ", 7, str(MAX_RECORD_ID))] == [1, 12, 7, MAX_RECORD_ID]
    assert [record_id(v) for v in ("-1", "1.0", "", True, -3, 0, MAX_RECORD_ID + 1, "１")] == [None] * 8

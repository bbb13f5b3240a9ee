"""Warranty cards, serial lookup and claims, against a real encrypted shop file."""

from __future__ import annotations

from datetime import date

import pytest

from desktop.errors import InvalidInput, NotFound
from desktop.services.lookup import find_customers
from desktop.services.warranties import (
    NewWarranty,
    add_claim,
    add_warranty,
    customer_warranties,
    expiring_warranties,
    expiry,
    find_by_serial,
    serial_key,
    set_claim_outcome,
    warranty_summary,
)
from tests.conftest import REGION
from tests.unit.services.helpers import count, new_customer

TODAY = date(2026, 11, 25)


@pytest.fixture
def joao(shop) -> int:
    return new_customer(shop, "João", "Simões")


def register(shop, owner, **values) -> int:
    form = NewWarranty(**({"customer_id": owner, "product": "Liquidificador Turbo", "serial_number": "LT-2026/00417",
                          "purchase_date": date(2026, 3, 15), "months": 12} | values))
    with shop.writing() as session:
        return add_warranty(session, form, staff="Rita", today=TODAY).id


@pytest.mark.parametrize(
    ("bought", "months", "last_day"),
    [(date(2026, 3, 15), 12, date(2027, 3, 14)), (date(2026, 1, 31), 1, date(2026, 2, 28)), (date(2024, 1, 30), 1, date(2024, 2, 29)),
     (date(2024, 2, 29), 12, date(2025, 2, 28)), (date(2024, 1, 29), 1, date(2024, 2, 28)), (date(2026, 12, 1), 24, date(2028, 11, 30))],
)
def test_expiry_is_the_last_day_covered(bought, months, last_day):
    assert expiry(bought, months) == last_day


def test_serial_keys_ignore_case_and_separators():
    assert serial_key(" lt-2026/00417 ") == serial_key("LT 2026.00417") == "LT202600417"


def test_registering_computes_the_expiry(shop, joao):
    warranty_id = register(shop, joao)
    with shop.reading() as session:
        card = warranty_summary(session, warranty_id)
    assert (card.customer_name, card.product, card.serial_number) == ("João Simões", "Liquidificador Turbo", "LT-2026/00417")
    assert card.expires_on == date(2027, 3, 14)
    assert card.is_covered(date(2027, 3, 14)) and not card.is_covered(date(2027, 3, 15))


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"product": ""}, "product"),
        ({"serial_number": ""}, "serial_number"),
        ({"serial_number": "--"}, "serial_number"),
        ({"purchase_date": "2027-01-01"}, "purchase_date"),
        ({"purchase_date": "15/03/2026"}, "purchase_date"),
        ({"months": "0"}, "months"),
        ({"months": "121"}, "months"),
        ({"months": "doze"}, "months"),
        ({"customer_id": None}, "customer"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(shop, joao, values, field):
    with pytest.raises(InvalidInput) as caught:
        register(shop, joao, **values)
    assert field in caught.value.problems
    assert count(shop, "warranties") == 0


def test_the_same_serial_for_the_same_product_is_refused(shop, joao):
    register(shop, joao)
    with pytest.raises(InvalidInput) as caught:
        register(shop, joao, serial_number="lt 2026 00417", product="liquidificador turbo")
    assert caught.value.field == "serial_number"
    register(shop, joao, serial_number="LT-2026/00417", product="Batedeira")  # another maker's numbering
    assert count(shop, "warranties") == 2


def test_find_by_serial_however_typed_and_from_the_lookup_box(shop, joao):
    register(shop, joao)
    with shop.reading() as session:
        assert [w.customer_id for w in find_by_serial(session, "lt202600417")] == [joao]
        assert find_by_serial(session, "LT2026") == []
        for typed in ("LT-2026/00417", "lt 2026 00417"):
            assert [(m.id, m.matched_by) for m in find_customers(session, typed, REGION)][0] == (joao, "serial")


def test_claims_are_logged_and_resolved(shop, joao):
    warranty_id = register(shop, joao)
    with shop.writing() as session:
        claim_id = add_claim(session, warranty_id, problem="Motor faz barulho", claimed_on="2026-06-01", today=TODAY).id
    with shop.writing() as session:
        set_claim_outcome(session, claim_id, "Trocado por um novo")
    with shop.reading() as session:
        claims = warranty_summary(session, warranty_id).claims
    assert [(c.claimed_on, c.problem, c.outcome) for c in claims] == [
        (date(2026, 6, 1), "Motor faz barulho", "Trocado por um novo")
    ]


@pytest.mark.parametrize(
    ("values", "field"),
    [({"problem": ""}, "problem"), ({"claimed_on": "2026-01-01"}, "claimed_on"),
     ({"claimed_on": "2026-12-31"}, "claimed_on")],
)
def test_bad_claims_name_the_field(shop, joao, values, field):
    warranty_id = register(shop, joao)
    with pytest.raises(InvalidInput) as caught, shop.writing() as session:
        add_claim(session, warranty_id, **({"problem": "Não liga"} | values), today=TODAY)
    assert field in caught.value.problems
    assert count(shop, "warranty_claims") == 0
    with pytest.raises(NotFound), shop.writing() as session:
        add_claim(session, 999, problem="Não liga", today=TODAY)


def test_expiring_within_n_days(shop, joao):
    register(shop, joao, serial_number="A-001", purchase_date=date(2025, 12, 1), months=12)  # ends 2026-11-30
    register(shop, joao, serial_number="A-002", purchase_date=date(2026, 1, 10), months=12)  # ends 2027-01-09
    register(shop, joao, serial_number="A-003", purchase_date=date(2024, 1, 10), months=12)  # ended
    with shop.reading() as session:
        assert [w.serial_number for w in expiring_warranties(session, 30, today=TODAY)] == ["A-001"]
        assert [w.serial_number for w in expiring_warranties(session, 60, today=TODAY)] == ["A-001", "A-002"]
        assert len(customer_warranties(session, joao)) == 3
        with pytest.raises(InvalidInput):
            expiring_warranties(session, -1, today=TODAY)
